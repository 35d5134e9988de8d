"""One execution of a pipeline of the template, run as CodePipeline would run it.

Stages run in order and actions by RunOrder; variables (`#{Namespace.Variable}`) come from the
source action, from CodeBuild's exported variables and from the execution; artifacts pass
between actions by name. Every call a step makes is authorized against the template's roles:
the action role for what CodePipeline does on the action's behalf (start a build, deploy to
ECS, publish the approval), the project's role for everything a build does.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import count, groupby
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from ..aws.calls import Access, Request, service_arn
from ..aws.gate import AccessDeniedError, Call
from ..codebuild.artifacts import artifact_files, lay_inputs, write_output
from ..codebuild.build import BuildError
from ..errors import RehearsalDefectError, RehearsalError
from .start import resolve_variables
from .start import trigger as start_trigger

_VARIABLE = re.compile(r"#\{([A-Za-z0-9_@.\-]+)\.([A-Za-z0-9_@.\-]+)\}")
_ECR_IMAGE = re.compile(r"(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)"
                        r"\.amazonaws\.com(?:\.cn)?/"
                        r"(?P<repository>[^:@]+):(?P<tag>.+)")  # fmt: skip
_IDS = count(1)


@dataclass
class StepResult:
    stage: str
    action: str
    status: str  # Succeeded | Failed
    duration: float = 0.0
    commands: list[str] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    message: str = ""
    log: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "action": self.action,
            "status": self.status,
            "duration": round(self.duration, 2),
            "message": self.message,
            "commands": self.commands,
            "calls": [c.to_json() for c in self.calls],
        }


class StepFailedError(Exception):
    pass


@dataclass
class Approval:
    pipeline: str
    text: str
    approved: bool


class Execution:
    """One execution; `run` goes until the end or the first failed stage, `retry` re-runs the
    failed stage's failed actions and goes on, as CodePipeline's "Retry failed actions"."""

    def __init__(
        self,
        world: Any,
        pipeline_name: str,
        approve: bool = True,
        *,
        variables: Mapping[str, str] | None = None,
        trigger: str = "push",
    ) -> None:
        """Refused (PipelineStartError) as CodePipeline refuses the start: an undeclared
        variable, or a declared one with no default that is not given."""
        self.world = world
        self.template = world.template
        found = [
            r["Properties"]
            for r in self.template.resources("AWS::CodePipeline::Pipeline").values()
            if self.template.resolve(r["Properties"]["Name"]) == pipeline_name
        ]
        if not found:
            raise KeyError(pipeline_name)
        self.definition = self.template.resolve(found[0])
        self.name = pipeline_name
        self.pipeline_variables = resolve_variables(pipeline_name, self.definition, variables or {})
        self.trigger = start_trigger(
            pipeline_name, self.definition, trigger, self.template.region, self.template.account
        )
        self.id = f"rehearsal-{next(_IDS):04d}-0000-0000-0000-000000000000"
        self.approve = approve
        self.status = "InProgress"
        self.start_time = world.clock()
        self.steps: list[StepResult] = []
        self.variables: dict[str, dict[str, str]] = {
            "codepipeline": {"PipelineExecutionId": self.id},
            "variables": dict(self.pipeline_variables),
        }
        self.artifacts: dict[str, Path] = {}
        self.approval: Approval | None = None
        self._next_stage = 0
        self._failed: set[str] = set()
        self.stop_reason = ""  # set by StopPipelineExecution: ends after the running stage
        self.workdir = world.workdir / self.id
        world.register(self)

    def summary(self) -> dict[str, Any]:
        """As ListPipelineExecutions lists it (PipelineExecutionSummary)."""
        return {
            "pipelineExecutionId": self.id,
            "status": self.status,
            "startTime": self.start_time,
            "trigger": dict(self.trigger),
            "executionMode": self.definition.get("ExecutionMode", "SUPERSEDED"),
        }

    def described(self) -> dict[str, Any]:
        """As GetPipelineExecution describes it (PipelineExecution)."""
        return {
            "pipelineName": self.name,
            "pipelineVersion": 1,
            "pipelineExecutionId": self.id,
            "status": self.status,
            "trigger": dict(self.trigger),
            "variables": [
                {"name": k, "resolvedValue": v} for k, v in self.pipeline_variables.items()
            ],
            "executionMode": self.definition.get("ExecutionMode", "SUPERSEDED"),
        }

    # Running ----------------------------------------------------------------------------
    def run(self) -> Execution:
        stages = self.definition["Stages"]
        while self._next_stage < len(stages):
            stage = stages[self._next_stage]
            if not self._run_stage(stage):
                self.status = "Failed"
                return self
            self._next_stage += 1
            if self.stop_reason:
                self.status = "Stopped"
                return self
        self.status = "Succeeded"
        return self

    def retry(self) -> Execution:
        self.status = "InProgress"
        return self.run()

    def _run_stage(self, stage: dict[str, Any]) -> bool:
        ordered = sorted(stage["Actions"], key=lambda a: int(a.get("RunOrder", 1)))
        for _, group in groupby(ordered, key=lambda a: int(a.get("RunOrder", 1))):
            actions = [a for a in group if not self._failed or a["Name"] in self._failed]
            results = [self._run_action(stage["Name"], action) for action in actions]
            self._failed = {r.action for r in results if r.status == "Failed"}
            if self._failed:
                return False
        return True

    def _run_action(self, stage: str, action: dict[str, Any]) -> StepResult:
        result = StepResult(stage, action["Name"], "Succeeded")
        self.steps.append(result)
        started = time.monotonic()
        before = len(self.world.gate.calls)
        runner = self._runner(action["ActionTypeId"])
        try:
            runner(stage, action, result)
        except (StepFailedError, AccessDeniedError, BuildError) as exc:
            result.status, result.message = "Failed", str(exc)
        except ClientError as exc:  # an AWS API refused a call the action makes
            result.status, result.message = "Failed", str(exc)
        except RehearsalError:  # the rehearsal cannot go on (a server gone): it says why
            raise
        except Exception as exc:  # a bug of the rehearsal: no step of the pipeline failed
            raise RehearsalDefectError(
                f"internal error at {stage}/{action['Name']}: {type(exc).__name__}: {exc} "
                "(a bug of the rehearsal, not a failure of the pipeline: please report it)"
            ) from exc
        result.duration = time.monotonic() - started
        step = f"{stage}/{action['Name']}@{self.id}"
        result.calls = [c for c in self.world.gate.calls[before:] if c.step == step]
        return result

    def _runner(self, kind: dict[str, str]) -> Callable[[str, dict[str, Any], StepResult], None]:
        runners = {
            "Source": self._source,
            "Build": self._codebuild,
            "Test": self._codebuild,
            "Approval": self._approval,
            "Deploy": self._ecs,
        }
        if kind["Category"] not in runners or (
            kind["Category"] == "Deploy" and kind["Provider"] != "ECS"
        ):
            raise StepFailedError(f"the rehearsal cannot run {kind['Category']}/{kind['Provider']}")
        return runners[kind["Category"]]

    # Helpers ------------------------------------------------------------------------------
    def substitute(self, text: str) -> str:
        def value(match: re.Match[str]) -> str:
            namespace, name = match.group(1), match.group(2)
            try:
                return self.variables[namespace][name]
            except KeyError:
                raise StepFailedError(
                    f"unable to resolve the variable #{{{namespace}.{name}}}"
                ) from None

        return _VARIABLE.sub(value, text)

    def _step(self, stage: str, action: dict[str, Any]) -> str:
        return f"{stage}/{action['Name']}@{self.id}"

    def _assume(self, stage: str, action: dict[str, Any]) -> str:
        role = str(action.get("RoleArn") or self.definition["RoleArn"])
        if role != self.definition["RoleArn"]:
            self.world.gate.require(
                self._step(stage, action), self.definition["RoleArn"], "codepipeline AssumeRole",
                Access("sts:AssumeRole", role),
            )  # fmt: skip
        return role

    def _artifact_access(self, step: str, role: str, name: str, write: bool) -> None:
        store = self.definition["ArtifactStore"]
        bucket = store["Location"]
        key = f"{self.name[:20]}/{name[:20]}/{self.id[:20]}"
        action = "s3:PutObject" if write else "s3:GetObject"
        operation = "codepipeline artifact " + ("upload" if write else "download")
        arn = f"arn:{self.template.partition}:s3:::{bucket}/{key}"
        self.world.gate.require(step, role, operation, Access(action, arn))
        key_arn = (store.get("EncryptionKey") or {}).get("Id")
        if key_arn:
            kms = "kms:GenerateDataKey" if write else "kms:Decrypt"
            self.world.gate.require(step, role, operation, Access(kms, key_arn))

    # Actions ------------------------------------------------------------------------------
    def _source(self, stage: str, action: dict[str, Any], result: StepResult) -> None:
        step = self._step(stage, action)
        role = self._assume(stage, action)
        config = action.get("Configuration", {})
        connection = config.get("ConnectionArn")
        if connection:
            # CodeConnections was CodeStar Connections: IAM honours both names for both ARN forms.
            old = connection.replace(":codeconnections:", ":codestar-connections:")
            new = connection.replace(":codestar-connections:", ":codeconnections:")
            self.world.gate.require_any(
                step, role, "codepipeline source",
                [Access("codestar-connections:UseConnection", old),
                 Access("codeconnections:UseConnection", new)],
            )  # fmt: skip
        commit = self.world.source.head()
        target = self.workdir / "artifacts" / action["OutputArtifacts"][0]["Name"]
        self.world.source.export(commit, target)
        for output in action.get("OutputArtifacts", []):
            self._artifact_access(step, role, output["Name"], write=True)
            self.artifacts[output["Name"]] = target
        namespace = action.get("Namespace")
        if namespace:
            self.variables[namespace] = {
                "CommitId": commit,
                "BranchName": str(config.get("BranchName", "main")),
                "VersionId": commit,
                "CommitMessage": "rehearsal",
            }
        result.commands = [f"git checkout {commit}"]

    def _codebuild(self, stage: str, action: dict[str, Any], result: StepResult) -> None:
        step = self._step(stage, action)
        role = self._assume(stage, action)
        config = action["Configuration"]
        project_name = self.substitute(str(config["ProjectName"]))
        where = f"{self.template.region}:{self.template.account}"
        project_arn = f"arn:{self.template.partition}:codebuild:{where}:project/{project_name}"
        for call in ("codebuild:StartBuild", "codebuild:BatchGetBuilds"):
            self.world.gate.require(step, role, "codepipeline build", Access(call, project_arn))
        action_env = json.loads(self.substitute(str(config.get("EnvironmentVariables", "[]"))))
        inputs = [a["Name"] for a in action.get("InputArtifacts", [])]
        outputs = [a["Name"] for a in action.get("OutputArtifacts", [])]
        build, spec_text, project_role = self.world.prepare_build(
            step, project_name, self.workdir / "builds" / action["Name"]
        )
        for name in inputs:
            self._artifact_access(step, project_role, name, write=False)
        secondary = lay_inputs(
            inputs, config.get("PrimarySource"), self.artifacts, build.source_dir
        )
        build.action_env = action_env
        build.service_env = {
            **build.service_env,
            **secondary,
            "CODEBUILD_INITIATOR": f"codepipeline/{self.name}",
            "CODEBUILD_RESOLVED_SOURCE_VERSION": self.variables.get("SourceVariables", {}).get(
                "CommitId", ""
            ),
        }
        commands, outcome = self.world.run_build(step, build, project_role)
        result.commands, result.log = commands, outcome.log
        if outcome.status != "SUCCEEDED":
            raise StepFailedError(f"build {outcome.status}: {outcome.reason}\n{_tail(outcome.log)}")
        for name in outputs:
            files = artifact_files(build.source_dir, spec_text, name, len(outputs))
            self._artifact_access(step, project_role, name, write=True)
            target = self.workdir / "artifacts" / name
            write_output(files, target)
            self.artifacts[name] = target
        if action.get("Namespace"):
            self.variables[action["Namespace"]] = outcome.exported

    def _approval(self, stage: str, action: dict[str, Any], result: StepResult) -> None:
        step = self._step(stage, action)
        role = self._assume(stage, action)
        config = action.get("Configuration", {})
        text = self.substitute(str(config.get("CustomData", "")))
        topic = config.get("NotificationArn")
        if topic:
            self.world.aws.as_role("sns", role, step).publish(TopicArn=topic, Message=text)
        self.approval = Approval(self.name, text, self.approve)
        result.commands = [f"approval: {text}"]
        if not self.approve:
            raise StepFailedError("rejected by the approver")

    def _ecs(self, stage: str, action: dict[str, Any], result: StepResult) -> None:
        step = self._step(stage, action)
        role = self._assume(stage, action)
        config = action["Configuration"]
        [source] = [a["Name"] for a in action["InputArtifacts"]]
        self._artifact_access(step, role, source, write=False)
        file = self.artifacts[source] / config.get("FileName", "imagedefinitions.json")
        try:
            images = {
                d["name"]: d["imageUri"] for d in json.loads(file.read_text(encoding="utf-8"))
            }
        except (OSError, ValueError, KeyError, TypeError) as exc:  # as CodePipeline refuses it
            raise StepFailedError(f"cannot read the image definitions {file.name}: {exc}") from exc
        ecs = self.world.aws.as_role("ecs", role, step)
        cluster, service = config["ClusterName"], config["ServiceName"]
        described = ecs.describe_services(cluster=cluster, services=[service])["services"][0]
        definition = ecs.describe_task_definition(taskDefinition=described["taskDefinition"])[
            "taskDefinition"
        ]
        containers = definition["containerDefinitions"]
        unknown = set(images) - {c["name"] for c in containers}
        if unknown:
            raise StepFailedError(f"the task definition has no container named {sorted(unknown)}")
        for container in containers:
            container["image"] = images.get(container["name"], container["image"])
        registered = ecs.register_task_definition(
            family=definition["family"],
            containerDefinitions=containers,
            **{k: definition[k] for k in ("taskRoleArn", "executionRoleArn") if definition.get(k)},
        )["taskDefinition"]["taskDefinitionArn"]
        ecs.update_service(cluster=cluster, service=service, taskDefinition=registered)
        result.commands = [
            f"ecs update-service {service_arn_text(self, cluster, service)} -> "
            + ", ".join(f"{k}={v}" for k, v in images.items())
        ]


def service_arn_text(execution: Execution, cluster: str, service: str) -> str:
    request = Request("ecs", "", {}, execution.template.region, execution.template.account)
    return service_arn(request, cluster, service)


def _tail(log: str, lines: int = 15) -> str:
    return "\n".join(log.splitlines()[-lines:])
