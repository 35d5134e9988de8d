"""What the `on` references of the plan's permissions mean in one environment: the ARNs each
names (core.plan.model.Permission lists the references)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Stack
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ssm as ssm

from ..core import naming
from ..core.stages import PipelineKind
from . import props as p
from ._privilege import task_family_arn


def parameter_arn(stack: Stack, name: str) -> str:
    """A parameter's ARN from its name (`/a/b` is `parameter/a/b`)."""
    return stack.format_arn(service="ssm", resource="parameter", resource_name=name.lstrip("/"))


def secret_arn(secret: secretsmanager.ISecret) -> str:
    """A secret's ARN for a policy: its complete ARN, else any of its six-character suffixes."""
    return secret.secret_full_arn or f"{secret.secret_arn}-??????"


def plan_resources(
    stack: Stack,
    *,
    project: str,
    repositories: Mapping[str, ecr.IRepository],
    service_arns: Mapping[str, tuple[str, str]],
    parameters: Mapping[str, ssm.IStringParameter],
    task_families: Mapping[str, str],
    task_roles: Sequence[str],
    hook_secrets: Mapping[str, p.SecretSource],
) -> dict[str, list[str]]:
    tree = naming.variable_tree(project).strip("/")
    resources: dict[str, list[str]] = {
        "*": ["*"],
        "repositories": [r.repository_arn for r in repositories.values()],
        "services": [arn for _, arn in service_arns.values()],
        # GetParametersByPath is asked about the path itself, GetParameters about each parameter.
        "variable-tree": [parameter_arn(stack, tree), parameter_arn(stack, f"{tree}/*")],
        "task-definitions": list(
            dict.fromkeys(task_family_arn(stack, f) for f in task_families.values())
        ),
        "task-roles": list(task_roles),
        "hook-secrets:ssm": list(
            dict.fromkeys(
                parameter_arn(stack, s.parameter_name)
                for s in hook_secrets.values()
                if s.parameter_name
            )
        ),
        "hook-secrets:secretsmanager": list(
            dict.fromkeys(secret_arn(s.secret) for s in hook_secrets.values() if s.secret)
        ),
    }
    resources.update({f"repository:{k}": [r.repository_arn] for k, r in repositories.items()})
    resources.update({f"service:{k}": [arn] for k, (_, arn) in service_arns.items()})
    resources.update(
        {f"task-definition:{k}": [task_family_arn(stack, f)] for k, f in task_families.items()}
    )
    resources.update({f"parameter:{k}": [prm.parameter_arn] for k, prm in parameters.items()})
    resources.update(
        {
            f"pipeline:{kind.value}": [
                stack.format_arn(service="codepipeline", resource=naming.pipeline(project, kind))
            ]
            for kind in PipelineKind
        }
    )
    return resources
