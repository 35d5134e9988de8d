"""The app's stack per environment: settings to references (no AWS lookups) to constructs."""

from __future__ import annotations

from typing import Any

from aws_cdk import Environment, Stack
from aws_cdk import aws_codecommit as codecommit
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from ..cdk import props as p
from ..cdk.environment import SprykerEnvironment
from ..core.stages import Stage
from .settings import EnvironmentSettings

# cdk.json's `hooks.<stage>.computeType` values: CodeBuild's names without BUILD_GENERAL1_.
COMPUTE_TYPES = {name.removeprefix("BUILD_GENERAL1_"): t for name, t in p.COMPUTE.items()}


def stack_name(settings: EnvironmentSettings) -> str:
    return f"sccos-{settings.name}"


class SprykerEnvironmentStack(Stack):
    """One environment's pipelines, with its existing VPC, cluster and services referenced by
    attributes, so synth needs neither AWS credentials nor network.

    Attribute: `spryker` (the SprykerEnvironment).
    """

    def __init__(self, scope: Construct, settings: EnvironmentSettings, **kwargs: Any) -> None:
        super().__init__(
            scope,
            stack_name(settings),
            env=Environment(account=settings.account, region=settings.region),
            description=f"SCCOS deployment pipelines of {settings.name} (sccos_pipeline)",
            **kwargs,
        )
        vpc = ec2.Vpc.from_vpc_attributes(
            self,
            "Vpc",
            vpc_id=settings.vpc_id,
            availability_zones=list(settings.availability_zones),
            private_subnet_ids=list(settings.private_subnet_ids),
            private_subnet_route_table_ids=list(settings.private_subnet_route_table_ids) or None,
        )
        cluster = ecs.Cluster.from_cluster_attributes(
            self, "Cluster", cluster_name=settings.cluster_name, vpc=vpc
        )
        services = {
            key: p.ServiceTarget(
                service=ecs.FargateService.from_fargate_service_attributes(
                    self, f"Service-{key}", cluster=cluster, service_name=service.name
                ),
                container_name=service.container,
                task_family=service.task_family,
            )
            for key, service in settings.services.items()
        }
        secrets = self._secrets(settings)
        hooks = _hook_settings(settings)
        self.spryker = SprykerEnvironment(
            self,
            "Environment",
            deploy_file=settings.deploy_file,
            project=settings.project,
            deploy_file_in_repository=settings.deploy_file_in_repository,
            source=self._source(settings),
            vpc=vpc,
            services=services,
            broker=p.BrokerSettings(
                api_url=settings.broker_api_url,
                admin_secret=secretsmanager.Secret.from_secret_complete_arn(
                    self, "BrokerAdminSecret", settings.broker_admin_secret_arn
                ),
                application_secret=secretsmanager.Secret.from_secret_complete_arn(
                    self, "BrokerApplicationSecret", settings.broker_application_secret_arn
                ),
            ),
            production=settings.production,
            allow_destructive_in_production=settings.allow_destructive_in_production,
            destructive_on_push=settings.destructive_on_push,
            deploy_on_push=settings.deploy_on_push,
            task_role_prefix=settings.task_role_prefix,
            pipelines=settings.pipelines,
            zed_environment=settings.zed_environment,
            secrets=secrets,
            hook_settings=hooks,
            approval_emails=settings.approval_emails,
            keep_deployed_versions=settings.keep_deployed_versions,
            pre_deployment_commands=settings.pre_deployment_commands,
            post_deployment_commands=settings.post_deployment_commands,
        )

    def _secrets(self, settings: EnvironmentSettings) -> dict[str, p.SecretSource]:
        """The hooks' secrets: SSM parameters by name, Secrets Manager secrets imported."""
        return {
            name: p.SecretSource(
                parameter_name=secret.parameter,
                secret=(
                    secretsmanager.Secret.from_secret_complete_arn(
                        self, f"Secret-{name}", secret.secret_arn
                    )
                    if secret.secret_arn
                    else None
                ),
                json_key=secret.json_key,
            )
            for name, secret in settings.secrets.items()
        }

    def _source(self, settings: EnvironmentSettings) -> p.PipelineSource:
        source = settings.source
        if source.type == "codestar":
            return p.CodeStarConnectionSource(
                connection_arn=source.connection_arn,
                owner=source.owner,
                repository=source.repository,
                branch=source.branch,
                trigger_on_push=source.trigger_on_push,
                file_paths=source.file_paths,
            )
        if source.type == "codecommit":
            return p.CodeCommitSource(
                repository=codecommit.Repository.from_repository_name(
                    self, "Repository", source.repository
                ),
                branch=source.branch,
                trigger_on_push=source.trigger_on_push,
            )
        return p.S3Source(
            bucket=s3.Bucket.from_bucket_name(self, "SourceBucket", source.bucket),
            key=source.key,
            trigger_on_push=source.trigger_on_push,
        )


def _hook_settings(settings: EnvironmentSettings) -> dict[Stage, p.HookProjectSettings]:
    """The hook projects' sizes cdk.json gives, Spryker's defaults for what it leaves out."""
    return {
        stage: p.HookProjectSettings(
            timeout_minutes=hook.timeout_minutes or p.DEFAULT_HOOK_SETTINGS[stage].timeout_minutes,
            compute_type=(
                COMPUTE_TYPES[hook.compute_type]
                if hook.compute_type
                else p.DEFAULT_HOOK_SETTINGS[stage].compute_type
            ),
            privileged=bool(hook.privileged),
        )
        for stage, hook in settings.hooks.items()
    }
