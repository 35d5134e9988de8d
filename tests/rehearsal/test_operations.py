"""Rehearsal scenarios of the pipelines operators start by hand: maintenance mode on and off
(Spryker's "Enable and disable maintenance mode") and the scheduler rollout.

ECS is read whole (every service's task definition, containers and tags), so "nothing else
changed" means exactly that. Expected values are written out literally.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sccos_pipeline.rehearsal.codepipeline.execution import Execution
from sccos_pipeline.rehearsal.session import Rehearsal
from sccos_pipeline.rehearsal.world.rabbitmq import RabbitMQ
from tests.rehearsal.conftest import EXAMPLE_STACK, needs_rabbitmq

pytestmark = [needs_rabbitmq, pytest.mark.scenario, pytest.mark.timeout(900)]

CLUSTER = "spryker-demo-staging"
FRONTEND = "spryker-demo-staging-frontend"
JENKINS = "spryker-demo-staging-jenkins"
TASK_DEFINITION = "arn:aws:ecs:eu-central-1:123456789012:task-definition"
BOOTSTRAP = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/bootstrap:none"
TAGS = {"team": "shop", "cost-center": "42"}
# SCCOS's own variable: the address of the AWS gateway, which real deploy files exclude from
# basic auth (`auth.exclude: ['${ALLOWED_IP}']`). Reserved: no pipeline may change it.
GATEWAY = "192.0.2.10"


@pytest.fixture
def rehearsal(example_assembly: Path, broker: RabbitMQ) -> Iterator[Rehearsal]:
    with Rehearsal(example_assembly, EXAMPLE_STACK, rabbit=broker) as session:
        yield session


def services(rehearsal: Rehearsal) -> dict[str, dict[str, Any]]:
    """Every service: the task definition it runs, its containers' images and variables, and
    the task definition's tags."""
    ecs = rehearsal.aws.admin("ecs")
    found = {}
    for target in rehearsal.description.services.values():
        [service] = ecs.describe_services(cluster=target["cluster"], services=[target["service"]])[
            "services"
        ]
        described = ecs.describe_task_definition(
            taskDefinition=service["taskDefinition"], include=["TAGS"]
        )
        found[target["service"]] = {
            "taskDefinition": service["taskDefinition"],
            "containers": {
                c["name"]: {
                    "image": c["image"],
                    "environment": {e["name"]: e["value"] for e in c.get("environment", [])},
                }
                for c in described["taskDefinition"]["containerDefinitions"]
            },
            "tags": {t["key"]: t["value"] for t in described.get("tags", [])},
        }
    return found


