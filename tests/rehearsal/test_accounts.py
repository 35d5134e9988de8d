"""Any account, region and partition the settings accept rehearses green (issue 13, item 11).

Every other test uses moto's default account, 123456789012, where moto happens to create what
it is asked for whoever asks. Here one assembly holds the example environment three times, in
other accounts and regions, one of them in the China partition (aws-cn, whose URLs end in
amazonaws.com.cn and where CodeStar Notifications does not exist): each first deployment must
succeed, with the approval published to its own account's topic and the services running the
images of their own account's registry.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from sccos_pipeline.rehearsal.scenario import load_scenario, play
from sccos_pipeline.rehearsal.session import Rehearsal
from sccos_pipeline.rehearsal.world.rabbitmq import RabbitMQ
from tests.conftest import EXAMPLE
from tests.rehearsal.conftest import example_context, needs_rabbitmq, synthesize

pytestmark = [needs_rabbitmq, pytest.mark.scenario, pytest.mark.timeout(900)]

KEY = "sccos-pipeline:environments"
# (environment, account, region, partition, URL suffix)
PLACES = [
    ("west", "111122223333", "eu-west-1", "aws", "amazonaws.com"),
    ("ohio", "444455556666", "us-east-2", "aws", "amazonaws.com"),
    ("beijing", "777788889999", "cn-north-1", "aws-cn", "amazonaws.com.cn"),
]


def moved(environment: dict[str, Any], account: str, region: str, partition: str) -> Any:
    """The example environment in another account, region and partition: every ARN, zone and
    URL of it rewritten, as a user of that account would write it."""
    text = json.dumps(environment)
    text = text.replace("123456789012", account).replace("eu-central-1", region)
    if partition != "aws":
        text = text.replace("arn:aws:", f"arn:{partition}:").replace(
            "amazonaws.com", "amazonaws.com.cn"
        )
    moved = json.loads(text)
    moved["deployFile"] = str(EXAMPLE / "deploy.spryker-demo-staging.yml")
    return moved


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One synth for the module: the three environments, one stack each."""
    context = example_context()
    [example] = context[KEY].values()
    context[KEY] = {
        name: moved(copy.deepcopy(example), account, region, partition)
        for name, account, region, partition, _ in PLACES
    }
    return synthesize(tmp_path_factory.mktemp("accounts-cdk.out"), context)


@pytest.mark.parametrize(
    ("name", "account", "region", "partition", "suffix"), PLACES, ids=[p[0] for p in PLACES]
)
def test_a_first_deployment_in_another_account_and_region(
    assembly: Path,
    broker: RabbitMQ,
    name: str,
    account: str,
    region: str,
    partition: str,
    suffix: str,
) -> None:
    with Rehearsal(assembly, f"sccos-{name}", rabbit=broker) as rehearsal:
        [execution] = play(rehearsal, load_scenario("first-deployment"))
        head = rehearsal.source.head()
        failed = [
            (s.stage, s.action, s.message) for s in execution.steps if s.status != "Succeeded"
        ]
        assert (execution.status, failed) == ("Succeeded", []), failed
        assert execution.approval is not None
        assert execution.approval.text == (
            f"NORMAL_Deploy_Spryker_spryker-demo-staging: deploy {head} over the last deployed "
            "version none"
        )
        topics = rehearsal.aws.admin("sns").list_topics()["Topics"]
        assert {t["TopicArn"].rsplit(":", 1)[0] for t in topics} == {
            f"arn:{partition}:sns:{region}:{account}"
        }
        ecs = rehearsal.aws.admin("ecs")
        [yves] = ecs.describe_services(
            cluster="spryker-demo-staging", services=["spryker-demo-staging-yves"]
        )["services"]
        definition = ecs.describe_task_definition(taskDefinition=yves["taskDefinition"])
        [container] = definition["taskDefinition"]["containerDefinitions"]
        assert container["image"] == (
            f"{account}.dkr.ecr.{region}.{suffix}/spryker-demo-staging-yves_eu:{head}"
        )
        assert rehearsal.state()["ssm"] == {
            "/spryker-demo-staging/lastbuildversion": head,
            "/spryker-demo-staging/desired_version": head,
            "/spryker-demo-staging/last_deployed_version": head,
        }
