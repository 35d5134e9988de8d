"""What the `on` references of the plan's permissions mean in one environment: the ARNs each
names (core.plan.references lists the references)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import assert_never

from aws_cdk import Stack
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ssm as ssm

from ..core import naming
from ..core.plan.references import (
    Parameter,
    Pipeline,
    Reference,
    Repository,
    Resources,
    Service,
    TaskDefinitions,
)
from ..core.stages import PipelineKind
from . import props as p
from ._privilege import task_family_arn


def parameter_arn(stack: Stack, name: str) -> str:
    """A parameter's ARN from its name (`/a/b` is `parameter/a/b`)."""
    return stack.format_arn(service="ssm", resource="parameter", resource_name=name.lstrip("/"))


def secret_arn(secret: secretsmanager.ISecret) -> str:
    """A secret's ARN for a policy: its complete ARN, else any of its six-character suffixes."""
    return secret.secret_full_arn or f"{secret.secret_arn}-??????"


@dataclass(frozen=True)
class PlanResources:
    """The ARNs of the environment's resources, by reference: every one of a kind, and each
    repository, service, task family, version parameter and pipeline."""

    every: Mapping[Resources, Sequence[str]]
    repositories: Mapping[str, str]
    services: Mapping[str, str]
    task_families: Mapping[str, str]
    parameters: Mapping[str, str]
    pipelines: Mapping[PipelineKind, str]

    def arns(self, reference: Reference) -> list[str]:
        """The ARNs one reference names; a reference to something the environment lacks fails."""
        match reference:
            case Resources():
                return list(self.every[reference])
            case Repository(image):
                return [self.repositories[image]]
            case Service(key):
                return [self.services[key]]
            case TaskDefinitions(key):
                return [self.task_families[key]]
            case Parameter(name):
                return [self.parameters[name]]
            case Pipeline(kind):
                return [self.pipelines[kind]]
            case _:
                assert_never(reference)


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
) -> PlanResources:
    tree = naming.variable_tree(project).strip("/")
    every: dict[Resources, Sequence[str]] = {
        Resources.ANY: ["*"],
        Resources.REPOSITORIES: [r.repository_arn for r in repositories.values()],
        Resources.SERVICES: [arn for _, arn in service_arns.values()],
        # GetParametersByPath is asked about the path itself, GetParameters about each parameter.
        Resources.VARIABLE_TREE: [parameter_arn(stack, tree), parameter_arn(stack, f"{tree}/*")],
        Resources.TASK_DEFINITIONS: list(
            dict.fromkeys(task_family_arn(stack, f) for f in task_families.values())
        ),
        Resources.TASK_ROLES: list(task_roles),
        Resources.HOOK_SECRETS_SSM: list(
            dict.fromkeys(
                parameter_arn(stack, s.parameter_name)
                for s in hook_secrets.values()
                if s.parameter_name
            )
        ),
        Resources.HOOK_SECRETS_SECRETSMANAGER: list(
            dict.fromkeys(secret_arn(s.secret) for s in hook_secrets.values() if s.secret)
        ),
    }
    return PlanResources(
        every=every,
        repositories={k: r.repository_arn for k, r in repositories.items()},
        services={k: arn for k, (_, arn) in service_arns.items()},
        task_families={k: task_family_arn(stack, f) for k, f in task_families.items()},
        parameters={k: prm.parameter_arn for k, prm in parameters.items()},
        pipelines={
            kind: stack.format_arn(service="codepipeline", resource=naming.pipeline(project, kind))
            for kind in PipelineKind
        },
    )