def tag_frontend(rehearsal: Rehearsal) -> None:
    """The frontend runs a tagged revision (SCCOS tags its resources) with SCCOS's reserved
    ALLOWED_IP, registered by hand as SCCOS's infrastructure code does."""
    ecs = rehearsal.aws.admin("ecs")
    [service] = ecs.describe_services(cluster=CLUSTER, services=[FRONTEND])["services"]
    running = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])
    definition = running["taskDefinition"]
    [container] = definition["containerDefinitions"]
    container["environment"] = [{"name": "ALLOWED_IP", "value": GATEWAY}]
    tagged = ecs.register_task_definition(
        family=definition["family"],
        taskRoleArn=definition["taskRoleArn"],
        containerDefinitions=[container],
        tags=[{"key": k, "value": v} for k, v in TAGS.items()],
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.update_service(cluster=CLUSTER, service=FRONTEND, taskDefinition=tagged)


def give_the_back_office(rehearsal: Rehearsal, environment: dict[str, str]) -> None:
    """A running revision of the back office with these variables (SCCOS's infrastructure code
    sets them; the pipelines only read them)."""
    ecs = rehearsal.aws.admin("ecs")
    service = "spryker-demo-staging-boffice"
    [running] = ecs.describe_services(cluster=CLUSTER, services=[service])["services"]
    definition = ecs.describe_task_definition(taskDefinition=running["taskDefinition"])
    [container] = definition["taskDefinition"]["containerDefinitions"]
    container["environment"] = [{"name": k, "value": v} for k, v in environment.items()]
    revision = ecs.register_task_definition(
        family=definition["taskDefinition"]["family"],
        taskRoleArn=definition["taskDefinition"]["taskRoleArn"],
        containerDefinitions=[container],
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.update_service(cluster=CLUSTER, service=service, taskDefinition=revision)


def denied(execution: Execution) -> list[tuple[str, str]]:
    return [
        (c.action, c.decision) for s in execution.steps for c in s.calls if c.decision != "Allowed"
    ]


def stages(execution: Execution) -> list[tuple[str, str]]:
    return [(s.stage, s.status) for s in execution.steps]


# Asked first under its old name and not granted; the new name is (see test_scenarios).
SOURCE_ONLY = [("codestar-connections:UseConnection", "ImplicitlyDenied")]


def test_maintenance_on_twice_then_off_changes_the_frontend_alone(rehearsal: Rehearsal) -> None:
    """Maintenance changes SPRYKER_MAINTENANCE_MODE_ENABLED of the frontend and nothing else:
    SCCOS's reserved ALLOWED_IP (the gateway's address) is the same before, during and after.

    Spryker's "Enable and disable maintenance mode"
    (https://docs.spryker.com/docs/ca/dev/manage-maintenance-mode/enable-and-disable-maintenance-mode.html):
    "To get access to the frontend applications in maintenance mode, you can allowlist the
    needed IP addresses. For instructions, see Configure access to applications in maintenance
    mode." That page
    (https://docs.spryker.com/docs/ca/dev/manage-maintenance-mode/configure-access-to-applications-in-maintenance-mode.html)
    allowlists them in the deploy file: "To allow access from particular IP addresses, define
    them in the needed deploy file." (`docker.maintenance.whitelist.ips`), then "Deploy the
    application with the updated configuration": a build, not a pipeline setting.
    """
    tag_frontend(rehearsal)
    before = services(rehearsal)
    others = {k: v for k, v in before.items() if k != FRONTEND}

    created = rehearsal.start("maintenance-enable", trigger="created").run()
    assert created.status == "Succeeded"
    assert (
        "Started by the creation of Maintenance_Enable_spryker-demo-staging: nothing to do. "
        "Start it by hand (Release change) when you need it." in created.steps[-1].log
    )
    assert services(rehearsal) == before

    enable = rehearsal.start("maintenance-enable", trigger="manual").run()
    assert enable.status == "Succeeded", [s.message for s in enable.steps]
    assert stages(enable) == [("Source", "Succeeded"), ("Switch_maintenance_mode", "Succeeded")]
    after = services(rehearsal)
    assert after.pop(FRONTEND) == {
        "taskDefinition": f"{TASK_DEFINITION}/{FRONTEND}:3",
        "containers": {
            "frontend": {
                "image": BOOTSTRAP,
                "environment": {
                    "ALLOWED_IP": "192.0.2.10",  # SCCOS's, as it was
                    "SPRYKER_MAINTENANCE_MODE_ENABLED": "1",  # what nginx compares with
                },
            }
        },
        "tags": TAGS,
    }
    assert after == others
    assert denied(enable) == SOURCE_ONLY
    # What the step printed after its commands: update_service's one change, and the new
    # revision.
    output = enable.steps[-1].log.split('--services "$SCCOS_SERVICE"\n', 1)[1]
    assert output.splitlines()[:3] == [
        "+ SPRYKER_MAINTENANCE_MODE_ENABLED=1",
        f"{FRONTEND}: now runs {TASK_DEFINITION}/{FRONTEND}:3",
        f"Waiting until {FRONTEND} is stable",
    ]

    again = rehearsal.start("maintenance-enable", trigger="manual").run()
    assert again.status == "Succeeded"
    assert (
        f"frontend: unchanged, no new revision of {TASK_DEFINITION}/{FRONTEND}:3"
        in again.steps[-1].log
    )
    assert services(rehearsal)[FRONTEND]["taskDefinition"] == f"{TASK_DEFINITION}/{FRONTEND}:3"

    disable = rehearsal.start("maintenance-disable", trigger="manual").run()
    assert disable.status == "Succeeded", [s.message for s in disable.steps]
    after = services(rehearsal)
    assert after.pop(FRONTEND) == {
        "taskDefinition": f"{TASK_DEFINITION}/{FRONTEND}:4",
        "containers": {
            "frontend": {
                "image": BOOTSTRAP,
                "environment": {
                    "ALLOWED_IP": "192.0.2.10",
                    "SPRYKER_MAINTENANCE_MODE_ENABLED": "0",
                },
            }
        },
        "tags": TAGS,
    }
    assert after == others
    assert denied(disable) == SOURCE_ONLY


def test_scheduler_rollout_redeploys_jenkins_on_the_running_version(
    rehearsal: Rehearsal,
) -> None:
    refused = rehearsal.start("rollout-scheduler", trigger="manual").run()
    assert refused.status == "Failed"
    assert stages(refused) == [("Source", "Succeeded"), ("Prepare_scheduler_rollout", "Failed")]
    assert (
        "Nothing to roll out: no version runs yet "
        "(/spryker-demo-staging/last_deployed_version is none). Deploy a version first: its "
        "Deploy_Scheduler deploys the scheduler too." in refused.steps[-1].message
    )

    running = rehearsal.source.head()
    assert rehearsal.start("normal").run().status == "Succeeded"
    rehearsal.source.commit("a change not deployed", {"src/next.txt": "next\n"})
    give_the_back_office(rehearsal, {"ZED_ONLY": "from the task definition"})
    rehearsal.set_knobs(record_env=["ZED_ONLY"])
    before = services(rehearsal)
    others = {k: v for k, v in before.items() if k != JENKINS}
    jenkins = before[JENKINS]
    assert jenkins["containers"]["jenkins"]["image"].endswith(f"/{JENKINS}:{running}")
    seen = len(rehearsal.standin_calls())

    created = rehearsal.start("rollout-scheduler", trigger="created").run()
    assert created.status == "Stopped"
    assert stages(created) == [("Source", "Succeeded"), ("Prepare_scheduler_rollout", "Succeeded")]
    assert created.stop_reason == (
        "Started by the creation of the pipeline: stopped before anything is deployed. "
        "Start it by hand (Release change) to roll out the scheduler."
    )
    assert services(rehearsal) == before

    rollout = rehearsal.start("rollout-scheduler", trigger="manual").run()
    assert rollout.status == "Succeeded", [s.message for s in rollout.steps]
    assert stages(rollout) == [
        ("Source", "Succeeded"),
        ("Prepare_scheduler_rollout", "Succeeded"),
        ("Deploy_Scheduler", "Succeeded"),
        ("Setup_scheduler", "Succeeded"),  # Read_hook_variables
        ("Setup_scheduler", "Succeeded"),
    ]
    after = services(rehearsal)
    revision = int(jenkins["taskDefinition"].rsplit(":", 1)[1]) + 1
    assert after.pop(JENKINS) == {
        **jenkins,
        "taskDefinition": f"{TASK_DEFINITION}/{JENKINS}:{revision}",
    }
    assert after == others
    calls = rehearsal.standin_calls()[seen:]
    assert [(c["program"], " ".join(c["args"])) for c in calls] == [
        ("vendor/bin/console", "scheduler:setup -vvv --no-ansi")
    ]
    assert calls[0]["env"] == {  # the running version's image, with the back office's variables
        "SPRYKER_BUILD_HASH": running,
        "SPRYKER_PROJECT_NAME": "spryker-demo-staging",
        "ZED_ONLY": "from the task definition",
    }
    assert calls[0]["cwd"].endswith("/builds/Setup_scheduler/image/app")  # the image's /data
    assert denied(rollout) == SOURCE_ONLY
