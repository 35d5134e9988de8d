"""The README and docs/ stay true: pictures are the command's output, the code table the real one."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from sccos_pipeline.core.deployfile.findings import CODES
from sccos_pipeline.core.deployfile.loader import load_deploy_file
from sccos_pipeline.core.plan.builder import build_environment_plan
from sccos_pipeline.core.plan.render import plan_mermaid
from tests.conftest import CDK, EXAMPLE, ROOT, offline_env

README = (ROOT / "README.md").read_text()
CLI = (ROOT / "docs" / "cli.md").read_text()
PIPELINES = (ROOT / "docs" / "pipelines.md").read_text()
CONSTRUCTS = (ROOT / "docs" / "constructs.md").read_text()
SETTINGS = (ROOT / "docs" / "settings.md").read_text()
DEPLOYING = (ROOT / "docs" / "deploying.md").read_text()
ALL = [README, CLI, PIPELINES, CONSTRUCTS, SETTINGS, DEPLOYING]


def test_mermaid_pictures_are_generated_by_the_command() -> None:
    model = load_deploy_file(EXAMPLE / "deploy.spryker-demo-staging.yml")
    pictures = [p for text in ALL for p in re.findall(r"```mermaid\n(.*?)```", text, re.S)]
    assert pictures == [plan_mermaid(build_environment_plan(model))]


def test_every_finding_code_is_documented() -> None:
    for code, (severity, meaning) in CODES.items():
        assert f"| {code} | {severity.value} | {meaning} |" in CLI


def test_the_cdk_json_key_list_is_the_schema() -> None:
    from sccos_pipeline.app.schema import schema

    section = SETTINGS[
        SETTINGS.index("Keys per environment") : SETTINGS.index("The bundled example")
    ]
    named = set(re.findall(r"[A-Za-z0-9-]+", section))
    defs = schema()["$defs"]
    environment = defs["environment"]["properties"]
    keys = {
        *environment,
        *defs["source"]["properties"],
        *environment["vpc"]["properties"],
        *environment["broker"]["properties"],
        *defs["hook"]["properties"],
        *defs["hook"]["properties"]["computeType"]["enum"],
        *environment["hooks"]["properties"],
        *defs["source"]["properties"]["type"]["enum"],
    }
    assert sorted(keys - named) == []


def test_the_settings_table_is_the_declared_options() -> None:
    from sccos_pipeline.core.options import markdown_table

    start = SETTINGS.index("<!-- options table: generated, do not edit by hand -->\n")
    end = SETTINGS.index("<!-- end of options table -->")
    table = SETTINGS[start:end].split("\n", 1)[1]
    assert table == markdown_table()


def _section(text: str, heading: str) -> str:
    start = text.index(f"{heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def _blocks(section: str, language: str) -> list[str]:
    return re.findall(rf"^ *```{language}\n(.*?)^ *```", section, re.S | re.M)


@pytest.mark.timeout(600)  # a cold mypy cache reads all of aws_cdk's stubs
def test_escape_hatch_snippet_passes_mypy_strict(tmp_path: Path) -> None:
    [snippet, *_] = _blocks(_section(CONSTRUCTS, "## Escape hatches"), "python")
    (tmp_path / "escape_hatch.py").write_text(snippet)
    # From the project root: its mypy settings, and the cache `make typecheck` fills.
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", str(tmp_path / "escape_hatch.py")],
        cwd=ROOT,
        env={**os.environ, "MYPYPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_minimal_environment_of_the_deploying_section_is_valid() -> None:
    from sccos_pipeline.app.settings import CONTEXT_KEY, read_settings

    [block] = _blocks(_section(DEPLOYING, "# Deploying for real"), "json")
    context = json.loads(textwrap.dedent(block))["context"]
    [environment] = read_settings(context[CONTEXT_KEY])
    assert environment.name == "acme-b2c-staging"


@pytest.mark.skipif(not CDK.exists(), reason="run `make setup` first")
@pytest.mark.timeout(600)
def test_the_minimal_environment_synthesizes_with_strict(tmp_path: Path) -> None:
    """The least environment of docs/deploying.md, in a checkout's cdk.json beside the shop it names
    (`../b2c-shop/...`, the bundled example's deploy file), passes the `cdk synth --strict`
    that the page recommends: no warning of ours nor of aws-cdk-lib."""
    [block] = _blocks(_section(DEPLOYING, "# Deploying for real"), "json")
    environments = json.loads(textwrap.dedent(block))["context"]["sccos-pipeline:environments"]
    checkout, shop = tmp_path / "checkout", tmp_path / "b2c-shop"
    checkout.mkdir()
    shop.mkdir()
    deploy_file = (EXAMPLE / "deploy.spryker-demo-staging.yml").read_text()
    (shop / "deploy.acme-b2c-staging.yml").write_text(deploy_file)
    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    context["sccos-pipeline:environments"] = environments
    app = f"{sys.executable} {ROOT / 'app.py'}"
    (checkout / "cdk.json").write_text(json.dumps({"app": app, "context": context}))
    done = subprocess.run(
        [str(CDK), "synth", "--strict", "--no-notices", "--quiet", "-o", str(tmp_path / "out")],
        cwd=checkout,
        env=offline_env(PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        check=False,
        timeout=500,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "WARNING" not in done.stderr
    assert (tmp_path / "out" / "sccos-acme-b2c-staging.template.json").is_file()


def test_the_deploying_section_names_the_cdk_commands() -> None:
    section = _section(DEPLOYING, "# Deploying for real")
    for command in (
        "npx cdk bootstrap aws://111122223333/eu-central-1",
        "npx cdk diff sccos-acme-b2c-staging",
        "npx cdk deploy sccos-acme-b2c-staging",
    ):
        assert f"`{command}`" in section


WORKFLOW = ROOT / "examples" / "ci" / "github-actions.yml"


def test_the_ci_workflow_runs_what_the_docs_say() -> None:
    section = _section(DEPLOYING, "## Continuous integration")
    assert "(../examples/ci/github-actions.yml)" in section
    [commands] = _blocks(section, "sh")
    said = [line.split("#")[0].strip() for line in commands.splitlines()]
    workflow = yaml.safe_load(WORKFLOW.read_text())
    # PyYAML reads YAML 1.1, where the key `on:` is True.
    assert set(workflow) == {"name", True, "permissions", "env", "jobs"}
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    runs = [line.strip() for step in steps for line in step.get("run", "").splitlines()]
    assert [command for command in said if command not in runs] == []
    # The SARIF log validate writes is the one uploaded, even when validate fails.
    [upload] = [
        s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")
    ]
    assert f"> {upload['with']['sarif_file']}" in said[0]
    assert upload["if"] == "success() || failure()"
    [validate] = [j for j in workflow["jobs"].values() if upload in j["steps"]]
    assert validate["permissions"]["security-events"] == "write"
    for job in workflow["jobs"].values():
        assert job["runs-on"] and job["timeout-minutes"] > 0
        assert job["steps"][0]["uses"].startswith("actions/checkout@")
