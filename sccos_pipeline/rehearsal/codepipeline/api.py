"""CodePipeline's API as builds call it; the rehearsal is the CodePipeline.

Answers have the shapes of the API reference: `ListPipelineExecutions` ->
PipelineExecutionSummary, `GetPipelineExecution` -> PipelineExecution (with `trigger` and the
resolved `variables`), `StartPipelineExecution` -> the new execution's id
(https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_Operations.html). An
execution a build starts is queued and runs once the running one has ended; one a build stops
("stop and wait") ends after the running stage, as Stopped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..aws.gate import Caller
from ..aws.iam import assumed_role_arn
from ..aws.server import ApiError
from .execution import Execution
from .start import PipelineStartError


class CodePipelineApi:
    """The operations builds call, over the rehearsal's pipelines and executions."""

    def __init__(self, rehearsal: Any) -> None:
        self.rehearsal = rehearsal

    def __call__(self, operation: str, params: Mapping[str, Any], caller: Caller) -> dict[str, Any]:
        name = str(params.get("pipelineName", params.get("name", "")))
        if name not in self.rehearsal.pipeline_names():
            raise ApiError(
                "PipelineNotFoundException",
                f"Account '{self.rehearsal.template.account}' does not have a pipeline with "
                f"name '{name}'",
            )
        runs: list[Execution] = self.rehearsal.executions.get(name, [])
        if operation == "ListPipelineExecutions":
            return {"pipelineExecutionSummaries": [e.summary() for e in runs]}
        if operation == "GetPipelineExecution":
            wanted = params.get("pipelineExecutionId")
            found = [e for e in runs if e.id == wanted]
            if not found:
                raise ApiError(
                    "PipelineExecutionNotFoundException",
                    f"Pipeline execution {wanted} of pipeline {name} does not exist",
                )
            return {"pipelineExecution": found[0].described()}
        if operation == "StartPipelineExecution":
            return {"pipelineExecutionId": self._start(name, params, caller).id}
        if operation == "StopPipelineExecution":
            return {"pipelineExecutionId": self._stop(name, runs, params).id}
        raise ApiError("UnknownOperationException", f"the rehearsal does not serve {operation}")

    def _stop(self, name: str, runs: list[Execution], params: Mapping[str, Any]) -> Execution:
        wanted = params.get("pipelineExecutionId")
        found = [e for e in runs if e.id == wanted and e.status == "InProgress"]
        if not found:
            raise ApiError(
                "PipelineExecutionNotStoppableException",
                f"Pipeline execution {wanted} of pipeline {name} is not in progress",
            )
        if params.get("abandon"):
            raise ApiError("ValidationException", "the rehearsal stops and waits only")
        found[0].stop_reason = str(params.get("reason") or "stopped")
        return found[0]

    def _start(self, name: str, params: Mapping[str, Any], caller: Caller) -> Execution:
        given = {str(v["name"]): str(v["value"]) for v in params.get("variables") or []}
        try:
            execution = Execution(self.rehearsal, name, approve=True, variables=given,
                                  trigger="manual")  # fmt: skip
        except PipelineStartError as exc:
            raise ApiError("ValidationException", exc.reason) from None
        execution.trigger = {
            "triggerType": "StartPipelineExecution",
            "triggerDetail": assumed_role_arn(caller.role_arn),  # as AccessDenied names it
        }
        self.rehearsal.started.append(execution)
        return execution
