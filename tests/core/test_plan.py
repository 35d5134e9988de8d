"""The plan: the 12 steps in order, what each runs and on which image."""

from __future__ import annotations

from pathlib import Path

from sccos_pipeline.core import naming
from sccos_pipeline.core.loader import load_deploy_file
from sccos_pipeline.core.plan import build_plan, hook_image_name, plan_mermaid, plan_text
from sccos_pipeline.core.stages import PipelineType
from tests.conftest import MINIMAL, write_project


def model(tmp_path: Path):  # type: ignore[no-untyped-def]
    write_project(tmp_path, {"deploy.yml": MINIMAL})
    return load_deploy_file(tmp_path / "deploy.yml")


def test_steps_in_order_with_configuration_steps_left_out(tmp_path: Path) -> None:
    plan = build_plan(model(tmp_path), PipelineType.NORMAL)
    assert tuple(s.name for s in plan.steps) == naming.STEPS
    assert [s.name for s in plan.steps if not s.included] == [
        "Pre_Deployment_Configuration",
        "Post_Deployment_Configuration",
    ]
    with_commands = build_plan(
        model(tmp_path), PipelineType.NORMAL, pre_deployment_commands=["echo pre"]
    )
    assert [s.name for s in with_commands.steps if not s.included] == [
        "Post_Deployment_Configuration"
    ]


def test_hooks_run_on_the_right_image(tmp_path: Path) -> None:
    the_model = model(tmp_path)
    assert hook_image_name(the_model) == "boffice_eu"
    steps = {s.name: s for s in build_plan(the_model, PipelineType.DESTRUCTIVE).steps}
    assert "running now" in steps["Run_pre-deploy_hook"].image
    assert "just built" in steps["Run_install"].image
    assert "now active" in steps["Run_post-deploy_hook"].image
    assert steps["Run_install"].project == "Run_install_for_shop"
    assert steps["Run_install"].commands == (
        "vendor/bin/install -r destructive --no-ansi -vvv",
        "vendor/bin/console scheduler:setup -vvv --no-ansi",
    )
    assert "reset" in steps["Configure_RabbitMQ_Vhosts_and_Permissions"].runs
    assert steps["Deploy_Spryker_services"].parallel == (
        "shop-yves_eu",
        "shop-boffice_eu",
        "shop-frontend",
    )


def test_text_and_mermaid(tmp_path: Path) -> None:
    plan = build_plan(model(tmp_path), PipelineType.NORMAL)
    text = plan_text(plan)
    assert text.startswith("shop-normal-deploy:\n")
    assert "  -  Pre_Deployment_Configuration: left out" in text
    mermaid = plan_mermaid(plan)
    assert mermaid.startswith("flowchart TD\n")
    assert mermaid.count("-->") == 9  # 10 included steps in a chain
