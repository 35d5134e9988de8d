"""The report against the plan: per execution, each planned action of its pipeline and what
happened to it, and where the template and the plan differ. Expected values are literal."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sccos_pipeline.rehearsal.against_plan import compare
from sccos_pipeline.rehearsal.codepipeline.execution import Execution
from sccos_pipeline.rehearsal.report import report_json, report_text
from sccos_pipeline.rehearsal.session import Rehearsal
from sccos_pipeline.rehearsal.world.rabbitmq import RabbitMQ
from tests.rehearsal.conftest import EXAMPLE_STACK, edit_assembly, needs_rabbitmq

NORMAL = "NORMAL_Deploy_Spryker_spryker-demo-staging"


def test_the_plan_order_with_the_templates_own_actions_after_their_predecessor() -> None:
    planned = [("Source", "Source"), ("Build", "Build"), ("Build", "Read"), ("Deploy", "web")]
    actual = [("Source", "Source"), ("Check", "Lint"), ("Build", "Build"), ("Deploy", "web"),
              ("Deploy", "api"), ("Smoke", "Smoke")]  # fmt: skip
    outcomes = {("Source", "Source"): "Succeeded", ("Check", "Lint"): "Succeeded",
                ("Build", "Build"): "Failed"}  # fmt: skip
    assert compare(planned, actual, outcomes) == [
        {"stage": "Source", "action": "Source", "status": "succeeded"},
        {"stage": "Check", "action": "Lint", "status": "not in the plan", "ran": "succeeded"},
        {"stage": "Build", "action": "Build", "status": "failed"},
        {"stage": "Build", "action": "Read", "status": "missing from the template"},
        {"stage": "Deploy", "action": "web", "status": "not reached"},
        {"stage": "Deploy", "action": "api", "status": "not in the plan", "ran": "not reached"},
        {"stage": "Smoke", "action": "Smoke", "status": "not in the plan", "ran": "not reached"},
    ]


@pytest.fixture(scope="module")
def reports(example_assembly: Path, broker: RabbitMQ) -> Iterator[tuple[str, dict[str, Any]]]:
    """A first deployment, then a run by hand naming a version never built (refused)."""
    with Rehearsal(example_assembly, EXAMPLE_STACK, rabbit=broker) as rehearsal:
        executions = [
            rehearsal.start().run(),
            rehearsal.start(trigger="manual", variables={"DESIRED_VERSION": "0123abc"}).run(),
        ]
        state = rehearsal.state()
    assert [e.status for e in executions] == ["Succeeded", "Failed"]
    text = report_text("report", executions, state)
    yield text, json.loads(report_json("report", executions, state))


def against_the_plan(text: str, execution: int) -> list[str]:
    """The `against the plan` lines of the report's nth execution."""
    block = text.split("\nNORMAL_Deploy_Spryker_")[1 + execution]
    lines = block.split("  against the plan:\n", 1)[1].split("\n")
    return lines[: next(i for i, line in enumerate(lines) if not line.startswith("    "))]


@pytest.mark.scenario
@needs_rabbitmq
def test_a_successful_run_against_the_plan(reports: tuple[str, dict[str, Any]]) -> None:
    text, report = reports
    assert report["runs"][0]["plan"] == [
        {"stage": "Source", "action": "Source", "status": "succeeded"},
        {"stage": "Prepare_versions_information_for_Approval_stage",
         "action": "Prepare_versions_information_for_Approval_stage", "status": "succeeded"},
        {"stage": "Please_approve", "action": "Approve", "status": "succeeded"},
        {"stage": "Build_and_Prepare", "action": "Build_and_Prepare", "status": "succeeded"},
        {"stage": "Build_and_Prepare", "action": "Read_hook_variables", "status": "succeeded"},
        {"stage": "Configure_RabbitMQ_Vhosts_and_Permissions",
         "action": "Configure_RabbitMQ_Vhosts_and_Permissions", "status": "succeeded"},
        {"stage": "Run_pre-deploy_hook", "action": "Run_pre-deploy_hook", "status": "succeeded"},
        {"stage": "Deploy_Scheduler", "action": "jenkins", "status": "succeeded"},
        {"stage": "Run_install", "action": "Run_install", "status": "succeeded"},
        {"stage": "Deploy_Spryker_services", "action": "boffice_eu", "status": "succeeded"},
        {"stage": "Deploy_Spryker_services", "action": "backgw_eu", "status": "succeeded"},
        {"stage": "Deploy_Spryker_services", "action": "yves_eu", "status": "succeeded"},
        {"stage": "Deploy_Spryker_services", "action": "glue_eu", "status": "succeeded"},
        {"stage": "Deploy_Spryker_services", "action": "frontend", "status": "succeeded"},
        {"stage": "UpdateDeployedVersion", "action": "UpdateDeployedVersion",
         "status": "succeeded"},
        {"stage": "Run_post-deploy_hook", "action": "Run_post-deploy_hook", "status": "succeeded"},
    ]  # fmt: skip
    assert against_the_plan(text, 0) == [
        "    succeeded                 Source / Source",
        "    succeeded                 Prepare_versions_information_for_Approval_stage / "
        "Prepare_versions_information_for_Approval_stage",
        "    succeeded                 Please_approve / Approve",
        "    succeeded                 Build_and_Prepare / Build_and_Prepare",
        "    succeeded                 Build_and_Prepare / Read_hook_variables",
        "    succeeded                 Configure_RabbitMQ_Vhosts_and_Permissions / "
        "Configure_RabbitMQ_Vhosts_and_Permissions",
        "    succeeded                 Run_pre-deploy_hook / Run_pre-deploy_hook",
        "    succeeded                 Deploy_Scheduler / jenkins",
        "    succeeded                 Run_install / Run_install",
        "    succeeded                 Deploy_Spryker_services / boffice_eu",
        "    succeeded                 Deploy_Spryker_services / backgw_eu",
        "    succeeded                 Deploy_Spryker_services / yves_eu",
        "    succeeded                 Deploy_Spryker_services / glue_eu",
        "    succeeded                 Deploy_Spryker_services / frontend",
        "    succeeded                 UpdateDeployedVersion / UpdateDeployedVersion",
        "    succeeded                 Run_post-deploy_hook / Run_post-deploy_hook",
    ]


