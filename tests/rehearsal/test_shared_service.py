"""One ECS service that serves several applications (issue 13, item 5).

Spryker's own environments have such a service: "Select one of the following services:
spryker-staging-storeapp, spryker-staging-backoffice, spryker-staging-frontend, ..." (Deploy in
a staging environment, https://docs.spryker.com/docs/ca/dev/deploy-in-a-staging-environment.html).
In cdk.json that is two `services` entries with one ECS service name, each naming its container.

"An image definitions document is a JSON file that describes your Amazon ECS container name and
the image and tag", and it may list several container-image pairs
(https://docs.aws.amazon.com/codepipeline/latest/userguide/file-reference.html): one deploy
action can give each container of the service its image. Two deploy actions on one service in
one RunOrder run together (the rehearsal runs them as CodePipeline does), both start from the
old task definition, and the one that registers last leaves the other's container on the old
image.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from sccos_pipeline.rehearsal.session import Rehearsal
from sccos_pipeline.rehearsal.world.rabbitmq import RabbitMQ
from tests.rehearsal.conftest import EXAMPLE_STACK, example_context, needs_rabbitmq, synthesize

pytestmark = [needs_rabbitmq, pytest.mark.scenario, pytest.mark.timeout(900)]

STOREAPP = "spryker-demo-staging-storeapp"


def storeapp_context() -> dict[str, Any]:
    """The example with Yves and Glue in one ECS service, `storeapp`, as Spryker runs them."""
    context = copy.deepcopy(example_context())
    [environment] = context["sccos-pipeline:environments"].values()
    environment["services"]["yves_eu"] = {"name": STOREAPP, "container": "yves"}
    environment["services"]["glue_eu"] = {"name": STOREAPP, "container": "glue"}
    return context


def images(rehearsal: Rehearsal) -> dict[str, dict[str, str]]:
    """Service -> container -> image (repository:tag) of the task definition each service runs."""
    ecs = rehearsal.aws.admin("ecs")
    found: dict[str, dict[str, str]] = {}
    for target in rehearsal.description.services.values():
        [service] = ecs.describe_services(cluster=target["cluster"], services=[target["service"]])[
            "services"
        ]
        definition = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])
        found[target["service"]] = {
            c["name"]: c["image"].rsplit("/", 1)[-1]
            for c in definition["taskDefinition"]["containerDefinitions"]
        }
    return found


def test_a_deployment_gives_every_container_of_a_shared_service_the_new_image(
    tmp_path: Path, broker: RabbitMQ
) -> None:
    assembly = synthesize(tmp_path / "cdk.out", storeapp_context())
    with Rehearsal(assembly, EXAMPLE_STACK, rabbit=broker) as rehearsal:
        commit = rehearsal.source.head()
        assert images(rehearsal)[STOREAPP] == {
            "yves": "bootstrap:none",
            "glue": "bootstrap:none",
        }
        execution = rehearsal.start("normal").run()
        assert execution.status == "Succeeded", [s.message for s in execution.steps if s.message]
        assert images(rehearsal) == {
            "spryker-demo-staging-boffice": {
                "boffice": f"spryker-demo-staging-boffice_eu:{commit}",
            },
            "spryker-demo-staging-backgw": {"backgw": f"spryker-demo-staging-backgw_eu:{commit}"},
            STOREAPP: {
                "yves": f"spryker-demo-staging-yves_eu:{commit}",
                "glue": f"spryker-demo-staging-glue_eu:{commit}",
            },
            "spryker-demo-staging-frontend": {
                "frontend": f"spryker-demo-staging-frontend:{commit}",
            },
            "spryker-demo-staging-jenkins": {"jenkins": f"spryker-demo-staging-jenkins:{commit}"},
        }
        # One deploy action per ECS service, each updating it once.
        deploys = [
            s.action for s in execution.steps if s.stage == "Deploy_Spryker_services"
        ]  # fmt: skip
        assert deploys == ["boffice_eu", "backgw_eu", STOREAPP, "frontend"]
        assert rehearsal.state()["ssm"]["/spryker-demo-staging/last_deployed_version"] == commit
