"""A step fails only where CodePipeline or CodeBuild would report a failure; a bug of the
rehearsal itself is an internal error (the command exits 2), never a failed step."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from sccos_pipeline.rehearsal.codepipeline.execution import (
    Execution,
    StepFailedError,
    StepResult,
)
from sccos_pipeline.rehearsal.errors import RehearsalDefectError, RehearsalError

SOURCE = {"Name": "Checkout", "ActionTypeId": {"Category": "Source", "Provider": "S3"}}


def _execution(source: Any) -> Execution:
    """An execution whose Source action runs `source`; nothing else of a session is needed."""
    execution = object.__new__(Execution)
    execution.world = SimpleNamespace(gate=SimpleNamespace(calls=[]))
    execution.id = "rehearsal-0001"
    execution.steps = []
    execution._source = source  # type: ignore[method-assign]
    return execution


def test_a_failure_codepipeline_reports_fails_the_step() -> None:
    def fails(stage: str, action: dict[str, Any], result: StepResult) -> None:
        raise StepFailedError("rejected by the approver")

    result = _execution(fails)._run_action("Source", SOURCE)
    assert (result.status, result.message) == ("Failed", "rejected by the approver")


def test_a_bug_of_the_rehearsal_is_an_internal_error_not_a_failed_step() -> None:
    def bug(stage: str, action: dict[str, Any], result: StepResult) -> None:
        raise TypeError("'NoneType' object is not subscriptable")

    execution = _execution(bug)
    with pytest.raises(RehearsalDefectError, match="Source/Checkout") as raised:
        execution._run_action("Source", SOURCE)
    assert "TypeError: 'NoneType' object is not subscriptable" in str(raised.value)
    assert isinstance(raised.value.__cause__, TypeError)
    # The command reports a RehearsalError as "could not run" (exit 2), not as a failed pipeline.
    assert isinstance(raised.value, RehearsalError)
