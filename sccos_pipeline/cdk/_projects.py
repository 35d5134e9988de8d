"""CodeBuild projects from the plan: each PlanProject becomes one encrypted PipelineProject,
its permissions become statements on its role, naming resources of the environment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, assert_never

from aws_cdk import Acknowledgment, Duration, RemovalPolicy, Validations
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from ..core import naming
from ..core.plan.model import HOOK_IMAGE, Permission, PlanProject
from ..core.plan.references import Placeholder, Resources
from . import props as p
from ._references import PlanResources
from .props import COMPUTE

STANDARD_IMAGE = codebuild.LinuxBuildImage.STANDARD_7_0
PRIVATE = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
_CACHE = {
    "LOCAL_DOCKER_LAYER_CACHE": codebuild.LocalCacheMode.DOCKER_LAYER,
    "LOCAL_SOURCE_CACHE": codebuild.LocalCacheMode.SOURCE,
}


def encrypted_project(
    scope: Construct,
    construct_id: str,
    *,
    name: str,
    project: str,
    buildspec: Mapping[str, Any],
    key: kms.IKey,
    description: str,
    build_image: codebuild.IBuildImage = STANDARD_IMAGE,
    compute_type: codebuild.ComputeType = codebuild.ComputeType.SMALL,
    timeout_minutes: int = 20,
    privileged: bool = False,
    variables: Mapping[str, codebuild.BuildEnvironmentVariable] | None = None,
    vpc: ec2.IVpc | None = None,
    subnets: ec2.SubnetSelection | None = None,
    security_groups: Sequence[ec2.ISecurityGroup] | None = None,
    cache: codebuild.Cache | None = None,
) -> codebuild.PipelineProject:
    """A pipeline project whose artifacts and logs are encrypted with the environment's key.

    It logs to its own group, `naming.log_group`; it makes no test reports.
    """
    log_group = logs.LogGroup(
        scope,
        f"{construct_id}Logs",
        log_group_name=naming.log_group(project, name),
        encryption_key=key,
        retention=logs.RetentionDays.ONE_YEAR,
        removal_policy=RemovalPolicy.RETAIN,
    )
    return codebuild.PipelineProject(
        scope,
        construct_id,
        project_name=name,
        description=description,
        build_spec=codebuild.BuildSpec.from_object_to_yaml(dict(buildspec)),
        environment=codebuild.BuildEnvironment(
            build_image=build_image, compute_type=compute_type, privileged=privileged
        ),
        environment_variables=dict(variables or {}),
        encryption_key=key,
        timeout=Duration.minutes(timeout_minutes),
        logging=codebuild.LoggingOptions(
            cloud_watch=codebuild.CloudWatchLoggingOptions(log_group=log_group)
        ),
        vpc=vpc,
        subnet_selection=subnets,
        security_groups=list(security_groups) if security_groups else None,
        cache=cache,
        grant_report_group_permissions=False,
    )


def plain(value: str) -> codebuild.BuildEnvironmentVariable:
    return codebuild.BuildEnvironmentVariable(value=value)


def secret_variable(source: p.SecretSource) -> codebuild.BuildEnvironmentVariable:
    if source.parameter_name is not None:
        return codebuild.BuildEnvironmentVariable(
            value=source.parameter_name,
            type=codebuild.BuildEnvironmentVariableType.PARAMETER_STORE,
        )
    assert source.secret is not None  # checked by the environment's validation
    value = source.secret.secret_arn + (f":{source.json_key}" if source.json_key else "")
    return codebuild.BuildEnvironmentVariable(
        value=value, type=codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER
    )


@dataclass
class ProjectContext:
    """What the plan's projects refer to: the environment's resources and settings."""

    project: str
    key: kms.IKey
    vpc: ec2.IVpc
    hook_repository: ecr.IRepository
    account: str
    broker: p.BrokerSettings
    #: the ARNs each permission's `on` reference (core.plan.references) means
    resources: PlanResources
    subnets: ec2.SubnetSelection | None = None
    security_groups: Sequence[ec2.ISecurityGroup] | None = None
    #: secret variables of the hook projects (settings); the plan carries only plain ones
    hook_secrets: Mapping[str, p.SecretSource] = field(default_factory=dict)

    def fill(self, placeholder: Placeholder) -> str:
        """What a placeholder of a plain variable stands for here."""
        match placeholder:
            case Placeholder.ACCOUNT:
                return self.account
            case Placeholder.BROKER_API:
                return self.broker.api_url
            case _:
                assert_never(placeholder)

    def secret(self, reference: str) -> secretsmanager.ISecret:
        return {
            "broker-admin": self.broker.admin_secret,
            "broker-application": self.broker.application_secret,
        }[reference]


def project_from_plan(
    scope: Construct, planned: PlanProject, context: ProjectContext
) -> codebuild.PipelineProject:
    variables: dict[str, codebuild.BuildEnvironmentVariable] = {}
    for variable in planned.variables:
        if variable.kind == "secret":
            setting, _, json_key = variable.value.partition(":")
            variables[variable.name] = codebuild.BuildEnvironmentVariable(
                value=f"{context.secret(setting).secret_arn}:{json_key}",
                type=codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER,
            )
        else:
            value = variable.value
            for placeholder in Placeholder:
                value = value.replace(placeholder, context.fill(placeholder))
            variables[variable.name] = plain(value)
    image: codebuild.IBuildImage = STANDARD_IMAGE
    if planned.image.startswith(HOOK_IMAGE):
        image = codebuild.LinuxBuildImage.from_ecr_repository(
            context.hook_repository, planned.image.removeprefix(HOOK_IMAGE)
        )
    if planned.image.startswith(HOOK_IMAGE):  # hooks and Setup_scheduler run the application
        variables.update({k: secret_variable(s) for k, s in context.hook_secrets.items()})
    project = encrypted_project(
        scope,
        planned.key,
        name=planned.name,
        project=context.project,
        description=f"SCCOS {planned.name}: {planned.runs}"[:255],
        buildspec=planned.buildspec,
        key=context.key,
        build_image=image,
        compute_type=COMPUTE[planned.compute],
        timeout_minutes=planned.timeout_minutes,
        privileged=planned.privileged,
        variables=variables,
        vpc=context.vpc if planned.in_vpc else None,
        subnets=(context.subnets or PRIVATE) if planned.in_vpc else None,
        security_groups=context.security_groups if planned.in_vpc else None,
        cache=codebuild.Cache.local(*(_CACHE[c] for c in planned.cache)) if planned.cache else None,
    )
    for permission in planned.permissions:
        grant(project, permission, context.resources)
    if planned.image.startswith(HOOK_IMAGE):
        Validations.of(project).acknowledge(
            Acknowledgment(
                id="AwsSolutions-CB5",
                reason="SCCOS hooks must run on the shop's own back-office (Zed) image",
            )
        )
    return project


def grant(project: codebuild.IProject, permission: Permission, resources: PlanResources) -> None:
    arns = [arn for reference in permission.on for arn in resources.arns(reference)]
    if not arns:  # e.g. the settings name no secret of that kind: nothing to allow
        return
    conditions: dict[str, dict[str, str]] = {}
    if Resources.TASK_ROLES in permission.on:
        conditions["StringEquals"] = {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
    if permission.condition:
        operator, key, value = permission.condition
        conditions.setdefault(operator, {})[key] = value
    project.add_to_role_policy(
        iam.PolicyStatement(
            actions=list(permission.actions), resources=arns, conditions=conditions or None
        )
    )
