"""The permissions' `on` references are types; the plan spells them as before."""

from __future__ import annotations

from sccos_pipeline.core.plan.model import Permission, PlanProject
from sccos_pipeline.core.plan.references import (
    Parameter,
    Pipeline,
    Repository,
    Resources,
    Service,
    TaskDefinitions,
)
from sccos_pipeline.core.stages import PipelineKind


def test_each_reference_is_spelt_as_the_plan_s_json_shows_it() -> None:
    spelt = [
        str(r)
        for r in (
            Resources.ANY,
            Resources.TASK_ROLES,
            Resources.HOOK_SECRETS_SSM,
            Repository("jenkins"),
            Service("frontend"),
            TaskDefinitions("frontend"),
            Parameter("desired_version"),
            Pipeline(PipelineKind.ECS_UPDATER),
        )
    ]
    assert spelt == [
        "*",
        "task-roles",
        "hook-secrets:ssm",
        "repository:jenkins",
        "service:frontend",
        "task-definition:frontend",
        "parameter:desired_version",
        "pipeline:ecs-updater",
    ]


def test_the_plan_json_carries_the_spelling() -> None:
    project = PlanProject(
        "Key",
        "Name",
        "runs",
        {},
        permissions=(Permission(("ecr:PutImage",), (Repository("jenkins"), Resources.ANY), "why"),),
    )
    assert project.to_json()["permissions"][0]["on"] == ["repository:jenkins", "*"]
