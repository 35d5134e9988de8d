"""The CDK shell: constructs that translate the core's model into AWS resources."""

from .environment import SprykerEnvironment
from .pipeline import PipelineProjects, SprykerPipeline
from .projects import SprykerHookProjects
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
from .support import SupportProjects

__all__ = [
    "DEFAULT_HOOK_SETTINGS",
    "BrokerSettings",
    "CodeCommitSource",
    "CodeStarConnectionSource",
    "HookProjectSettings",
    "PipelineProjects",
    "PipelineSource",
    "PropsError",
    "S3Source",
    "SecretSource",
    "ServiceTarget",
    "SprykerEnvironment",
    "SprykerHookProjects",
    "SprykerPipeline",
    "SupportProjects",
]
