"""The CodeBuild projects around the hooks: build, broker, versions, configuration steps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Stack
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from ..core import naming
from ..core.model import DeployModel
from ..core.support import (
    broker_buildspec,
    build_buildspec,
    commands_buildspec,
    record_deployed_buildspec,
    versions_buildspec,
)
from . import props as p
from .projects import encrypted_project, grant_retag, plain

# A released Docker SDK tag: the `1.x` branch dates from 2021 and has no `export -d ecr`.
DOCKER_SDK_REF = "1.74.0"
PRIVATE = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)


def _secret(secret_arn: str, key: str) -> codebuild.BuildEnvironmentVariable:
    return codebuild.BuildEnvironmentVariable(
        value=f"{secret_arn}:{key}", type=codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER
    )


class SupportProjects(Construct):
    """Build_and_Prepare, the broker step, the approval info, UpdateDeployedVersion and the
    optional configuration steps, each a CodeBuild project with only the rights it needs.

    Attributes: `build`, `broker`, `versions`, `record_deployed`, `pre_deployment` and
    `post_deployment` (None when they have no commands).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        model: DeployModel,
        key: kms.IKey,
        vpc: ec2.IVpc,
        broker: p.BrokerSettings,
        repositories: Mapping[str, ecr.IRepository],
        hook_repository: ecr.IRepository,
        parameters: Mapping[str, ssm.IStringParameter],
        deploy_file: str,
        containers: Mapping[str, str],
        pipeline_names: Sequence[str],
        service_arns: Mapping[str, tuple[str, str]],
        subnets: ec2.SubnetSelection | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] | None = None,
        pre_deployment_commands: Sequence[str] = (),
        post_deployment_commands: Sequence[str] = (),
        docker_sdk_repository: str = "https://github.com/spryker/docker-sdk.git",
        docker_sdk_ref: str = DOCKER_SDK_REF,
    ) -> None:
        """
        :param service_arns: service key to (`<cluster>/<service>`, its long-format ARN), for
            every service UpdateDeployedVersion asks ECS about.
        """
        super().__init__(scope, construct_id)
        project = model.project
        stack = Stack.of(self)
        latest_built = parameters[naming.PARAMETER_LATEST_BUILT]
        desired = parameters[naming.PARAMETER_DESIRED]
        last_deployed = parameters[naming.PARAMETER_LAST_DEPLOYED]

        self.build = encrypted_project(
            self,
            "Build",
            name=naming.build_project(project),
            project=project,
            description=f"SCCOS Build_and_Prepare of {project}: Docker SDK images to ECR",
            buildspec=build_buildspec(model, deploy_file=deploy_file, containers=containers),
            key=key,
            compute_type=codebuild.ComputeType.LARGE,
            timeout_minutes=60,
            privileged=True,  # docker build needs Docker-in-Docker
            cache=codebuild.Cache.local(
                codebuild.LocalCacheMode.DOCKER_LAYER, codebuild.LocalCacheMode.SOURCE
            ),
            variables={
                "SPRYKER_PROJECT_NAME": plain(project),
                "AWS_ACCOUNT_ID": plain(stack.account),
                "SCCOS_LATEST_BUILT_PARAMETER": plain(latest_built.parameter_name),
                "SCCOS_DOCKER_SDK_REPOSITORY": plain(docker_sdk_repository),
                "SCCOS_DOCKER_SDK_REF": plain(docker_sdk_ref),
            },
        )
        ecr.AuthorizationToken.grant_read(self.build)
        for repository in repositories.values():
            repository.grant_pull_push(self.build)
            # Tells a missing image (build it) from any other answer (fail).
            repository.grant(self.build, "ecr:DescribeImages")
        grant_retag(self.build.role, hook_repository)
        latest_built.grant_write(self.build)
        self.build.add_to_role_policy(
            iam.PolicyStatement(
                actions=["codepipeline:ListPipelineExecutions"],
                resources=[
                    stack.format_arn(service="codepipeline", resource=name)
                    for name in pipeline_names
                ],
            )
        )

        self.broker = encrypted_project(
            self,
            "Broker",
            name=naming.broker_project(project),
            project=project,
            description=f"SCCOS RabbitMQ vhosts, users and permissions of {project}",
            buildspec=broker_buildspec(model),
            key=key,
            vpc=vpc,
            subnets=subnets or PRIVATE,
            security_groups=security_groups,
            variables={
                "SCCOS_BROKER_API": plain(broker.api_url),
                "SCCOS_BROKER_ADMIN_USER": _secret(broker.admin_secret.secret_arn, "username"),
                "SCCOS_BROKER_ADMIN_PASSWORD": _secret(broker.admin_secret.secret_arn, "password"),
                "SCCOS_BROKER_APP_USER": _secret(broker.application_secret.secret_arn, "username"),
                "SCCOS_BROKER_APP_PASSWORD": _secret(
                    broker.application_secret.secret_arn, "password"
                ),
            },
        )

        self.versions = encrypted_project(
            self,
            "Versions",
            name=naming.approval_info_project(project),
            project=project,
            description=f"SCCOS desired and last deployed version of {project}, for approval",
            buildspec=versions_buildspec(),
            key=key,
            variables={
                "SCCOS_DESIRED_PARAMETER": plain(desired.parameter_name),
                "SCCOS_LAST_DEPLOYED_PARAMETER": plain(last_deployed.parameter_name),
            },
        )
        desired.grant_write(self.versions)
        last_deployed.grant_read(self.versions)

        self.record_deployed = encrypted_project(
            self,
            "RecordDeployed",
            name=naming.record_version_project(project),
            project=project,
            description=f"SCCOS UpdateDeployedVersion of {project}",
            buildspec=record_deployed_buildspec(
                model, {service: containers[key] for key, (service, _) in service_arns.items()}
            ),
            key=key,
            variables={"SCCOS_LAST_DEPLOYED_PARAMETER": plain(last_deployed.parameter_name)},
        )
        last_deployed.grant_write(self.record_deployed)
        grant_retag(self.record_deployed.role, hook_repository)
        # Asks ECS what the services run before recording a version as deployed.
        self.record_deployed.add_to_role_policy(
            iam.PolicyStatement(
                actions=["ecs:DescribeServices"], resources=[a for _, a in service_arns.values()]
            )
        )
        self.record_deployed.add_to_role_policy(
            iam.PolicyStatement(actions=["ecs:DescribeTaskDefinition"], resources=["*"])
        )

        self.pre_deployment = self._commands(
            "PreDeployment",
            naming.pre_config_project(project),
            project,
            pre_deployment_commands,
            key,
        )
        self.post_deployment = self._commands(
            "PostDeployment",
            naming.post_config_project(project),
            project,
            post_deployment_commands,
            key,
        )

    def _commands(
        self, construct_id: str, name: str, project: str, commands: Sequence[str], key: kms.IKey
    ) -> codebuild.PipelineProject | None:
        if not commands:
            return None
        return encrypted_project(
            self,
            construct_id,
            name=name,
            project=project,
            description=f"SCCOS {name}: user commands",
            buildspec=commands_buildspec(commands),
            key=key,
        )
