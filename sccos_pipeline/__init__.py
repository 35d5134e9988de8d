"""sccos_pipeline: Spryker Cloud Commerce OS deployment pipelines as AWS CDK constructs.

The constructs load lazily, so `sccos-pipeline` and the core never import aws_cdk:

    from sccos_pipeline import SprykerEnvironment, CodeStarConnectionSource
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .core.deployfile.findings import DeployFileError, Finding, Severity
from .core.deployfile.loader import load_deploy_file, validate_deploy_file
from .core.plan.builder import build_environment_plan
from .core.plan.model import EnvironmentPlan, PipelinePlan, PlanOptions
from .core.stages import PipelineKind, PipelineType, Stage

if TYPE_CHECKING:
    from .cdk import *  # noqa: F403 - the constructs and their props, as cdk.__all__ lists them


def _cdk_exports() -> list[str]:
    """cdk.__all__, read from its source: importing the package must not load aws_cdk."""
    source = (Path(__file__).parent / "cdk" / "__init__.py").read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", "") for t in node.targets] == [
            "__all__"
        ]:
            return list(ast.literal_eval(node.value))
    raise ImportError("sccos_pipeline/cdk/__init__.py has no __all__ list")


# Everything exported but not imported above comes from the CDK shell, on first use.
_CDK_NAMES = frozenset(_cdk_exports())

__all__ = [
    "DeployFileError",
    "EnvironmentPlan",
    "Finding",
    "PipelineKind",
    "PipelinePlan",
    "PipelineType",
    "PlanOptions",
    "Severity",
    "Stage",
    "build_environment_plan",
    "load_deploy_file",
    "validate_deploy_file",
]
__all__ += sorted(_CDK_NAMES)  # noqa: PLE0605 - cdk.__all__, read from its source above


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
