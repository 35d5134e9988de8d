"""Building environments for the construct tests: existing infrastructure by attributes only."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aws_cdk import App, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_secretsmanager as secretsmanager

from sccos_pipeline.cdk import (
    BrokerSettings,
    CodeStarConnectionSource,
    SecretSource,
    ServiceTarget,
    SprykerEnvironment,
)
from tests.conftest import EXAMPLE, ROOT

DEPLOY_FILE = EXAMPLE / "deploy.spryker-demo-staging.yml"
ENV = {"account": "123456789012", "region": "eu-central-1"}
SERVICE_KEYS = ("boffice_eu", "backgw_eu", "yves_eu", "glue_eu", "frontend", "jenkins")
CONNECTION = "arn:aws:codeconnections:eu-central-1:123456789012:connection/abc"
SECRET = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:demo/broker-AbCdEf"
# The action role's first PassRole Deny: roles go to ECS tasks only.
PASS_ROLE_ONLY_TO_ECS_TASKS = {
    "Action": "iam:PassRole",
    "Condition": {"StringNotEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
    "Effect": "Deny",
    "Resource": "*",
}


def app_context() -> dict[str, Any]:
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
    return context


def new_stack(app: App | None = None, name: str = "Test") -> Stack:
    app = app or App(context={"@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True})
    return Stack(app, name, env=ENV)


def environment(stack: Stack, **overrides: Any) -> SprykerEnvironment:
    """The example environment inside `stack`; overrides replace any prop."""
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-1",
        availability_zones=["eu-central-1a"],
        private_subnet_ids=["subnet-1"],
        private_subnet_route_table_ids=["rtb-1"],
    )
    cluster = ecs.Cluster.from_cluster_attributes(stack, "Cluster", cluster_name="demo", vpc=vpc)
    services = {
        key: ServiceTarget(
            service=ecs.FargateService.from_fargate_service_attributes(
                stack, f"Svc-{key}", cluster=cluster, service_name=f"demo-{key}"
            ),
            container_name=key,
        )
        for key in SERVICE_KEYS
    }
    secret = secretsmanager.Secret.from_secret_complete_arn(stack, "BrokerSecret", SECRET)
    props: dict[str, Any] = {
        "deploy_file": DEPLOY_FILE,
        "source": CodeStarConnectionSource(
            connection_arn=CONNECTION,
            owner="example-org",
            repository="demo-shop",
            branch="staging",
            file_paths=("src/**",),
        ),
        "vpc": vpc,
        "services": services,
        "broker": BrokerSettings(
            api_url="https://broker.example.com", admin_secret=secret, application_secret=secret
        ),
        "zed_environment": {"SPRYKER_DB_HOST": "db.internal"},
        "secrets": {
            "SPRYKER_DB_PASSWORD": SecretSource(parameter_name="/demo/db/password"),
            "SPRYKER_BROKER_API_PASSWORD": SecretSource(secret=secret, json_key="password"),
        },
        "approval_emails": ["ops@example.com"],
        **overrides,
    }
    return SprykerEnvironment(stack, "Environment", **props)


def resources(template: Mapping[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def pipeline(template: Mapping[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any]
    [found] = [
        v["Properties"]
        for v in resources(template, "AWS::CodePipeline::Pipeline").values()
        if v["Properties"]["Name"] == name
    ]
    return found


def project(template: Mapping[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any]
    [found] = [
        v["Properties"]
        for v in resources(template, "AWS::CodeBuild::Project").values()
        if v["Properties"]["Name"] == name
    ]
    return found
