"""A step fails only where CodePipeline or CodeBuild would report a failure; a bug of the
rehearsal itself is an internal error (the command exits 2), never a failed step."""

from __future__ import annotations

import threading
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


def _build_action(name: str, run_order: int) -> dict[str, Any]:
    return {
        "Name": name,
        "RunOrder": run_order,
        "ActionTypeId": {"Category": "Build", "Provider": "CodeBuild"},
    }


def test_actions_of_one_run_order_run_at_the_same_time() -> None:
    """AWS CodePipeline runs a stage's actions "in sequence or in parallel, as determined in the
    configuration of the stage" (https://docs.aws.amazon.com/codepipeline/latest/userguide/
    actions.html): actions with the same `runOrder` run in parallel, a higher one after them.

    `First` can finish only once `Second` has started (and the other way round): run one after
    the other, the first would wait in vain. `Later` (RunOrder 2) starts after both ended."""
    started = {"First": threading.Event(), "Second": threading.Event()}
    seen: list[str] = []

    def build(stage: str, action: dict[str, Any], result: StepResult) -> None:
        name = action["Name"]
        seen.append(f"{name} started")
        if name in started:
            started[name].set()
            other = started["Second" if name == "First" else "First"]
            if not other.wait(timeout=5):
                raise StepFailedError(f"{name} ran alone")
        seen.append(f"{name} ended")

    execution = _execution(build)
    execution._codebuild = build  # type: ignore[method-assign]
    stage = {
        "Name": "Deploy",
        "Actions": [
            _build_action("Later", 2),
            _build_action("First", 1),
            _build_action("Second", 1),
        ],
    }
    execution._failed = set()
    assert execution._run_stage(stage) is True
    assert [(s.action, s.status, s.message) for s in execution.steps] == [
        ("First", "Succeeded", ""),
        ("Second", "Succeeded", ""),
        ("Later", "Succeeded", ""),
    ]
    assert seen[-2:] == ["Later started", "Later ended"]
    assert sorted(seen[:4]) == ["First ended", "First started", "Second ended", "Second started"]
