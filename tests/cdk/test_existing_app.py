"""The example of using the constructs in an app of one's own synthesizes as documented."""

from __future__ import annotations

import importlib.util

from aws_cdk import App, assertions

from tests.conftest import ROOT


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
