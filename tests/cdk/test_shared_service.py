"""One ECS service that serves several applications (issue 13, item 5): one deploy action for
it, whose imagedefinitions.json lists each of its containers; a container given twice is
refused.

Spryker runs such a service: "Select one of the following services: spryker-staging-storeapp,
spryker-staging-backoffice, ..." (https://docs.spryker.com/docs/ca/dev/deploy-in-a-staging-environment.html).
One deploy action can update them all: "An image definitions document is a JSON file that
describes your Amazon ECS container name and the image and tag", and it may list several
container-image pairs (https://docs.aws.amazon.com/codepipeline/latest/userguide/file-reference.html).
"""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import pytest
import yaml
from aws_cdk import assertions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs

from sccos_pipeline.cdk import PropsError, ServiceTarget
from tests.cdk.support import SERVICE_KEYS, environment, new_stack, pipeline, project

STOREAPP = "demo-storeapp"


def _services(stack: Any, containers: dict[str, str]) -> dict[str, ServiceTarget]:
    """The example's services, with `yves_eu` and `glue_eu` in one ECS service, `storeapp`."""
    vpc = ec2.Vpc.from_vpc_attributes(
        stack, "SharedVpc", vpc_id="vpc-1", availability_zones=["eu-central-1a"]
    )
    cluster = ecs.Cluster.from_cluster_attributes(
        stack, "SharedCluster", cluster_name="demo", vpc=vpc
    )
    names = {key: f"demo-{key}" for key in SERVICE_KEYS} | {
        "yves_eu": STOREAPP,
        "glue_eu": STOREAPP,
    }
    return {
        key: ServiceTarget(
            service=ecs.FargateService.from_fargate_service_attributes(
                stack, f"Shared-{key}", cluster=cluster, service_name=names[key]
            ),
            container_name=containers.get(key, key),
        )
        for key in SERVICE_KEYS
    }


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    stack = new_stack()
    environment(stack, services=_services(stack, {"yves_eu": "yves", "glue_eu": "glue"}))
    return dict(assertions.Template.from_stack(stack).to_json())


def _stage(template: dict[str, Any], name: str) -> list[dict[str, Any]]:
    pipe = pipeline(template, "NORMAL_Deploy_Spryker_spryker-demo-staging")
    [stage] = [s for s in pipe["Stages"] if s["Name"] == name]
    actions: list[dict[str, Any]] = stage["Actions"]
    return actions


def test_one_deploy_action_per_ecs_service(template: dict[str, Any]) -> None:
    deploys = [
        (a["Name"], a["Configuration"]["ServiceName"], a["Configuration"]["FileName"])
        for a in _stage(template, "Deploy_Spryker_services")
    ]
    assert deploys == [
        ("boffice_eu", "demo-boffice_eu", "imagedefinitions-boffice_eu.json"),
        ("backgw_eu", "demo-backgw_eu", "imagedefinitions-backgw_eu.json"),
        (STOREAPP, STOREAPP, f"imagedefinitions-{STOREAPP}.json"),
        ("frontend", "demo-frontend", "imagedefinitions-frontend.json"),
    ]
    assert {a["RunOrder"] for a in _stage(template, "Deploy_Spryker_services")} == {1}
    assertions.Template.from_json(template).has_resource_properties(
        "AWS::CodePipeline::Pipeline",
        {
            "Name": "NORMAL_Deploy_Spryker_spryker-demo-staging",
            "Stages": assertions.Match.array_with(
                [
                    {
                        "Name": "Deploy_Spryker_services",
                        "Actions": assertions.Match.array_with(
                            [
                                assertions.Match.object_like(
                                    {
                                        "Name": STOREAPP,
                                        "ActionTypeId": assertions.Match.object_like(
                                            {"Category": "Deploy", "Provider": "ECS"}
                                        ),
                                        "Configuration": {
                                            "ClusterName": "demo",
                                            "ServiceName": STOREAPP,
                                            "FileName": f"imagedefinitions-{STOREAPP}.json",
                                        },
                                    }
                                )
                            ]
                        ),
                    }
                ]
            ),
        },
    )


def test_the_image_definitions_of_a_shared_service_list_each_container(
    template: dict[str, Any], tmp_path: Any
) -> None:
    """The lines of Build_and_Prepare that write the image definitions, run as bash runs them."""
    found = project(template, "Build_spryker_app_for_spryker-demo-staging")
    build = yaml.safe_load(found["Source"]["BuildSpec"])
    lines = [c for c in build["phases"]["build"]["commands"] if "> imagedefinitions-" in c]
    env = {**os.environ, "AWS_ACCOUNT_ID": "123456789012", "AWS_REGION": "eu-central-1"}
    env["SCCOS_COMMIT"] = "0123abc"
    for line in lines:
        subprocess.run(["bash", "-c", line], cwd=tmp_path, env=env, check=True)
    written = {path.name: json.loads(path.read_text()) for path in sorted(tmp_path.glob("*.json"))}
    registry = "123456789012.dkr.ecr.eu-central-1.amazonaws.com"
    assert written[f"imagedefinitions-{STOREAPP}.json"] == [
        {"name": "yves", "imageUri": f"{registry}/spryker-demo-staging-yves_eu:0123abc"},
        {"name": "glue", "imageUri": f"{registry}/spryker-demo-staging-glue_eu:0123abc"},
    ]
    assert written["imagedefinitions-boffice_eu.json"] == [
        {"name": "boffice_eu", "imageUri": f"{registry}/spryker-demo-staging-boffice_eu:0123abc"}
    ]
    assert sorted(written) == [
        "imagedefinitions-backgw_eu.json",
        "imagedefinitions-boffice_eu.json",
        f"imagedefinitions-{STOREAPP}.json",
        "imagedefinitions-frontend.json",
        "imagedefinitions-jenkins.json",
    ]


def test_a_container_given_twice_in_one_service_is_refused() -> None:
    stack = new_stack()
    with pytest.raises(PropsError) as raised:
        environment(stack, services=_services(stack, {"yves_eu": "yves", "glue_eu": "yves"}))
    assert raised.value.located == [
        (
            "services.glue_eu.container_name",
            "is 'yves', the container of services.yves_eu in the same ECS service "
            f"demo/{STOREAPP}: one deployment would give it two images. Fix: name each "
            "application's own container",
        )
    ]
