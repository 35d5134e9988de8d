#!/usr/bin/env python3
"""Using sccos_pipeline inside a CDK app you already have.

Your stack owns its VPC and takes the SCCOS pipelines as one more construct: its own key,
bucket and repositories are created, and your existing ECS services are referenced. Run it with
`npx cdk synth --app ".venv/bin/python examples/existing_app/app.py"` from the repository root
(offline: nothing is looked up).
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import App, Environment, Fn, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from sccos_pipeline import (
    BrokerSettings,
    PipelineType,
    S3Source,
    ServiceTarget,
    SprykerEnvironment,
)

DEPLOY_FILE = (
    Path(__file__).resolve().parent.parent
    / "spryker-demo-staging"
    / "deploy.spryker-demo-staging.yml"
)


class ShopStack(Stack):
    """A shop's own stack: its network, its cluster, and the SCCOS pipelines next to them."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        vpc = ec2.Vpc(self, "Network", max_azs=2, nat_gateways=1)  # the zones below
        cluster = ecs.Cluster(
            self, "Cluster", vpc=vpc, container_insights_v2=ecs.ContainerInsights.ENABLED
        )
        services = {
            key: ServiceTarget(
                service=ecs.FargateService.from_fargate_service_attributes(
                    self, f"Service-{key}", cluster=cluster, service_name=f"shop-{key}"
                ),
                container_name=key,
            )
            for key in ("boffice_eu", "backgw_eu", "yves_eu", "glue_eu", "frontend", "jenkins")
        }
        sources = s3.Bucket(
            self,
            "Releases",
            versioned=True,
            enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            removal_policy=RemovalPolicy.RETAIN,
        )
        broker_secret = secretsmanager.Secret(self, "BrokerAdmin")
        self.sccos = SprykerEnvironment(
            self,
            "Sccos",
            deploy_file=DEPLOY_FILE,
            project="shop-production",
            production=True,
            pipelines=[PipelineType.NORMAL],  # no destructive pipeline in production
            source=S3Source(bucket=sources, key="releases/shop.zip"),
            vpc=vpc,
            services=services,
            broker=BrokerSettings(
                api_url="https://broker.shop.internal",
                admin_secret=broker_secret,
                application_secret=broker_secret,
            ),
            approval_emails=["releases@example.com"],
        )

    @property
    def availability_zones(self) -> list[str]:
        """Two of the region's zones, chosen by CloudFormation (Fn::GetAZs) when it deploys:
        with an account and region, a stack would otherwise ask AWS for them at synth, which
        fails without credentials."""
        return [Fn.select(index, Fn.get_azs(self.region)) for index in range(2)]


def build(app: App) -> ShopStack:
    return ShopStack(app, "Shop", env=Environment(account="123456789012", region="eu-west-1"))


if __name__ == "__main__":
    app = App()
    build(app)
    app.synth()
