"""sccos_pipeline: Spryker Cloud Commerce OS deployment pipelines as AWS CDK constructs.

The constructs load lazily, so `sccos-pipeline` and the core never import aws_cdk:

    from sccos_pipeline import SprykerEnvironment, CodeStarConnectionSource
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .core.deployfile.findings import DeployFileError, Finding, Severity
from .core.deployfile.loader import load_deploy_file, validate_deploy_file
from .core.stages import PipelineKind, PipelineType, Stage

if TYPE_CHECKING:
    from .cdk import (
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
        SprykerEnvironment,
        SprykerPipeline,
    )

__all__ = [
    "DEFAULT_HOOK_SETTINGS",
    "BrokerSettings",
    "CodeCommitSource",
    "CodeStarConnectionSource",
    "DeployFileError",
    "Finding",
    "HookProjectSettings",
    "PipelineKind",
    "PipelineSource",
    "PipelineType",
    "PropsError",
    "S3Source",
    "SecretSource",
    "ServiceTarget",
    "Severity",
    "SprykerEnvironment",
    "SprykerPipeline",
    "Stage",
    "load_deploy_file",
    "validate_deploy_file",
]


# Everything exported but not imported above comes from the CDK shell, on first use.
_CDK_NAMES = frozenset(__all__) - set(globals())


def __getattr__(name: str) -> Any:
    if name in _CDK_NAMES:
        try:
            from . import cdk  # noqa: PLC0415 - deferred so the CLI never loads aws_cdk
        except ModuleNotFoundError as exc:
            if exc.name not in ("aws_cdk", "constructs"):
                raise
            raise ImportError(
                f"sccos_pipeline.{name} needs the CDK: pip install 'sccos-pipeline[cdk]'"
            ) from exc
        return getattr(cdk, name)
    raise AttributeError(f"module 'sccos_pipeline' has no attribute {name!r}")
