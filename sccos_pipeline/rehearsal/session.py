"""A rehearsal session: the servers, the world, and the executions run in it.

    with Rehearsal(cdk_out, "sccos-spryker-demo-staging") as rehearsal:
        execution = rehearsal.start("normal").run()
        rehearsal.state()

Every server it starts (moto, the proxy, RabbitMQ, the IAM simulator) is stopped on exit,
including on Ctrl-C.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .aws.calls import Access, Request, parameter_arn
from .aws.fastcli import start_server, write_client
from .aws.gate import Gate
from .aws.iam import Authorizer
from .aws.server import AwsEmulator, LocalHandler
from .cloudformation.template import StackTemplate, load_stack
from .codebuild.build import Build, BuildError, BuildResult, run_build
from .codepipeline.api import CodePipelineApi
from .codepipeline.execution import Execution
from .errors import RehearsalError
from .world.rabbitmq import RabbitMQ
from .world.resources import (
    SourceRepository,
    create_existing,
    create_resources,
    describe,
    final_state,
    secret_name,
    write_parameters,
)
from .world.standins import REHEARSAL_KEY, lay_application, write_standins

_ECR_HOST = ".dkr.ecr."
STANDARD_IMAGE_PREFIX = "aws/codebuild/"


class Rehearsal:
    def __init__(
        self,
        cdk_out: Path,
        stack: str,
        *,
        source: Path | None = None,
        rabbit: RabbitMQ | None = None,
    ) -> None:
        """
        :param source: the repository to deploy. Default: the deploy file's folder.
        :param rabbit: a running RabbitMQ to use (emptied first; not stopped). Default: one is
            started and stopped with the rehearsal.
        """
        self.template: StackTemplate = load_stack(cdk_out, stack)
        self.description = describe(cdk_out, self.template)
        self._source_dir = source or self.description.deploy_file.parent
        self._shared_rabbit = rabbit
        self.knobs: dict[str, Any] = {}
        self.executions: dict[str, list[Execution]] = {}
        self.started: list[Execution] = []  # by builds, not yet run
        self._codepipeline_api = CodePipelineApi(self)  # what builds' CLI calls reach
        self._tick = 0
        self._lock = threading.Lock()
        self._stack = contextlib.ExitStack()

    # Set-up and tear-down -------------------------------------------------------------------
    def __enter__(self) -> Rehearsal:
        try:
            self._open()
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def _open(self) -> None:
        self.workdir = Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix="sccos-")))
        self.source = SourceRepository(self._source_dir, self.workdir)
        self.bin = self.workdir / "bin"
        self.records = self.workdir / "standins.jsonl"
        self.records.touch()
        self.knobs_file = self.workdir / "knobs.json"
        self.set_knobs()
        write_standins(self.bin, self.records, self.knobs_file)
        cli_socket = self.workdir / "aws.sock"
        server = start_server(cli_socket)
        self._stack.callback(server.kill)
        write_client(self.bin, cli_socket)
        if self._shared_rabbit is None:
            self.rabbit = RabbitMQ()  # its own folder: the broker runs as user rabbitmq
            self._stack.callback(self.rabbit.stop)
        else:
            self.rabbit = self._shared_rabbit
        authorizer = Authorizer()
        self._stack.callback(authorizer.close)
        self.gate = Gate(self.template, authorizer)
        local: dict[str, LocalHandler] = {"codepipeline": self._codepipeline_api}
        self.aws = AwsEmulator(self.gate, local)
        self._stack.callback(self.aws.close)
        if self._shared_rabbit is None:
            self.rabbit.start()
        else:
            _empty(self.rabbit)
        create_resources(self.aws, self.template)
        create_existing(self.aws, self.template, self.description, self.rabbit)

    def set_parameters(self, parameters: Mapping[str, str], delete: Sequence[str] = ()) -> None:
        """SSM parameters deleted, then written (SecureString under `/secret/`, else String)."""
        write_parameters(self.aws, parameters, delete)

    def set_knobs(self, **knobs: Any) -> None:
        """Scenario knobs the stand-ins read: `lose_push`, `fail`, `record_env` (variable
        names the application's tools record besides their usual ones; see standins)."""
        self.knobs = knobs
        self.knobs_file.write_text(json.dumps(knobs), encoding="utf-8")

    # Executions -----------------------------------------------------------------------------
    def clock(self) -> float:
        with self._lock:
            self._tick += 1
            return 1_800_000_000.0 + self._tick

    def register(self, execution: Execution) -> None:
        self.executions.setdefault(execution.name, []).insert(0, execution)

    def pipeline_names(self) -> list[str]:
        return [
            str(self.template.resolve(r["Properties"]["Name"]))
            for r in self.template.resources("AWS::CodePipeline::Pipeline").values()
        ]

    def pipeline_name(self, kind: str) -> str:
        """The pipeline of a kind (`normal`, `destructive`, `build`, ... as the construct
        recorded them) or of that exact name."""
        names = self.pipeline_names()
        if kind in names:
            return kind
        recorded = self.description.pipelines
        if recorded:
            if kind not in recorded:
                known = ", ".join(f"{k} ({n})" for k, n in recorded.items())
                raise RehearsalError(
                    f"no {kind!r} pipeline in {self.template.name}; it has: {known}"
                )
            if recorded[kind] not in names:
                raise RehearsalError(
                    f"the {kind} pipeline {recorded[kind]} is not in the template of "
                    f"{self.template.name}: {names}"
                )
            return recorded[kind]
        # Assemblies synthesized before the construct recorded its pipelines: by name.
        matches = [n for n in names if f"-{kind}-" in f"-{n}-".lower()]
        if len(matches) != 1:
            raise RehearsalError(f"no single {kind!r} pipeline in {self.template.name}: {names}")
        return matches[0]

    def start(
        self,
        kind: str = "normal",
        *,
        approve: bool = True,
        variables: Mapping[str, str] | None = None,
        trigger: str = "push",
    ) -> Execution:
        """A new execution of the pipeline of `kind` (or that name), not yet run. `variables`
        override the pipeline's declared ones; `trigger` is `push` (a change of the source)
        or `manual` (StartPipelineExecution by an operator). Raises PipelineStartError when
        CodePipeline would refuse the start."""
        return Execution(
            self, self.pipeline_name(kind), approve=approve, variables=variables, trigger=trigger
        )

    def run_started(self) -> list[Execution]:
        """Run the executions builds started (StartPipelineExecution), in the order they were
        started, as CodePipeline's QUEUED mode runs them after the running one."""
        done: list[Execution] = []
        while self.started:
            done.append(self.started.pop(0).run())
        return done

    # Builds ---------------------------------------------------------------------------------
    def prepare_build(self, step: str, project_name: str, folder: Path) -> tuple[Build, str, str]:
        """The build of a project: its buildspec, environment, image and role."""
        found = [
            r["Properties"]
            for r in self.template.resources("AWS::CodeBuild::Project").values()
            if self.template.resolve(r["Properties"]["Name"]) == project_name
        ]
        if not found:
            raise BuildError(f"project {project_name} is not in the template")
        project = self.template.resolve(found[0])
        role = project["ServiceRole"]
        if not role.startswith("arn:"):
            role = f"arn:{self.template.partition}:iam::{self.template.account}:role/{role}"
        shutil.rmtree(folder, ignore_errors=True)
        source_dir = folder / "src"
        source_dir.mkdir(parents=True)
        logs = (project.get("LogsConfig") or {}).get("CloudWatchLogs") or {}
        if logs.get("GroupName"):
            where = f"{self.template.region}:{self.template.account}"
            group = f"arn:{self.template.partition}:logs:{where}:log-group:{logs['GroupName']}"
            for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
                self.gate.require(
                    step, role, "codebuild logs", Access(action, f"{group}:log-stream:rehearsal")
                )
        image_env, rewrite = self._image(step, role, project["Environment"], folder)
        rewrite = {**rewrite, self.description.broker_api_url: self.rabbit.api_url}
        build = Build(
            project=project_name,
            buildspec=project["Source"]["BuildSpec"],
            source_dir=source_dir,
            image_env=image_env,
            project_env=project["Environment"].get("EnvironmentVariables", []),
            service_env={
                "CODEBUILD_SRC_DIR": str(source_dir),
                "CODEBUILD_BUILD_ID": f"{project_name}:rehearsal",
                **self.aws.cli_environment(role, step),
            },
            path=[str(self.bin), str(Path(sys.executable).parent)],  # stand-ins, then the CLI
            rewrite=rewrite,
        )
        return build, project["Source"]["BuildSpec"], role

    def _image(
        self, step: str, role: str, environment: dict[str, Any], folder: Path
    ) -> tuple[dict[str, str], dict[str, str]]:
        """A custom ECR image is pulled with the project's role; its ENV and application come
        from what the Docker SDK stand-in pushed. CodeBuild's own images are this machine."""
        image = str(environment["Image"])
        if image.startswith(STANDARD_IMAGE_PREFIX):
            return {}, {}
        if _ECR_HOST not in image:
            raise BuildError(f"CLIENT_ERROR: the rehearsal cannot pull {image}")
        _, _, rest = image.partition("/")
        repository, _, tag = rest.partition(":")
        where = f"{self.template.region}:{self.template.account}"
        arn = f"arn:{self.template.partition}:ecr:{where}:repository/{repository}"
        self.gate.require(
            step, role, "codebuild image pull", Access("ecr:GetAuthorizationToken", "*")
        )
        for action in (
            "ecr:BatchCheckLayerAvailability",
            "ecr:GetDownloadUrlForLayer",
            "ecr:BatchGetImage",
        ):
            self.gate.require(step, role, "codebuild image pull", Access(action, arn))
        images = self.aws.admin("ecr").batch_get_image(
            repositoryName=repository, imageIds=[{"imageTag": tag}]
        )["images"]
        if not images:
            raise BuildError(f"CLIENT_ERROR: image {image} not found (no {repository}:{tag})")
        body = json.loads(images[0]["imageManifest"]).get(REHEARSAL_KEY) or {}
        env = {str(k): str(v) for k, v in (body.get("env") or {}).items()}
        app = folder / "image" / "app"
        self.source.export(env.get("SPRYKER_BUILD_HASH", ""), app)
        lay_application(app, self.bin)
        return env, {str(body.get("workdir", "/data")): str(app)}

    def run_build(self, step: str, build: Build, role: str) -> tuple[list[str], BuildResult]:
        offset = self.records.stat().st_size
        outcome = run_build(build, lambda kind, value: self._secret(step, role, kind, value))
        with self.records.open(encoding="utf-8") as handle:
            handle.seek(offset)
            calls = [json.loads(line) for line in handle if line.strip()]
        ran = [*outcome.commands]
        ran += [
            f"[stand-in] {c['program']} {' '.join(c['args'])}".rstrip()
            + (f" (exit {c['exit']})" if c.get("exit") else "")
            + (" (lost)" if c.get("lost") else "")
            for c in calls
        ]
        return ran, outcome

    def _secret(self, step: str, role: str, kind: str, value: str) -> str:
        request = Request("ssm", "", {}, self.template.region, self.template.account)
        if kind == "PARAMETER_STORE":
            decision = self.gate.authorize(
                step,
                role,
                "codebuild variables",
                Access("ssm:GetParameters", parameter_arn(request, value)),
            )
            if not decision.allowed:
                raise BuildError(f"CLIENT_ERROR: {decision.explanation}")
            answer = self.aws.admin("ssm").get_parameter(Name=value, WithDecryption=True)
            return str(answer["Parameter"]["Value"])
        parts = value.split(":")
        arn, key = (":".join(parts[:7]), parts[7] if len(parts) > 7 else "")
        if not value.startswith("arn:"):
            arn, _, key = value.partition(":")
        decision = self.gate.authorize(
            step, role, "codebuild variables", Access("secretsmanager:GetSecretValue", arn)
        )
        if not decision.allowed:
            raise BuildError(f"CLIENT_ERROR: {decision.explanation}")
        name = secret_name(arn) if arn.startswith("arn:") else arn
        text = self.aws.admin("secretsmanager").get_secret_value(SecretId=name)["SecretString"]
        return str(json.loads(text)[key]) if key else str(text)

    def standin_calls(self) -> list[dict[str, Any]]:
        """Every call of a stand-in so far: program, args, cwd, and for the application's
        tools the pipeline variables they saw and their exit code."""
        with self.records.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]

    def image_env(self, repository: str, tag: str) -> dict[str, str]:
        """The ENV of an image in the emulated ECR (what the Docker SDK stand-in baked)."""
        [image] = self.aws.admin("ecr").batch_get_image(
            repositoryName=repository, imageIds=[{"imageTag": tag}]
        )["images"]
        body = json.loads(image["imageManifest"]).get(REHEARSAL_KEY) or {}
        return dict(body.get("env") or {})

    # State ----------------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return final_state(self.aws, self.template, self.description, self.rabbit)


def _empty(rabbit: RabbitMQ) -> None:
    """A shared broker as new: only its default vhost and its admin."""
    for vhost in rabbit.request("GET", "/vhosts"):
        if vhost["name"] != "/":
            rabbit.request("DELETE", f"/vhosts/{quote(vhost['name'], safe='')}")
    for user in rabbit.request("GET", "/users"):
        if user["name"] != rabbit.admin_user:
            rabbit.request("DELETE", f"/users/{quote(user['name'], safe='')}")
