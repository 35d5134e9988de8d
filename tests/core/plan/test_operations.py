"""The plans of the pipelines operators start by hand: Maintenance_Enable/Disable and
Rollout_Scheduler (their behaviour end to end: tests/rehearsal/test_operations.py)."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import yaml

from sccos_pipeline.core.deployfile.loader import load_deploy_file
from sccos_pipeline.core.deployfile.model import DeployModel
from sccos_pipeline.core.plan.builder import PLANNED, build_environment_plan
from sccos_pipeline.core.plan.hook_buildspec import MAX_INLINE_BUILDSPEC
from sccos_pipeline.core.plan.model import EnvironmentPlan, PlanOptions
from sccos_pipeline.core.stages import PipelineKind
from tests.conftest import MINIMAL, write_project


def model(tmp_path: Path) -> DeployModel:
    write_project(tmp_path, {"deploy.yml": MINIMAL})
    return load_deploy_file(tmp_path / "deploy.yml")


def plan(tmp_path: Path, **options: Any) -> EnvironmentPlan:
    return build_environment_plan(model(tmp_path), PlanOptions(**options))


def outline(found: EnvironmentPlan, kind: PipelineKind) -> list[tuple[str, str, str]]:
    """(stage, action kind, project or service) of a pipeline."""
    return [
        (s.name, a.kind.value, a.project or a.service or "")
        for s in found.pipeline(kind).stages
        for a in s.actions
    ]


def permissions(found: EnvironmentPlan, key: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(actions, `on` references as the plan's JSON spells them) of a project."""
    return [(p.actions, tuple(map(str, p.on))) for p in found.projects[key].permissions]


def test_every_operator_pipeline_is_planned_and_started_by_hand(tmp_path: Path) -> None:
    assert PLANNED[3:6] == (
        PipelineKind.MAINTENANCE_ENABLE,
        PipelineKind.MAINTENANCE_DISABLE,
        PipelineKind.ROLLOUT_SCHEDULER,
    )
    found = plan(tmp_path)
    names = {p.kind.value: (p.name, p.on_push) for p in found.pipelines}
    assert names["maintenance-enable"] == ("Maintenance_Enable_shop", False)
    assert names["maintenance-disable"] == ("Maintenance_Disable_shop", False)
    assert names["rollout-scheduler"] == ("Rollout_Scheduler_shop", False)


def test_both_maintenance_pipelines_run_one_project_with_their_mode(tmp_path: Path) -> None:
    found = plan(tmp_path)
    for kind, mode in (
        (PipelineKind.MAINTENANCE_ENABLE, "true"),
        (PipelineKind.MAINTENANCE_DISABLE, "false"),
    ):
        assert outline(found, kind) == [
            ("Source", "source", ""),
            ("Switch_maintenance_mode", "build", "Maintenance"),
        ]
        [action] = found.pipeline(kind).stages[1].actions
        assert action.variables == {
            "SCCOS_MAINTENANCE": mode,
            "SCCOS_PIPELINE": found.pipeline(kind).name,
            "SCCOS_EXECUTION_ID": "#{codepipeline.PipelineExecutionId}",
        }
    project = found.projects["Maintenance"]
    assert project.name == "Switch_maintenance_mode_for_shop"
    assert {v.name: v.value for v in project.variables} == {
        "SCCOS_CLUSTER": "shop",
        "SCCOS_SERVICE": "shop-frontend",
        "SCCOS_CONTAINER": "frontend",
    }
    assert permissions(found, "Maintenance") == [
        (("ecs:DescribeServices",), ("service:frontend",)),
        (("ecs:UpdateService",), ("service:frontend",)),
        (("ecs:DescribeTaskDefinition",), ("*",)),
        (("ecs:RegisterTaskDefinition",), ("task-definition:frontend",)),
        (("ecs:TagResource",), ("task-definition:frontend",)),
        (("iam:PassRole",), ("task-roles",)),
        (
            ("codepipeline:GetPipelineExecution",),
            ("pipeline:maintenance-enable", "pipeline:maintenance-disable"),
        ),
    ]


