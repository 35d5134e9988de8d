"""The `sccos-pipeline` command as users run it: a separate process, exit codes, output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import sccos_pipeline.cli as sccos_cli
from tests.conftest import CORPUS, MINIMAL, needs_corpus, write_project


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sccos_pipeline", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


def test_validate_text_and_exit_codes(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "deploy.good.yml": MINIMAL,
            "deploy.warn.yml": MINIMAL.replace("8.4", "7.4"),
            "deploy.bad.yml": "image: [1]\n",
        },
    )
    good, warn, bad = (str(tmp_path / f"deploy.{n}.yml") for n in ("good", "warn", "bad"))
    assert cli("validate", good).returncode == 0
    assert cli("validate", warn).returncode == 0
    assert cli("validate", warn, "--strict").returncode == 1
    done = cli("validate", good, bad)
    assert done.returncode == 1
    assert f"{bad}:1:8: error SCC020 " in done.stdout
    assert done.stdout.splitlines()[-1] == (
        "2 file(s) checked: 1 valid, 1 with errors; 1 error(s), 0 warning(s)"
    )
    assert "Traceback" not in done.stderr


def test_validate_json(tmp_path: Path) -> None:
    write_project(tmp_path, {"deploy.shop-prod.yml": MINIMAL})
    done = cli("validate", str(tmp_path / "deploy.shop-prod.yml"), "--format", "json")
    assert done.returncode == 0
    [report] = json.loads(done.stdout)
    assert report["valid"] is True and report["project"] == "shop-prod"
    assert report["image"] == "spryker/php:8.4"
    assert report["hooks"]["install"] == {
        "normal": "vendor/bin/install -r production --no-ansi -vvv",
        "destructive": "vendor/bin/install -r destructive --no-ansi -vvv",
    }
    assert [a["name"] for a in report["applications"]] == ["yves_eu", "boffice_eu"]
    assert report["stores"][1] == {"name": "NO", "region": "EU", "broker_namespace": "no-docker"}


def test_buildspec_and_plan(tmp_path: Path) -> None:
    write_project(tmp_path, {"deploy.yml": MINIMAL})
    done = cli("buildspec", str(tmp_path / "deploy.yml"), "--stage", "install", "--project", "p1")
    assert done.returncode == 0
    spec = yaml.safe_load(done.stdout)
    assert spec["env"]["variables"]["SPRYKER_PROJECT_NAME"] == "p1"
    plan = cli("plan", str(tmp_path / "deploy.yml"), "--format", "json")
    assert [p["name"] for p in json.loads(plan.stdout)] == [
        "shop-normal-deploy",
        "shop-destructive-deploy",
    ]
    mermaid = cli(
        "plan", str(tmp_path / "deploy.yml"), "--pipeline", "normal", "--format", "mermaid"
    )
    assert mermaid.stdout.startswith("flowchart TD\n")


def test_bad_input_prints_nothing_on_stdout(tmp_path: Path) -> None:
    write_project(tmp_path, {"deploy.yml": "a: 1\na: 2\n"})
    done = cli("buildspec", str(tmp_path / "deploy.yml"), "--stage", "install")
    assert (done.returncode, done.stdout) == (1, "")
    assert ":2:1: error SCC005 " in done.stderr and "Traceback" not in done.stderr


def test_usage_errors_exit_2() -> None:
    assert cli("buildspec", "x.yml", "--stage", "deploy").returncode == 2
    assert cli().returncode == 2


def test_cli_and_core_never_import_aws_cdk() -> None:
    code = (
        "import sys, sccos_pipeline.cli, sccos_pipeline.core.plan, sccos_pipeline.core.buildspec;"
        "sys.exit(any(m.split('.')[0] in ('aws_cdk', 'constructs', 'jsii') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


@needs_corpus
def test_every_real_deploy_file_validates_without_traceback() -> None:
    files = sorted(str(p) for p in (CORPUS / "deploy-files").glob("*.yml"))
    done = cli("validate", *files, "--format", "json")
    assert done.returncode == 0, done.stdout[-2000:]
    assert len(json.loads(done.stdout)) == 64


def test_internal_error_exits_1_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.delenv("SCCOS_DEBUG", raising=False)
    monkeypatch.setattr(sccos_cli, "validate_deploy_file", broken)
    monkeypatch.setattr(sccos_cli, "load_deploy_file", broken)
    write_project(tmp_path, {"deploy.yml": MINIMAL})
    for argv in (
        ["validate", str(tmp_path / "deploy.yml")],
        ["plan", str(tmp_path / "deploy.yml")],
    ):
        assert sccos_cli.main(argv) == 1
        out, err = capsys.readouterr()
        assert out == ""
        assert err.splitlines() == [
            "sccos-pipeline: internal error: RuntimeError: boom "
            "(set SCCOS_DEBUG=1 for details, and please report it)"
        ]
