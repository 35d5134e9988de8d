"""The `sccos-pipeline` command as users run it: a separate process, exit codes, output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import sccos_pipeline.cli as sccos_cli
import sccos_pipeline.rehearsal.command as rehearse_command
from sccos_pipeline.cli import main
from sccos_pipeline.command import about
from sccos_pipeline.command import plan as plan_command
from sccos_pipeline.command import validate as validate_command
from tests.conftest import CORPUS, MINIMAL, cli, needs_corpus, write_project


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
    assert [p["name"] for p in json.loads(plan.stdout)["pipelines"]][:3] == [
        "NORMAL_Deploy_Spryker_shop",
        "DESTRUCTIVE_Deploy_Spryker_shop",
        "Build_Spryker_shop",
    ]
    mermaid = cli(
        "plan", str(tmp_path / "deploy.yml"), "--pipeline", "normal", "--pipeline", "build",
        "--format", "mermaid",
    )  # fmt: skip
    assert mermaid.stdout.startswith("flowchart TD\n")
    assert mermaid.stdout.count("  subgraph ") == 2
    production = cli("plan", str(tmp_path / "deploy.yml"), "--production")
    assert "DESTRUCTIVE_Deploy_Spryker_shop" not in production.stdout
    assert "NORMAL_Deploy_Spryker_shop: deploy a version" in production.stdout
    assert "(started by hand)" in production.stdout.splitlines()[0]


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
        "import sys, sccos_pipeline.cli, sccos_pipeline.command.sarif, sccos_pipeline.command.gitbase;"
        "sys.exit(any(m.split('.')[0] in ('aws_cdk', 'constructs', 'jsii') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


@needs_corpus
def test_every_real_deploy_file_validates_without_traceback() -> None:
    files = sorted(str(p) for p in (CORPUS / "deploy-files").glob("*.yml"))
    done = cli("validate", *files, "--format", "json")
    assert done.returncode == 0, done.stdout[-2000:]
    assert len(json.loads(done.stdout)) == 13


def test_version_comes_from_the_package_metadata() -> None:
    done = cli("--version")
    assert (done.returncode, done.stdout) == (0, "sccos-pipeline 0.1.0\n")


def test_version_without_package_metadata(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from importlib import metadata

    def missing(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", missing)
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == (
        "sccos-pipeline (version unknown: not installed as a package)\n"
    )
    assert about.version() is None


EXIT_CODES = [
    "exit codes:",
    "  0  success: no deploy file has an error (validate --strict: no reported warning either)",
    "  1  a deploy file has an error (validate --strict: or a reported warning)",
    "  2  usage error: bad arguments or configuration, a directory without deploy files,",
]


def test_help_lists_commands_exit_codes_and_examples() -> None:
    done = cli("--help")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    for expected in [
        *EXIT_CODES,
        "    validate                check deploy files and report findings",
        "    buildspec               print the buildspec of a hook stage",
        "    plan                    print the environment's pipelines and their steps",
        "  --version                 print the version and exit",
        "  sccos-pipeline validate . --base origin/main --format sarif > sccos.sarif",
    ]:
        assert expected in lines


def described_arguments(help_text: str) -> dict[str, str]:
    """Each argument listed in a command's help, with its description."""
    listing = help_text.split("positional arguments:\n")[1].split("exit codes:", maxsplit=1)[0]
    described: dict[str, str] = {}
    for line in listing.splitlines():
        if line.startswith("  ") and not line.startswith("   "):
            name, _, text = line.strip().partition("  ")
            described[name] = text.strip()
        elif line.startswith(" " * 28):
            described[name] = (described[name] + " " + line.strip()).strip()
    return described


@pytest.mark.parametrize(
    ("command", "arguments"),
    [
        (
            "validate",
            ["PATH", "-h, --help", "--format {text,json,sarif}", "--strict, --no-strict",
             "--select CODES", "--ignore CODES", "--base REF", "--project NAME",
             "--project-root DIR"],
        ),
        (
            "buildspec",
            ["FILE", "-h, --help", "--stage {pre-deploy,install,post-deploy}",
             "--pipeline {normal,destructive}", "--project NAME", "--project-root DIR"],
        ),
        (
            "plan",
            ["FILE", "-h, --help", "--pipeline KIND", "--production",
             "--format {text,mermaid,json}", "--project NAME", "--project-root DIR"],
        ),
    ],
)  # fmt: skip
def test_each_command_help_describes_its_arguments_and_exit_codes(
    command: str, arguments: list[str]
) -> None:
    done = cli(command, "--help")
    assert done.returncode == 0
    for line in EXIT_CODES:
        assert line in done.stdout.splitlines()
    described = described_arguments(done.stdout)
    assert list(described) == arguments
    assert all(described.values()), described