def test_scheduler_rollout_deploys_jenkins_then_sets_it_up(tmp_path: Path) -> None:
    found = plan(tmp_path)
    assert outline(found, PipelineKind.ROLLOUT_SCHEDULER) == [
        ("Source", "source", ""),
        ("Prepare_scheduler_rollout", "build", "SchedulerRollout"),
        ("Deploy_Scheduler", "ecs-deploy", "jenkins"),
        ("Setup_scheduler", "build", "HookVariables"),
        ("Setup_scheduler", "build", "SchedulerSetup"),
    ]
    _, prepare, deploy, setup = found.pipeline(PipelineKind.ROLLOUT_SCHEDULER).stages
    assert (prepare.actions[0].outputs, prepare.actions[0].namespace) == (
        ("SchedulerImage",),
        "Rollout",
    )
    assert (deploy.actions[0].inputs, deploy.actions[0].text) == (
        ("SchedulerImage",),
        "imagedefinitions-jenkins.json",
    )
    read, set_up = setup.actions
    assert (read.run_order, read.outputs) == (1, ("Variables",))
    assert (set_up.run_order, set_up.inputs) == (2, ("Source", "Variables"))
    assert set_up.variables == {"SCCOS_EXPECTED_VERSION": "#{Rollout.RUNNING_VERSION}"}
    rollout, setup_project = found.projects["SchedulerRollout"], found.projects["SchedulerSetup"]
    assert rollout.name == "Prepare_scheduler_rollout_for_shop"
    assert rollout.buildspec["env"]["exported-variables"] == ["RUNNING_VERSION"]
    assert rollout.buildspec["artifacts"] == {"files": ["imagedefinitions-jenkins.json"]}
    assert permissions(found, "SchedulerRollout") == [
        (("ssm:GetParameter", "ssm:GetParameters"), ("parameter:last_deployed_version",)),
        (("ecr:DescribeImages",), ("repository:jenkins",)),
        (("codepipeline:GetPipelineExecution",), ("pipeline:rollout-scheduler",)),
        (("codepipeline:StopPipelineExecution",), ("pipeline:rollout-scheduler",)),
    ]
    assert (setup_project.name, setup_project.image, setup_project.in_vpc) == (
        "Setup_scheduler_for_shop",
        "hook:sccos-deployed",
        True,
    )
    assert setup_project.permissions == ()
    script = setup_project.buildspec["phases"]["build"]["commands"][0]
    assert script.endswith('cd "$SCCOS_APP_DIR"\nvendor/bin/console scheduler:setup -vvv --no-ansi')
    assert 'if [ "${SPRYKER_BUILD_HASH:-}" != "$SCCOS_EXPECTED_VERSION" ]; then' in script
    assert 'SCCOS_VARIABLES_FILE="${CODEBUILD_SRC_DIR_Variables:-}/hook-variables.sh"' in script


def test_buildspecs_fit_codebuild_inline(tmp_path: Path) -> None:
    found = plan(tmp_path)
    for key in ("Maintenance", "SchedulerRollout", "SchedulerSetup"):
        text = yaml.safe_dump(dict(found.projects[key].buildspec), width=1 << 16)
        assert len(text) < MAX_INLINE_BUILDSPEC, key


def test_the_maintenance_step_sets_the_mode_and_nothing_else(tmp_path: Path) -> None:
    """SPRYKER_MAINTENANCE_MODE_ENABLED is the one variable the maintenance pipelines change;
    SCCOS's reserved ALLOWED_IP is no option of the plan (Spryker's "Configure access to
    applications in maintenance mode": "To allow access from particular IP addresses, define
    them in the needed deploy file.")."""
    found = plan(tmp_path)
    [script] = found.projects["Maintenance"].buildspec["phases"]["build"]["commands"]
    assert [line.strip() for line in script.splitlines() if '--set "' in line] == [
        '--set "SPRYKER_MAINTENANCE_MODE_ENABLED=$enabled"'
    ]
    assert "SCCOS_ALLOWED_IP" not in script
    assert "maintenance_allowed_ips" not in {f.name for f in fields(PlanOptions)}
