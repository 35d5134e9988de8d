"""The CDK shell: constructs that translate the core's model into AWS resources.

Public: the two constructs and their props. The modules named with a leading underscore wire
them (projects, references, Denies, cdk-nag, metadata, ...) and may change in any release.
"""

from .environment import SprykerEnvironment
from .pipeline import SprykerPipeline
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

# sccos_pipeline exports these too, reading this list from this file's source (never importing
# aws_cdk to learn it): keep it a list of string literals.
__all__ = [
    "DEFAULT_HOOK_SETTINGS",
    "BrokerSettings",
    "CodeCommitSource",
    "CodeStarConnectionSource",
    "HookProjectSettings",
    "PipelineSource",
    "PropsError",
    "S3Source",
    "SecretSource",
    "ServiceTarget",
    "SprykerEnvironment",
    "SprykerPipeline",
]
