"""Rehearsal scenarios of Spryker's variables: ECS-updater brings a Parameter Store change to the
services, and the hooks see what the back office sees.

Spryker's "Add variables in the Parameter Store" (paths, buckets, reserved names) and its
deployment-pipelines doc ("all Zed environment variables are accessible" to the hooks).
Expected values are written out literally.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sccos_pipeline.rehearsal.session import Rehearsal
from sccos_pipeline.rehearsal.world.rabbitmq import RabbitMQ
from tests.rehearsal.conftest import EXAMPLE_STACK, needs_rabbitmq

pytestmark = [needs_rabbitmq, pytest.mark.scenario, pytest.mark.timeout(900)]

PARAMETER = "arn:aws:ssm:eu-central-1:123456789012:parameter"
APPLICATIONS = (
    "spryker-demo-staging-boffice",
    "spryker-demo-staging-backgw",
    "spryker-demo-staging-yves",
    "spryker-demo-staging-glue",
    "spryker-demo-staging-frontend",
)
UPDATER_STEP = "Update_ECS_services/Update_ECS_services"


@pytest.fixture
def rehearsal(example_assembly: Path, broker: RabbitMQ) -> Iterator[Rehearsal]:
    with Rehearsal(example_assembly, EXAMPLE_STACK, rabbit=broker) as session:
        yield session


def failures(execution: Any) -> list[str]:
    return [s.message for s in execution.steps if s.message]


def give_the_back_office(
    rehearsal: Rehearsal, *, environment: dict[str, str], secrets: dict[str, str]
) -> None:
    """A new revision of the back office's task definition with these variables, running (as
    SCCOS's own infrastructure code would set them; the pipelines never write them)."""
    ecs = rehearsal.aws.admin("ecs")
    cluster, name = "spryker-demo-staging", "spryker-demo-staging-boffice"
    [service] = ecs.describe_services(cluster=cluster, services=[name])["services"]
    definition = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])[
        "taskDefinition"
    ]
    [container] = definition["containerDefinitions"]
    container["environment"] = [{"name": k, "value": v} for k, v in environment.items()]
    container["secrets"] = [{"name": k, "valueFrom": v} for k, v in secrets.items()]
    revision = ecs.register_task_definition(
        family=definition["family"],
        taskRoleArn=definition["taskRoleArn"],
        containerDefinitions=[container],
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.update_service(cluster=cluster, service=name, taskDefinition=revision)


def test_ecs_updater_brings_a_parameter_to_the_application_services(
    rehearsal: Rehearsal,
) -> None:
    """A variable of the `app` bucket reaches every application service (and frontend) as a
    secret naming its parameter, and each service restarts to read it; Jenkins reads the
    `scheduler` bucket, so it does not get it."""
    rehearsal.set_parameters({"/spryker-demo/staging/config/app/public/MAIL_HOST": "mail.local"})
    execution = rehearsal.start("ecs-updater", trigger="manual").run()
    assert execution.status == "Succeeded", failures(execution)
    services = rehearsal.state()["ecs_services"]
    for name in APPLICATIONS:
        assert services[name]["secrets"] == {
            "MAIL_HOST": f"{PARAMETER}/spryker-demo/staging/config/app/public/MAIL_HOST"
        }, name
        assert services[name]["taskDefinition"] == f"{name}:2"
        assert [d["forceNewDeployment"] for d in services[name]["deployments"]] == [True]
    jenkins = services["spryker-demo-staging-jenkins"]
    assert jenkins["secrets"] == {}
    assert jenkins["taskDefinition"] == "spryker-demo-staging-jenkins:1"  # nothing to register
    assert jenkins["deployments"] == [
        {
            "step": jenkins["deployments"][0]["step"],
            "taskDefinition": "spryker-demo-staging-jenkins:1",
            "forceNewDeployment": True,
        }
    ]
    assert jenkins["deployments"][0]["step"].startswith(UPDATER_STEP)
    log = execution.steps[-1].log
    assert "The variables of /spryker-demo/staging follow Spryker's rules" in log
    assert "Stable: spryker-demo-staging-boffice spryker-demo-staging-backgw" in log


def test_a_reserved_name_refuses_the_run_before_any_service_changes(
    rehearsal: Rehearsal,
) -> None:
    rehearsal.set_parameters(
        {
            "/spryker-demo/staging/config/app/public/MAIL_HOST": "mail.local",
            "/spryker-demo/staging/config/common/public/SPRYKER_FOO": "x",
        }
    )
    execution = rehearsal.start("ecs-updater", trigger="manual").run()
    assert execution.status == "Failed"
    [step] = [s for s in execution.steps if s.stage == "Update_ECS_services"]
    assert (
        "/spryker-demo/staging/config/common/public/SPRYKER_FOO: SPRYKER_FOO is reserved by "
        "Spryker (every SPRYKER_* name)"
    ) in step.message
    assert "No service was changed" in step.message
    services = rehearsal.state()["ecs_services"]
    assert {n: s["deployments"] for n, s in services.items()} == {
        name: [] for name in (*APPLICATIONS, "spryker-demo-staging-jenkins")
    }


def test_an_ecs_updater_started_by_its_creation_changes_nothing(rehearsal: Rehearsal) -> None:
    rehearsal.set_parameters({"/spryker-demo/staging/config/app/public/MAIL_HOST": "mail.local"})
    execution = rehearsal.start("ecs-updater", trigger="manual")
    execution.trigger = {"triggerType": "CreatePipeline", "triggerDetail": "rehearsal"}
    execution.run()
    assert execution.status == "Succeeded", failures(execution)
    assert "Started by the creation of ECS-updater-spryker-demo-staging" in (
        execution.steps[-1].log
    )
    services = rehearsal.state()["ecs_services"]
    assert all(not s["deployments"] for s in services.values())


def test_hooks_see_the_back_office_variables_and_the_settings_win(rehearsal: Rehearsal) -> None:
    """Only the back-office task definition sets ZED_ONLY and DB_PASSWORD (a secret outside
    the tree, readable because the settings name its parameter); the tree's `app` bucket
    gives API_KEY. The task definition's SPRYKER_DB_HOST loses to the settings'
    zedEnvironment, which the hook project sets."""
    give_the_back_office(
        rehearsal,
        environment={
            "ZED_ONLY": "from the task definition",
            "SPRYKER_DB_HOST": "task-definition.example",
        },
        secrets={"DB_PASSWORD": "/spryker-demo-staging/database/password"},
    )
    rehearsal.set_parameters({"/spryker-demo/staging/secret/app/public/API_KEY": "k-123"})
    rehearsal.set_knobs(record_env=["ZED_ONLY", "DB_PASSWORD", "API_KEY", "SPRYKER_DB_HOST"])
    execution = rehearsal.start().run()
    assert execution.status == "Succeeded", failures(execution)
    [install] = [c for c in rehearsal.standin_calls() if c["program"] == "vendor/bin/install"]
    seen = {k: v for k, v in install["env"].items() if k != "SPRYKER_BUILD_HASH"}
    assert seen == {
        "ZED_ONLY": "from the task definition",
        "DB_PASSWORD": "rehearsal-value",
        "API_KEY": "k-123",
        "SPRYKER_DB_HOST": "spryker-demo-staging.cluster-abcdefghijkl.eu-central-1.rds.amazonaws.com",
        "SPRYKER_PIPELINE_TYPE": "normal",
        "SPRYKER_PROJECT_NAME": "spryker-demo-staging",
    }
    [read] = [s for s in execution.steps if s.action == "Read_hook_variables"]
    assert "API_KEY from /spryker-demo/staging/secret/app/public/API_KEY" in read.log
    assert "k-123" not in read.log  # names only, never a value


def test_a_back_office_secret_outside_the_tree_and_the_settings_fails_naming_it(
    rehearsal: Rehearsal,
) -> None:
    """The step may read the tree and what the settings name, nothing else: a task definition
    secret elsewhere stops the run before any hook, naming the parameter."""
    give_the_back_office(rehearsal, environment={}, secrets={"OTHER": "/not-ours/secret"})
    rehearsal.set_parameters({"/not-ours/secret": "v"})
    execution = rehearsal.start().run()
    assert execution.status == "Failed"
    assert (execution.steps[-1].stage, execution.steps[-1].action) == (
        "Build_and_Prepare",
        "Read_hook_variables",
    )
    message = execution.steps[-1].message
    assert (
        f"is not authorized to perform: ssm:GetParameters on resource: {PARAMETER}/not-ours/secret"
    ) in message
    assert "name it in the settings' secrets" in message
    assert not [c for c in rehearsal.standin_calls() if c["program"].startswith("vendor/bin/")]
