"""The example of using the constructs in an app of one's own synthesizes as documented."""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from aws_cdk import App, assertions

from tests.conftest import CDK, ROOT, offline_env


def test_existing_app_example() -> None:
    spec = importlib.util.spec_from_file_location(
        "existing_app", ROOT / "examples/existing_app/app.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    stack = module.build(App())
    template = assertions.Template.from_stack(stack)
    template.resource_count_is("AWS::CodePipeline::Pipeline", 1)
    template.has_resource_properties(
        "AWS::CodePipeline::Pipeline", {"Name": "NORMAL_Deploy_Spryker_shop-production"}
    )
    template.has_resource_properties(
        "AWS::CodeBuild::Project", {"Name": "Run_install_for_shop-production"}
    )
    template.resource_count_is("AWS::EC2::VPC", 1)  # the user's own network, not ours
    assert stack.sccos.destructive_pipeline is None


@pytest.mark.skipif(not CDK.exists(), reason="run `make setup` first")
@pytest.mark.timeout(600)
def test_the_readme_command_synthesizes_the_example_offline(tmp_path: Path) -> None:
    """The README's own command, as it is written, by the real CDK CLI (`npx cdk` is
    node_modules/.bin/cdk), from the repository root, with no credentials: no lookup may be
    needed. Only the output folder differs, so the repository's cdk.out is left alone."""
    readme = (ROOT / "README.md").read_text()
    [command] = re.findall(r"^npx (cdk synth --app .*examples/existing_app/app\.py.*)$", readme,
                           re.M)  # fmt: skip
    env = offline_env()
    [_, *arguments] = shlex.split(command)
    done = subprocess.run(
        [str(CDK), *arguments, "--no-notices", "--quiet", "-o", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=500,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    template = json.loads((tmp_path / "Shop.template.json").read_text())
    names = [r["Properties"].get("Name") for r in template["Resources"].values()
             if r["Type"] == "AWS::CodePipeline::Pipeline"]  # fmt: skip
    assert names == ["NORMAL_Deploy_Spryker_shop-production"]
