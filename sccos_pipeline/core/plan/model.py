"""The plan of an environment: every pipeline, its stages and actions, and every CodeBuild
project with its buildspec and the permissions it needs.

One plan, three readers: `sccos-pipeline plan` prints it, the CDK constructs translate it into
resources (and nothing else), and the rehearsal reports a run against it. The builders live in
`deployment` (NORMAL and DESTRUCTIVE), `build` (Build), `updater` (ECS-updater),
`maintenance` and `scheduler` (rollout); `builder.build_environment_plan` puts them together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .. import naming
from ..stages import PipelineKind, Stage
from .references import Reference

# Action variables use CodePipeline's own syntax. The source revision is a commit for git
# sources; the CDK shell swaps in the object version for an S3 source.
SOURCE_NAMESPACE = "SourceVariables"
SOURCE_REVISION = "#{SourceVariables.CommitId}"
EXECUTION_ID = "#{codepipeline.PipelineExecutionId}"
SOURCE_ARTIFACT = "Source"

STANDARD_IMAGE = "standard"  # CodeBuild's standard Linux image, with the AWS CLI
HOOK_IMAGE = "hook:"  # + a tag of the back-office (Zed) repository


@dataclass(frozen=True)
class HookSize:
    """A hook project's size; the defaults are those of SCCOS's own hook projects."""

    compute: str = "BUILD_GENERAL1_MEDIUM"
    timeout_minutes: int = 20
    privileged: bool = False  # Docker-in-Docker, for hooks that run containers


DEFAULT_HOOK_SIZES: Mapping[Stage, HookSize] = {
    Stage.PRE_DEPLOY: HookSize(),
    Stage.INSTALL: HookSize(compute="BUILD_GENERAL1_LARGE"),
    Stage.POST_DEPLOY: HookSize(),
}
# A released Docker SDK tag: the `1.x` branch dates from 2021 and has no `export -d ecr`.
DOCKER_SDK_REF = "1.74.0"
DOCKER_SDK_REPOSITORY = "https://github.com/spryker/docker-sdk.git"
DEFAULT_APP_DIR = "/data"  # WORKDIR of the Docker SDK's application images


@dataclass(frozen=True)
class PlanOptions:
    """What the plan needs beyond the deploy file; each default is the constructs' default."""

    pipelines: tuple[PipelineKind, ...] = tuple(PipelineKind)
    production: bool = False
    #: The source starts pipelines on push at all (the Build pipeline always, when true).
    trigger_on_push: bool = True
    #: NORMAL starts on push and deploys the pushed commit. Default: not in production.
    deploy_on_push: bool | None = None
    #: DESTRUCTIVE starts on push too. Default: False; refused in production.
    destructive_on_push: bool = False
    #: The deploy file's path in the repository, for `docker/sdk boot`. Default: its name.
    deploy_file_in_repository: str | None = None
    #: ECS service key to its container. Default: the key.
    containers: Mapping[str, str] = field(default_factory=dict)
    #: ECS service key to `<cluster>/<service>`. Default: `<project>/<project>-<key>`.
    services: Mapping[str, str] = field(default_factory=dict)
    hook_sizes: Mapping[Stage, HookSize] = field(default_factory=dict)
    #: Plain variables every hook gets on top of what it reads at run time. Default: none.
    hook_variables: Mapping[str, str] = field(default_factory=dict)
    #: Names of the hooks' secret variables, whose values the CDK shell adds. Default: none.
    hook_secret_names: tuple[str, ...] = ()
    pre_deployment_commands: tuple[str, ...] = ()
    post_deployment_commands: tuple[str, ...] = ()
    #: `/{project}/{environment}` of Spryker's variables. Default: naming.variable_tree.
    variable_tree: str | None = None
    app_dir: str = DEFAULT_APP_DIR
    docker_sdk_repository: str = DOCKER_SDK_REPOSITORY
    docker_sdk_ref: str = DOCKER_SDK_REF

    def container(self, key: str) -> str:
        return self.containers.get(key, key)

    def service(self, project: str, key: str) -> str:
        return self.services.get(key, f"{project}/{project}-{key}")

    def hook_size(self, stage: Stage) -> HookSize:
        return self.hook_sizes.get(stage, DEFAULT_HOOK_SIZES[stage])

    @property
    def deploys_on_push(self) -> bool:
        wanted = not self.production if self.deploy_on_push is None else self.deploy_on_push
        return self.trigger_on_push and wanted


class ActionKind(StrEnum):
    SOURCE = "source"
    BUILD = "build"  # a CodeBuild project
    APPROVAL = "approval"
    ECS_DEPLOY = "ecs-deploy"  # CodePipeline's ECS standard deployment


@dataclass(frozen=True)
class Permission:
    """What a project's role may do. `on` names resources of the environment (core.plan.references:
    every one of a kind, `Resources`, or one repository, service, task family, version parameter
    or pipeline); a `Resources.TASK_ROLES` statement passes roles to ECS tasks only.
    `condition` is one IAM condition (operator, key, value) the statement carries.
    """

    actions: tuple[str, ...]
    on: tuple[Reference, ...]
    why: str
    condition: tuple[str, str, str] | None = None


