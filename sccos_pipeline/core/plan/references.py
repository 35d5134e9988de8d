"""What a permission's `on` names: resources of one environment, as small typed references the
CDK shell resolves to ARNs (cdk/_references.py), and the placeholders a plain variable holds.
A misspelt reference fails type checking, not synth; `str()` of each is how the plan's JSON and
text spell it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..stages import PipelineKind


class Resources(StrEnum):
    """Every resource of a kind in the environment."""

    ANY = "*"  # for actions that have no resource type
    REPOSITORIES = "repositories"  # its ECR repositories
    SERVICES = "services"  # its ECS services (long ARNs)
    VARIABLE_TREE = "variable-tree"  # every parameter under its Spryker variable path
    TASK_DEFINITIONS = "task-definitions"  # every revision of its services' task families
    TASK_ROLES = "task-roles"  # its services' task and execution roles (PassRole to ECS tasks)
    # The parameters and secrets the hook projects' secret variables name (settings); none when
    # they name none: the permission is then left out.
    HOOK_SECRETS_SSM = "hook-secrets:ssm"
    HOOK_SECRETS_SECRETSMANAGER = "hook-secrets:secretsmanager"


@dataclass(frozen=True)
class Repository:
    """The ECR repository of one image."""

    image: str

    def __str__(self) -> str:
        return f"repository:{self.image}"


@dataclass(frozen=True)
class Service:
    """One ECS service, by its key (an application, `frontend`, `jenkins`)."""

    key: str

    def __str__(self) -> str:
        return f"service:{self.key}"


@dataclass(frozen=True)
class TaskDefinitions:
    """Every revision of one service's task family (`family:*`), by the service's key."""

    key: str

    def __str__(self) -> str:
        return f"task-definition:{self.key}"


@dataclass(frozen=True)
class Parameter:
    """One of the environment's version parameters, by its name (naming.PARAMETER_*)."""

    name: str

    def __str__(self) -> str:
        return f"parameter:{self.name}"


@dataclass(frozen=True)
class Pipeline:
    """One of the environment's pipelines."""

    kind: PipelineKind

    def __str__(self) -> str:
        return f"pipeline:{self.kind.value}"


Reference = Resources | Repository | Service | TaskDefinitions | Parameter | Pipeline


class Placeholder(StrEnum):
    """A value of the environment a plain variable holds, which the CDK shell fills in."""

    ACCOUNT = "{account}"  # the stack's account
    BROKER_API = "{broker.api}"  # the RabbitMQ management API (BrokerSettings.api_url)
