"""The plan of a pipeline: its steps in order, what each runs and on which image.

The steps are those of Spryker's production pipeline, with its names (Source, Please_approve,
Build_and_Prepare, ... Run_post-deploy_hook):
https://docs.spryker.com/docs/ca/dev/configure-deployment-pipelines/deployment-in-states.html

The constructs build exactly these steps; the CLI prints them as text, mermaid or JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from . import naming
from .model import Application, DeployModel
from .stages import SCHEDULER_COMMAND, STAGE_IMAGE, PipelineType, Stage, StageImage

# The application whose image the hook projects run on: back office (Zed) first.
_HOOK_IMAGE_PREFERENCE = ("backoffice", "zed", "backend-gateway", "backend-api", "merchant-portal")
EXTRA_IMAGES = naming.EXTRA_IMAGES


def hook_application(model: DeployModel) -> Application | None:
    """The back-office (Zed) application; hooks run on its image with its variables."""
    for kind in _HOOK_IMAGE_PREFERENCE:
        for application in model.applications:
            if application.type == kind:
                return application
    return model.applications[0] if model.applications else None


def image_names(model: DeployModel) -> tuple[str, ...]:
    """The image (ECR repository suffix) names one build pushes, in a stable order."""
    names = dict.fromkeys(a.name.lower() for a in model.applications)
    names.update(dict.fromkeys(EXTRA_IMAGES))
    return tuple(names)


def hook_image_name(model: DeployModel) -> str:
    application = hook_application(model)
    return application.name.lower() if application else "pipeline"


def service_names(model: DeployModel) -> tuple[str, ...]:
    """ECS services redeployed by Deploy_Spryker_services: every application, then frontend."""
    return (*dict.fromkeys(a.name.lower() for a in model.applications), "frontend")


@dataclass(frozen=True)
class PlanStep:
    name: str
    runs: str  # what the step does, in one line
    image: str  # where it runs: an image, or the AWS service that does it
    project: str | None = None  # the CodeBuild project, when one runs it
    commands: tuple[str, ...] = ()
    parallel: tuple[str, ...] = ()  # actions that run side by side within the step
    included: bool = True


@dataclass(frozen=True)
class Plan:
    project: str
    pipeline_type: PipelineType
    steps: tuple[PlanStep, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "project": self.project,
            "pipeline": self.pipeline_type.value,
            "name": naming.pipeline(self.project, self.pipeline_type),
            "steps": [asdict(step) for step in self.steps],
        }


def _image_label(model: DeployModel, which: StageImage) -> str:
    repository = naming.ecr_repository(model.project, hook_image_name(model))
    return {
        StageImage.RUNNING: f"{repository}:<last deployed commit> (the image running now)",
        StageImage.BUILT: f"{repository}:<commit> (the image just built)",
        StageImage.ACTIVE: f"{repository}:<commit> (the image now active)",
    }[which]


def _hook_step(model: DeployModel, stage: Stage, pipeline_type: PipelineType) -> PlanStep:
    hook = model.hook(stage, pipeline_type)
    commands = [hook.command]
    if stage in SCHEDULER_COMMAND:
        commands.append(SCHEDULER_COMMAND[stage])
    return PlanStep(
        name=naming.HOOK_STEP[stage],
        runs=f"{hook.variable} ({hook.source.value})",
        image=_image_label(model, STAGE_IMAGE[stage]),
        project=naming.hook_project(stage, model.project),
        commands=tuple(commands),
    )


def build_plan(
    model: DeployModel,
    pipeline_type: PipelineType,
    *,
    pre_deployment_commands: Sequence[str] = (),
    post_deployment_commands: Sequence[str] = (),
) -> Plan:
    """The steps of one pipeline. The two configuration steps exist only with commands."""
    project = model.project
    stores = ", ".join(
        f"{s.name} ({s.broker_namespace})" if s.broker_namespace else s.name for s in model.stores
    )
    broker = (
        "reset and recreate" if pipeline_type is PipelineType.DESTRUCTIVE else "create or update"
    )
    images = image_names(model)
    steps = (
        PlanStep(
            naming.STEP_SOURCE, "the pushed commit of the project's repository", "CodePipeline"
        ),
        PlanStep(
            naming.STEP_APPROVE,
            "record desired_version, then a manual approval showing it against "
            "last_deployed_version",
            "CodePipeline, notifying the approval topic",
            project=naming.approval_info_project(project),
        ),
        PlanStep(
            naming.STEP_BUILD,
            "skip when the commit's images exist in ECR; else build production images with the "
            f"Docker SDK, push {len(images)} images, record latest_built_version",
            "CodeBuild standard image with Docker",
            project=naming.build_project(project),
            commands=(
                f"docker/sdk boot {model.file.rsplit('/', 1)[-1]}",
                "docker/sdk export images -t <commit> -d ecr",
            ),
            parallel=tuple(naming.ecr_repository(project, name) for name in images),
        ),
        PlanStep(
            naming.STEP_BROKER,
            f"{broker} RabbitMQ vhosts, users and permissions for stores: {stores or 'none'}",
            "CodeBuild standard image",
            project=naming.broker_project(project),
        ),
        _hook_step(model, Stage.PRE_DEPLOY, pipeline_type),
        PlanStep(
            naming.STEP_PRE_CONFIG,
            "user commands before the new version goes out",
            "CodeBuild standard image",
            project=naming.pre_config_project(project),
            commands=tuple(pre_deployment_commands),
            included=bool(pre_deployment_commands),
        ),
        PlanStep(
            naming.STEP_SCHEDULER,
            "the scheduler (Jenkins) service gets the new image",
            "ECS deploy",
            parallel=(naming.ecr_repository(project, "jenkins"),),
        ),
        _hook_step(model, Stage.INSTALL, pipeline_type),
        PlanStep(
            naming.STEP_SERVICES,
            "every application service gets the new image, in parallel",
            "ECS deploy",
            parallel=tuple(naming.ecr_repository(project, s) for s in service_names(model)),
        ),
        PlanStep(
            naming.STEP_VERSION,
            "record the commit as last_deployed_version",
            "CodeBuild standard image",
            project=naming.record_version_project(project),
        ),
        PlanStep(
            naming.STEP_POST_CONFIG,
            "user commands after the new version is out",
            "CodeBuild standard image",
            project=naming.post_config_project(project),
            commands=tuple(post_deployment_commands),
            included=bool(post_deployment_commands),
        ),
        _hook_step(model, Stage.POST_DEPLOY, pipeline_type),
    )
    return Plan(project, pipeline_type, steps)


def plan_text(plan: Plan) -> str:
    lines = [f"{naming.pipeline(plan.project, plan.pipeline_type)}:"]
    number = 0
    for step in plan.steps:
        if not step.included:
            lines.append(f"  -  {step.name}: left out (no commands configured)")
            continue
        number += 1
        lines.append(f"  {number:>2}. {step.name}: {step.runs}")
        lines.append(f"      on: {step.image}" + (f" [{step.project}]" if step.project else ""))
        lines += [f"      $ {command}" for command in step.commands]
        lines += [f"      | {item}" for item in step.parallel]
    return "\n".join(lines) + "\n"


def _mermaid_label(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def plan_mermaid(plan: Plan) -> str:
    """A top-down flowchart; parallel actions hang off their step."""
    lines = ["flowchart TD"]
    previous = None
    for index, step in enumerate(s for s in plan.steps if s.included):
        node = f"s{index}"
        detail = f"<br/>{step.project}" if step.project else ""
        what = step.commands[0] if step.commands else (step.runs if step.project else "")
        if what:
            detail += f"<br/><i>{_mermaid_label(what)}</i>"
        lines.append(f'  {node}["{_mermaid_label(step.name)}{detail}"]')
        if previous:
            lines.append(f"  {previous} --> {node}")
        if step.parallel and step.name != naming.STEP_BUILD:
            for offset, item in enumerate(step.parallel):
                lines.append(f'  {node} -.- {node}p{offset}(["{_mermaid_label(item)}"])')
        previous = node
    return "\n".join(lines) + "\n"