@pytest.mark.scenario
@needs_rabbitmq
def test_a_failed_run_against_the_plan(reports: tuple[str, dict[str, Any]]) -> None:
    text, report = reports
    # The last execution is the report's top level; the existing keys stay.
    assert list(report) == ["pipeline", "execution", "status", "trigger", "variables", "steps",
                            "approval", "plan", "scenario", "runs", "state"]  # fmt: skip
    assert report["plan"] == report["runs"][1]["plan"]
    assert [(e["stage"], e["action"], e["status"]) for e in report["plan"]] == [
        ("Source", "Source", "succeeded"),
        ("Prepare_versions_information_for_Approval_stage",
         "Prepare_versions_information_for_Approval_stage", "failed"),
        ("Please_approve", "Approve", "not reached"),
        ("Build_and_Prepare", "Build_and_Prepare", "not reached"),
        ("Build_and_Prepare", "Read_hook_variables", "not reached"),
        ("Configure_RabbitMQ_Vhosts_and_Permissions",
         "Configure_RabbitMQ_Vhosts_and_Permissions", "not reached"),
        ("Run_pre-deploy_hook", "Run_pre-deploy_hook", "not reached"),
        ("Deploy_Scheduler", "jenkins", "not reached"),
        ("Run_install", "Run_install", "not reached"),
        ("Deploy_Spryker_services", "boffice_eu", "not reached"),
        ("Deploy_Spryker_services", "backgw_eu", "not reached"),
        ("Deploy_Spryker_services", "yves_eu", "not reached"),
        ("Deploy_Spryker_services", "glue_eu", "not reached"),
        ("Deploy_Spryker_services", "frontend", "not reached"),
        ("UpdateDeployedVersion", "UpdateDeployedVersion", "not reached"),
        ("Run_post-deploy_hook", "Run_post-deploy_hook", "not reached"),
    ]  # fmt: skip
    assert against_the_plan(text, 1)[:4] == [
        "    succeeded                 Source / Source",
        "    failed                    Prepare_versions_information_for_Approval_stage / "
        "Prepare_versions_information_for_Approval_stage",
        "    not reached               Please_approve / Approve",
        "    not reached               Build_and_Prepare / Build_and_Prepare",
    ]


def smoke_test_instead_of_post_deploy(template: dict[str, Any]) -> None:
    """NORMAL with a stage an escape hatch added (a second check of the deployed version) and
    without the post-deploy hook's stage."""
    [pipeline] = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::CodePipeline::Pipeline" and r["Properties"]["Name"] == NORMAL
    ]
    stages = pipeline["Stages"]
    [record] = [s for s in stages if s["Name"] == "UpdateDeployedVersion"]
    smoke = copy.deepcopy(record)
    smoke["Name"] = smoke["Actions"][0]["Name"] = "Smoke_test"
    stages.insert(stages.index(record) + 1, smoke)
    pipeline["Stages"] = [s for s in stages if s["Name"] != "Run_post-deploy_hook"]


@pytest.mark.scenario
@needs_rabbitmq
@pytest.mark.timeout(600)
def test_an_action_the_plan_does_not_have_is_reported(
    example_assembly: Path, broker: RabbitMQ, tmp_path: Path
) -> None:
    edited = edit_assembly(
        example_assembly, tmp_path / "out", template=smoke_test_instead_of_post_deploy
    )
    with Rehearsal(edited, EXAMPLE_STACK, rabbit=broker) as rehearsal:
        execution: Execution = rehearsal.start().run()
        state = rehearsal.state()
    assert execution.status == "Succeeded"
    report = json.loads(report_json("edited", [execution], state))
    assert report["plan"][-3:] == [
        {"stage": "UpdateDeployedVersion", "action": "UpdateDeployedVersion",
         "status": "succeeded"},
        {"stage": "Smoke_test", "action": "Smoke_test", "status": "not in the plan",
         "ran": "succeeded"},
        {"stage": "Run_post-deploy_hook", "action": "Run_post-deploy_hook",
         "status": "missing from the template"},
    ]  # fmt: skip
    assert against_the_plan(report_text("edited", [execution], state), 0)[-3:] == [
        "    succeeded                 UpdateDeployedVersion / UpdateDeployedVersion",
        "    not in the plan           Smoke_test / Smoke_test (ran: succeeded)",
        "    missing from the template Run_post-deploy_hook / Run_post-deploy_hook",
    ]
