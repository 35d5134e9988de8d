"""Explicit Denies that narrow what aws-cdk-lib's ECS deploy action grants the action role.

aws-cdk-lib's EcsDeployAction allows `iam:PassRole` on "*" to ec2 and ECS tasks, and
`ecs:RegisterTaskDefinition` and `ecs:TagResource` on "*". Its statements cannot be edited, so
Denies next to them keep the role to this environment: PassRole only to ECS tasks (and only the
services' task and execution roles when they are known), TagResource only on the task
definitions of the environment. RegisterTaskDefinition has no resource-level permissions.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam

from . import props as p

ECS_TASKS_ONLY = {"StringNotEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}


def task_definitions(services: Mapping[str, p.ServiceTarget]) -> list[ecs.TaskDefinition] | None:
    """The task definitions of the services, when every one is known (defined in this app);
    services referenced by name or ARN do not tell theirs."""
    found = [getattr(t.service, "task_definition", None) for t in services.values()]
    return [d for d in found if d is not None] if all(found) else None


def task_role_arns(services: Mapping[str, p.ServiceTarget]) -> list[str]:
    """The services' task and execution roles when every one is known; else every role of the
    account, the most IAM lets us say (and iam:PassedToService keeps it to ECS tasks)."""
    definitions = task_definitions(services)
    if definitions is None:
        return [
            Stack.of(next(iter(services.values())).service).format_arn(
                service="iam", region="", resource="role", resource_name="*"
            )
        ]
    pairs = [(d.task_role, d.execution_role) for d in definitions]
    return list(dict.fromkeys(r.role_arn for pair in pairs for r in pair if r is not None))


def limit_ecs_deploy_grants(role: iam.IRole, services: Mapping[str, p.ServiceTarget]) -> None:
    stack = Stack.of(role)
    definitions = task_definitions(services)
    role.add_to_principal_policy(
        iam.PolicyStatement(
            effect=iam.Effect.DENY,
            actions=["iam:PassRole"],
            resources=["*"],
            conditions=ECS_TASKS_ONLY,
        )
    )
    roles = task_role_arns(services)
    if definitions is None:
        families = ["*"]
    else:
        families = list(dict.fromkeys(f"{d.family}:*" for d in definitions))
    role.add_to_principal_policy(
        iam.PolicyStatement(effect=iam.Effect.DENY, actions=["iam:PassRole"], not_resources=roles)
    )
    role.add_to_principal_policy(
        iam.PolicyStatement(
            effect=iam.Effect.DENY,
            actions=["ecs:TagResource"],
            not_resources=[
                stack.format_arn(
                    service="ecs",
                    resource="task-definition",
                    resource_name=family,
                    arn_format=ArnFormat.SLASH_RESOURCE_NAME,
                )
                for family in families
            ],
        )
    )
