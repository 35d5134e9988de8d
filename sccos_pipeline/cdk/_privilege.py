"""The environment's task families and task roles, and every explicit Deny: what narrows the
grants of aws-cdk-lib's ECS deploy action to the action role down to this environment.

aws-cdk-lib's EcsDeployAction allows `iam:PassRole` on "*" to ec2 and ECS tasks, and
`ecs:DescribeServices`, `ecs:UpdateService`, `ecs:RegisterTaskDefinition` and `ecs:TagResource`
on "*". Its statements cannot be edited, so Denies next to them keep the role to this
environment: DescribeServices and UpdateService only on its services (`deny_other_services`),
PassRole only to ECS tasks and only the environment's task and execution roles,
RegisterTaskDefinition and TagResource only on revisions of its task families (IAM asks
RegisterTaskDefinition about `task-definition/<family>:<revision>`, the revision it is about to
make) (`limit_ecs_deploy_grants`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam

from ..core import naming
from . import props as p

ECS_TASKS_ONLY = {"StringNotEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}


def task_definitions(services: Mapping[str, p.ServiceTarget]) -> list[ecs.TaskDefinition] | None:
    """The task definitions of the services, when every one is known (defined in this app);
    services referenced by name or ARN do not tell theirs."""
    found = [getattr(t.service, "task_definition", None) for t in services.values()]
    return [d for d in found if d is not None] if all(found) else None


def task_families(services: Mapping[str, p.ServiceTarget]) -> dict[str, str]:
    """Service key to the task-definition family the service runs: the one its target names,
    else its task definition's when defined in this app, else naming.task_family."""
    families = {}
    for key, target in services.items():
        definition = getattr(target.service, "task_definition", None)
        known = definition.family if definition is not None else None
        families[key] = (
            target.task_family or known or naming.task_family(target.service.service_name)
        )
    return families


def task_family_arn(stack: Stack, family: str) -> str:
    """Every revision of one family, `task-definition/<family>:*`."""
    return stack.format_arn(
        service="ecs",
        resource="task-definition",
        resource_name=f"{family}:*",
        arn_format=ArnFormat.SLASH_RESOURCE_NAME,
    )


def task_role_arns(services: Mapping[str, p.ServiceTarget], prefix: str | None = None) -> list[str]:
    """The roles the pipelines may pass to ECS tasks: those named `prefix*` when a prefix is
    given; else the services' task and execution roles when every one is known (defined in this
    app); else the roles named naming.task_role_prefix of the services' clusters."""
    stack = Stack.of(next(iter(services.values())).service)
    definitions = task_definitions(services)
    if prefix is None and definitions is not None:
        pairs = [(d.task_role, d.execution_role) for d in definitions]
        return list(dict.fromkeys(r.role_arn for pair in pairs for r in pair if r is not None))
    prefixes = (
        [prefix]
        if prefix is not None
        else [naming.task_role_prefix(t.service.cluster.cluster_name) for t in services.values()]
    )
    return [
        stack.format_arn(service="iam", region="", resource="role", resource_name=f"{start}*")
        for start in dict.fromkeys(prefixes)
    ]


def deny_other_services(role: iam.IRole, service_arns: Sequence[str]) -> None:
    """Only the environment's services may be read or changed. Long-format ARNs: services
    created since 2021 are `service/<cluster>/<name>`, and a short ARN here would deny the
    environment's own."""
    role.add_to_principal_policy(
        iam.PolicyStatement(
            effect=iam.Effect.DENY,
            actions=["ecs:DescribeServices", "ecs:UpdateService"],
            not_resources=list(service_arns),
        )
    )


def limit_ecs_deploy_grants(
    role: iam.IRole,
    *,
    family_arns: Sequence[str],
    role_arns: Sequence[str],
) -> None:
    """PassRole only to ECS tasks and only `role_arns`; RegisterTaskDefinition and TagResource
    only on `family_arns`."""
    role.add_to_principal_policy(
        iam.PolicyStatement(
            effect=iam.Effect.DENY,
            actions=["iam:PassRole"],
            resources=["*"],
            conditions=ECS_TASKS_ONLY,
        )
    )
    role.add_to_principal_policy(
        iam.PolicyStatement(
            effect=iam.Effect.DENY, actions=["iam:PassRole"], not_resources=list(role_arns)
        )
    )
    role.add_to_principal_policy(
        iam.PolicyStatement(
            effect=iam.Effect.DENY,
            actions=["ecs:RegisterTaskDefinition", "ecs:TagResource"],
            not_resources=list(family_arns),
        )
    )