def test_validate_help_lists_every_code() -> None:
    lines = cli("validate", "--help").stdout.splitlines()
    assert "  SCC004  error    YAML syntax error" in lines
    assert (
        "  SCC114  warning  a changed pre-deploy hook takes effect from the second deployment"
        in lines
    )


def test_findings_are_sorted_by_file_line_column_and_code_across_files(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "b/deploy.yml": "image:\n  environment:\n    A: 1.50\n  tag: spryker/php:7.4\n",
            "a/deploy.yml": "image: [1]\n",
        },
    )
    done = cli("validate", "b/deploy.yml", "a/deploy.yml", cwd=tmp_path)
    assert done.stdout.splitlines()[:3] == [
        "a/deploy.yml:1:8: error SCC020 `image` must be a mapping with `tag:` and `environment:`, "
        "got [1] (fix: write `image: {tag: spryker/php:8.4}`)",
        "b/deploy.yml:3:8: warning SCC130 A: 1.50 becomes '1.5' in the image "
        "(fix: write A: '1.5' if that is meant)",
        "b/deploy.yml:4:8: warning SCC101 spryker/php:7.4 is no longer maintained "
        "(fix: move to a current tag, e.g. spryker/php:8.4)",
    ]
    files = cli("validate", "b/deploy.yml", "a/deploy.yml", "--format", "json", cwd=tmp_path)
    assert [r["file"] for r in json.loads(files.stdout)] == ["a/deploy.yml", "b/deploy.yml"]


def test_a_directory_is_searched_for_deploy_files(tmp_path: Path) -> None:
    bad = "image: [1]\n"
    write_project(
        tmp_path,
        {
            "deploy.yml": MINIMAL,
            "shop/deploy.shop-prod.yaml": MINIMAL,
            ".github/deploy/deploy.ci.yml": MINIMAL,
            "shop/notes.yml": bad,
            "vendor/spryker/deploy.yml": bad,
            "node_modules/x/deploy.yml": bad,
            "docker/deploy.yml": bad,
            ".git/deploy.yml": bad,
            "config/deploy-templates/deploy.base.yml": bad,
        },
    )
    done = cli("validate", ".", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    assert [r["file"] for r in json.loads(done.stdout)] == [
        ".github/deploy/deploy.ci.yml",
        "deploy.yml",
        "shop/deploy.shop-prod.yaml",
    ]


def test_a_directory_without_deploy_files_is_a_usage_error(tmp_path: Path) -> None:
    write_project(tmp_path, {"vendor/deploy.yml": MINIMAL, "notes.yml": MINIMAL})
    done = cli("validate", str(tmp_path))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"sccos-pipeline validate: error: {tmp_path}: no deploy*.yml or deploy*.yaml files in "
        "this directory (skipped: .git/, docker/, node_modules/, vendor/, "
        "config/deploy-templates/)\n"
    )


@needs_corpus
def test_well_kept_real_deploy_files_pass_strict() -> None:
    files = sorted(str(p) for p in (CORPUS / "deploy-files").glob("*.yml"))
    everything = cli("validate", *files, "--strict")
    assert everything.returncode == 1
    assert everything.stdout.splitlines()[-1] == (
        "13 file(s) checked: 13 valid, 0 with errors; 0 error(s), 20 warning(s)"
    )
    clean = ["spryker-shop__suite__deploy.aop-demoshop-dms-testing.yml"]
    done = cli("validate", "--strict", *clean, cwd=CORPUS / "deploy-files")
    assert (done.returncode, done.stdout) == (
        0,
        "1 file(s) checked: 1 valid, 0 with errors; 0 error(s), 0 warning(s)\n",
    )


def test_internal_error_exits_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.delenv("SCCOS_DEBUG", raising=False)
    monkeypatch.setattr(validate_command, "validate_deploy_file", broken)
    monkeypatch.setattr(plan_command, "load_deploy_file", broken)
    monkeypatch.setattr(rehearse_command, "load_scenario", broken)
    write_project(tmp_path, {"deploy.yml": MINIMAL})
    for argv in (
        ["validate", str(tmp_path / "deploy.yml")],
        ["plan", str(tmp_path / "deploy.yml")],
        ["rehearse", str(tmp_path), "--stack", "sccos-shop"],
    ):
        # "could not run", as for a usage error: never read as a deploy file's error
        assert sccos_cli.main(argv) == 2
        out, err = capsys.readouterr()
        assert out == ""
        assert err.splitlines() == [
            "sccos-pipeline: internal error: RuntimeError: boom "
            "(set SCCOS_DEBUG=1 for details, and please report it)"
        ]
