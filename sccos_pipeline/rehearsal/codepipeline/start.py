"""What a start of a V2 pipeline fixes: its pipeline-level variables and its trigger.

Variables are declared in the pipeline (`Variables: [{Name, DefaultValue, Description}]`),
referenced as `#{variables.NAME}` and may be overridden at the start
(https://docs.aws.amazon.com/codepipeline/latest/userguide/reference-variables.html). The
trigger is recorded as `GetPipelineExecution` reports it
(https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ExecutionTrigger.html).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...core.naming import partition_of
from ..errors import RehearsalError

TRIGGERS = ("push", "manual", "created")
# Who starts a pipeline by hand in a rehearsal (an operator's console or CLI session).
OPERATOR_SESSION = "assumed-role/operator/rehearsal"
_NAME = re.compile(r"^[A-Za-z0-9@\-_]+$")  # StartPipelineExecution's pattern for names


class PipelineStartError(RehearsalError):
    """CodePipeline refuses the start with a ValidationException; `reason` is its message."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"ValidationException: {reason}")
        self.reason = reason


def resolve_variables(
    pipeline: str, definition: Mapping[str, Any], given: Mapping[str, str]
) -> dict[str, str]:
    """The value of every declared variable: given at the start, else its default."""
    declared = {str(v["Name"]): v for v in definition.get("Variables") or []}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise PipelineStartError(
            f"pipeline {pipeline} declares no variable named "
            f"{', '.join(unknown)} (it declares: {', '.join(declared) or 'none'})"
        )
    for name, value in given.items():
        if not _NAME.match(name) or value == "":
            raise PipelineStartError(
                f"variable {name!r}: names must match [A-Za-z0-9@\\-_]+ "
                "and values can be anything except an empty string"
            )
    values: dict[str, str] = {}
    for name, declaration in declared.items():
        if name in given:
            values[name] = str(given[name])
        elif declaration.get("DefaultValue") not in (None, ""):
            values[name] = str(declaration["DefaultValue"])
        else:
            raise PipelineStartError(
                f"variable {name} of pipeline {pipeline} has no default "
                "value: provide a value for it when you start the pipeline"
            )
    return values


def _source_action(definition: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The source action a push starts: the trigger's, else the first one."""
    named = [
        t["GitConfiguration"]["SourceActionName"]
        for t in definition.get("Triggers") or []
        if (t.get("GitConfiguration") or {}).get("SourceActionName")
    ]
    sources: list[Mapping[str, Any]] = [
        action
        for stage in definition["Stages"]
        for action in stage["Actions"]
        if action["ActionTypeId"]["Category"] == "Source"
    ]
    for action in sources:
        if not named or action["Name"] in named:
            return action
    return None


def trigger(
    pipeline: str, definition: Mapping[str, Any], kind: str, region: str, account: str
) -> dict[str, str]:
    """`push`: the change a source action detected; `manual`: StartPipelineExecution by the
    operator; `created`: the run CodePipeline starts once when the pipeline is created."""
    partition = partition_of(region)
    if kind == "created":
        return {
            "triggerType": "CreatePipeline",
            "triggerDetail": f"arn:{partition}:sts::{account}:assumed-role/cloudformation/"
            "rehearsal",
        }
    if kind == "manual":
        return {
            "triggerType": "StartPipelineExecution",
            "triggerDetail": f"arn:{partition}:sts::{account}:{OPERATOR_SESSION}",
        }
    if kind != "push":
        raise RehearsalError(f"trigger {kind!r}: one of {', '.join(TRIGGERS)}")
    action = _source_action(definition)
    if action is None:
        raise RehearsalError(
            f"pipeline {pipeline} has no source action, so no push starts it: "
            "start it with trigger manual"
        )
    config = action.get("Configuration") or {}
    provider = action["ActionTypeId"]["Provider"]
    # Connections (GitHub, Bitbucket, GitLab) start V2 pipelines by webhook; CodeCommit and S3
    # sources by an EventBridge rule.
    if provider == "CodeStarSourceConnection":
        return {"triggerType": "WebhookV2", "triggerDetail": str(config["ConnectionArn"])}
    if provider == "CodeCommit":
        arn = f"arn:{partition}:codecommit:{region}:{account}:{config['RepositoryName']}"
        return {"triggerType": "CloudWatchEvent", "triggerDetail": arn}
    if provider == "S3":
        arn = f"arn:{partition}:s3:::{config['S3Bucket']}/{config['S3ObjectKey']}"
        return {"triggerType": "CloudWatchEvent", "triggerDetail": arn}
    raise RehearsalError(f"the rehearsal cannot push to a {provider} source ({pipeline})")
