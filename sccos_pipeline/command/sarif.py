"""SARIF 2.1.0 for code scanning (e.g. GitHub's upload-sarif): one run, a rule per code."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

from ..core.deployfile.findings import CODES, Finding
from ..core.deployfile.loader import Validation
from . import about
from .output import in_order

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_RULE_INDEX = {code: index for index, code in enumerate(CODES)}


def sarif_report(results: list[Validation], cwd: Path) -> str:
    return json.dumps(sarif_log(results, cwd, about.version()), indent=2) + "\n"


def sarif_log(results: list[Validation], cwd: Path, version: str | None) -> dict[str, object]:
    driver: dict[str, object] = {"name": about.NAME, "informationUri": about.INFORMATION_URI}
    if version:
        driver["version"] = version
    driver["rules"] = [
        {
            "id": code,
            "shortDescription": {"text": meaning},
            "defaultConfiguration": {"level": severity.value},
        }
        for code, (severity, meaning) in CODES.items()
    ]
    findings = in_order(f for r in results for f in r.findings)
    run = {
        "tool": {"driver": driver},
        "columnKind": "unicodeCodePoints",  # columns count characters, as YAML marks do
        "results": [_result(f, cwd) for f in findings],
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def _result(finding: Finding, cwd: Path) -> dict[str, object]:
    message = f"{finding.message} (fix: {finding.fix})" if finding.fix else finding.message
    where = finding.position
    return {
        "ruleId": finding.code,
        "ruleIndex": _RULE_INDEX[finding.code],
        "level": finding.severity.value,
        "message": {"text": message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(where.file, cwd)},
                    "region": {"startLine": where.line, "startColumn": where.column},
                }
            }
        ],
    }


def _uri(file: str, cwd: Path) -> str:
    """Relative to the working directory, as code scanning expects paths in the repository."""
    path = Path(os.path.abspath(file))
    try:
        relative = Path(os.path.relpath(path, cwd))
    except ValueError:  # another drive on Windows
        return path.as_uri()
    return quote(relative.as_posix())
