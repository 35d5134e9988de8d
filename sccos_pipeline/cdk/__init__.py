"""The CDK shell: constructs that translate the core's model into AWS resources."""

from .environment import SprykerEnvironment
from .pipeline import SprykerPipeline
from .projects import ProjectContext, project_from_plan
from .props import (
    DEFAULT_HOOK_SETTINGS,
    BrokerSettings,
    CodeCommitSource,
    CodeStarConnectionSource,
    HookProjectSettings,
    PipelineSource,
    PropsError,
    S3Source,
    SecretSource,
    ServiceTarget,
)

__all__ = [
    "DEFAULT_HOOK_SETTINGS",
    "BrokerSettings",
    "CodeCommitSource",
    "CodeStarConnectionSource",
    "HookProjectSettings",
    "PipelineSource",
    "ProjectContext",
    "PropsError",
    "S3Source",
    "SecretSource",
    "ServiceTarget",
    "SprykerEnvironment",
    "SprykerPipeline",
    "project_from_plan",
]