@dataclass(frozen=True)
class Variable:
    """A project's environment variable: `plain` text (may hold a references.Placeholder), or a
    secret the CDK shell resolves: `secret:<setting>:<json key>` from a Secrets Manager secret
    it holds."""

    name: str
    value: str
    kind: str = "plain"  # plain | secret


@dataclass(frozen=True)
class PlanProject:
    key: str  # the construct id: a public contract, changing it replaces the project
    name: str
    runs: str  # what it does, in one line
    buildspec: Mapping[str, Any]
    image: str = STANDARD_IMAGE
    compute: str = "BUILD_GENERAL1_SMALL"
    timeout_minutes: int = 20
    privileged: bool = False
    in_vpc: bool = False
    cache: tuple[str, ...] = ()  # LOCAL_DOCKER_LAYER_CACHE, LOCAL_SOURCE_CACHE
    variables: tuple[Variable, ...] = ()
    permissions: tuple[Permission, ...] = ()
    hook: str | None = None  # the hook stage it runs, for hook projects

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "runs": self.runs,
            "image": self.image,
            "compute": self.compute,
            "timeoutMinutes": self.timeout_minutes,
            "privileged": self.privileged,
            "inVpc": self.in_vpc,
            "variables": {v.name: v.value for v in self.variables},
            "permissions": [
                {"actions": list(p.actions), "on": [str(r) for r in p.on], "why": p.why}
                | ({"condition": list(p.condition)} if p.condition else {})
                for p in self.permissions
            ],
            "buildspec": dict(self.buildspec),
        }


@dataclass(frozen=True)
class PlanAction:
    name: str
    kind: ActionKind
    runs: str  # what it does, in one line
    run_order: int = 1
    project: str | None = None  # a PlanProject key
    service: str | None = None  # an ECS service key, for ECS deploys
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    namespace: str | None = None
    variables: Mapping[str, str] = field(default_factory=dict)  # CodeBuild action variables
    text: str = ""  # an approval's text; an ECS deploy's image definitions file

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind.value,
            "runs": self.runs,
            "runOrder": self.run_order,
        }
        for key, value in (
            ("project", self.project),
            ("service", self.service),
            ("namespace", self.namespace),
            ("text", self.text),
        ):
            if value:
                data[key] = value
        if self.inputs:
            data["inputs"] = list(self.inputs)
        if self.outputs:
            data["outputs"] = list(self.outputs)
        if self.variables:
            data["variables"] = dict(self.variables)
        return data


@dataclass(frozen=True)
class PlanStage:
    name: str
    actions: tuple[PlanAction, ...]


def source_stage() -> PlanStage:
    """Every pipeline starts with the source: CodePipeline wants a source stage first."""
    return PlanStage(
        naming.STEP_SOURCE,
        (
            PlanAction(
                naming.STEP_SOURCE,
                ActionKind.SOURCE,
                "the branch's head commit",
                outputs=(SOURCE_ARTIFACT,),
                namespace=SOURCE_NAMESPACE,
            ),
        ),
    )


@dataclass(frozen=True)
class PipelineVariable:
    """A CodePipeline V2 variable a run may set when it is started."""

    name: str
    default: str
    description: str


@dataclass(frozen=True)
class PipelinePlan:
    """One pipeline of the plan: its name, stages and actions, what starts it and its variables;
    SprykerPipeline builds it."""

    kind: PipelineKind
    name: str
    purpose: str
    on_push: bool
    stages: tuple[PlanStage, ...]
    variables: tuple[PipelineVariable, ...] = ()
    left_out: tuple[str, ...] = ()  # stages with nothing to run (configuration without commands)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "name": self.name,
            "purpose": self.purpose,
            "onPush": self.on_push,
            "variables": [
                {"name": v.name, "default": v.default, "description": v.description}
                for v in self.variables
            ],
            "stages": [
                {"name": s.name, "actions": [a.to_json() for a in s.actions]} for s in self.stages
            ],
            "leftOut": list(self.left_out),
        }


@dataclass(frozen=True)
class EnvironmentPlan:
    """Everything an environment runs: its pipelines and the CodeBuild projects they share
    (build_environment_plan makes it from a deploy file)."""

    project: str
    pipelines: tuple[PipelinePlan, ...]
    projects: Mapping[str, PlanProject]  # by key, in the order they are created

    def pipeline(self, kind: PipelineKind) -> PipelinePlan:
        for plan in self.pipelines:
            if plan.kind is kind:
                return plan
        raise KeyError(kind)

    def used_projects(self) -> tuple[PlanProject, ...]:
        """The projects some planned pipeline runs, in creation order."""
        used = {a.project for p in self.pipelines for s in p.stages for a in s.actions if a.project}
        return tuple(project for key, project in self.projects.items() if key in used)

    def to_json(self, *, buildspecs: bool = True) -> dict[str, Any]:
        projects = {}
        for project in self.used_projects():
            data = project.to_json()
            if not buildspecs:
                data.pop("buildspec")
            projects[project.key] = data
        return {
            "project": self.project,
            "pipelines": [p.to_json() for p in self.pipelines],
            "projects": projects,
        }
