"""The plans of the NORMAL and DESTRUCTIVE deployment pipelines and of their projects.

The stages and their names are Spryker's
(https://docs.spryker.com/docs/ca/dev/configure-deployment-pipelines/deployment-in-states.html,
and "Deploy in a production environment" for
Prepare_versions_information_for_Approval_stage): Source, the versions information, the
approval, Build_and_Prepare, the broker, the three hooks around the scheduler and services
deploys, UpdateDeployedVersion, and the optional configuration steps.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import partial
from pathlib import PurePosixPath

from .. import naming
from ..deployfile.applications import hook_image_name, image_names, service_names
from ..deployfile.model import DeployModel
from ..stages import STAGE_IMAGE, PipelineKind, PipelineType, Stage, StageImage
from . import permissions as can
from .broker import broker_buildspec
from .hook_buildspec import render_buildspec
from .hook_variables import (
    VARIABLES_ARTIFACT,
    VARIABLES_FILE,
    hook_variables_action,
    hook_variables_project,
    kept_variables,
)
from .images import build_buildspec, image_builder
from .model import (
    EXECUTION_ID,
    HOOK_IMAGE,
    SOURCE_ARTIFACT,
    SOURCE_REVISION,
    ActionKind,
    PipelinePlan,
    PipelineVariable,
    PlanAction,
    PlanOptions,
    PlanProject,
    PlanStage,
    Variable,
    source_stage,
)
from .references import Placeholder
from .shell import commands_buildspec
from .versions import FROM_PARAMETER_STORE, record_deployed_buildspec, versions_buildspec

VERSIONS_NAMESPACE = "Versions"
DEPLOYMENT_VERSION = "#{Versions.DEPLOYMENT_VERSION}"
LAST_DEPLOYED_VERSION = "#{Versions.LAST_DEPLOYED_VERSION}"
IMAGES_ARTIFACT = "Images"
DESIRED_VERSION_VARIABLE = "DESIRED_VERSION"

# Which mutable tag of the hook repository each stage's image is (core.plan.versions explains how
# the pipeline moves them).
STAGE_TAG = {
    StageImage.RUNNING: naming.IMAGE_TAG_DEPLOYED,
    StageImage.BUILT: naming.IMAGE_TAG_DESIRED,
    StageImage.ACTIVE: naming.IMAGE_TAG_DEPLOYED,
}
# Construct ids are a public contract: changing one replaces the resource.
HOOK_KEYS = {
    Stage.PRE_DEPLOY: "PreDeploy",
    Stage.INSTALL: "Install",
    Stage.POST_DEPLOY: "PostDeploy",
}
BUILD, BROKER, VERSIONS, RECORD = "Build", "Broker", "Versions", "RecordDeployed"
PRE_CONFIG, POST_CONFIG = "PreDeployment", "PostDeployment"
_ACTION_NAME = re.compile(r"[A-Za-z0-9.@_-]{1,100}")  # what CodePipeline allows


def deploy_groups(
    project: str, keys: Sequence[str], options: PlanOptions
) -> list[tuple[str, tuple[str, ...]]]:
    """One ECS deploy action per ECS service, as (its name, the keys whose containers it
    deploys), in the order of `keys`. One service may run several applications (Spryker's
    `storeapp`); two actions on it would run together and the last would undo the other's
    image. A service of one key keeps the key's name; a shared one is named after the service
    (its first key's name when the service's name is not one CodePipeline allows)."""
    shared: dict[str, list[str]] = {}
    for key in keys:
        shared.setdefault(options.service(project, key), []).append(key)
    groups = []
    for service, members in shared.items():
        name = service.rsplit("/", 1)[-1]
        if len(members) == 1 or not _ACTION_NAME.fullmatch(name) or name in keys:
            name = members[0]
        groups.append((name, tuple(members)))
    return groups


# The version each hook checks it runs on.
EXPECTED_VERSION = {
    Stage.PRE_DEPLOY: LAST_DEPLOYED_VERSION,
    Stage.INSTALL: DEPLOYMENT_VERSION,
    Stage.POST_DEPLOY: DEPLOYMENT_VERSION,
}


def deployment_projects(model: DeployModel, options: PlanOptions) -> list[PlanProject]:
    """The projects NORMAL and DESTRUCTIVE share: one per step, whichever pipeline runs it."""
    project = model.project
    hook_image = hook_image_name(model)
    parameter = naming.ssm_parameter
    deploy_file = options.deploy_file_in_repository or PurePosixPath(model.file).name
    every_service = [*service_names(model), "jenkins"]
    projects = [hook_project(model, options, stage) for stage in Stage]
    projects += [
        image_builder(
            model,
            options,
            key=BUILD,
            name=naming.build_project(project),
            runs="build and push the version's images unless they exist, then point the hook "
            "image's tags and write the image definitions",
            buildspec=build_buildspec(
                model,
                deploy_file=deploy_file,
                definitions={
                    name: tuple((k, options.container(k)) for k in keys)
                    for stage_keys in (service_names(model), ("jenkins",))
                    for name, keys in deploy_groups(project, stage_keys, options)
                },
            ),
            also=(
                can.retag(hook_image),
                can.list_executions(PipelineKind.NORMAL, PipelineKind.DESTRUCTIVE),
            ),
        ),
        broker_project(model),
        PlanProject(
            key=VERSIONS,
            name=naming.approval_info_project(project),
            runs="decide the version to deploy, refuse it when its images are missing, and show "
            "it against the last deployed version",
            buildspec=versions_buildspec(model),
            variables=(
                Variable("SCCOS_DESIRED_PARAMETER", parameter(project, naming.PARAMETER_DESIRED)),
                Variable(
                    "SCCOS_LAST_DEPLOYED_PARAMETER",
                    parameter(project, naming.PARAMETER_LAST_DEPLOYED),
                ),
                Variable(
                    "SCCOS_LATEST_BUILT_PARAMETER",
                    parameter(project, naming.PARAMETER_LATEST_BUILT),
                ),
            ),
            permissions=(
                can.read_parameters(
                    naming.PARAMETER_DESIRED,
                    naming.PARAMETER_LAST_DEPLOYED,
                    naming.PARAMETER_LATEST_BUILT,
                ),
                can.FIND_IMAGES,
                can.trigger_of(PipelineKind.NORMAL, PipelineKind.DESTRUCTIVE),
            ),
        ),
        PlanProject(
            key=RECORD,
            name=naming.record_version_project(project),
            runs="once ECS runs the version everywhere, record it as last_deployed_version",
            buildspec=record_deployed_buildspec(
                model, [(options.service(project, k), options.container(k)) for k in every_service]
            ),
            variables=(
                Variable(
                    "SCCOS_LAST_DEPLOYED_PARAMETER",
                    parameter(project, naming.PARAMETER_LAST_DEPLOYED),
                ),
            ),
            permissions=(
                can.write_parameter(naming.PARAMETER_LAST_DEPLOYED),
                can.RETAG_EVERYWHERE,
                can.describe_services(),
                can.DESCRIBE_TASK_DEFINITIONS,
            ),
        ),
    ]
    projects.append(hook_variables_project(model, options))
    projects += configuration_projects(project, options)
    return projects


def hook_project(model: DeployModel, options: PlanOptions, stage: Stage) -> PlanProject:
    """One hook's project: the hook baked into the image of the version the stage runs."""
    size = options.hook_size(stage)
    return PlanProject(
        key=HOOK_KEYS[stage],
        name=naming.hook_project(stage, model.project),
        runs=f"the {stage.value} hook baked into the image, else Spryker's default",
        buildspec=render_buildspec(
            model,
            stage,
            app_dir=options.app_dir,
            variables_artifact=(VARIABLES_ARTIFACT, VARIABLES_FILE),
            keep=kept_variables(options),
        ),
        image=HOOK_IMAGE + STAGE_TAG[STAGE_IMAGE[stage]],
        compute=size.compute,
        timeout_minutes=size.timeout_minutes,
        privileged=size.privileged,
        in_vpc=True,
        cache=("LOCAL_SOURCE_CACHE",),
        variables=(
            Variable("SPRYKER_PROJECT_NAME", model.project),
            *(Variable(k, v) for k, v in options.hook_variables.items()),
        ),
        hook=stage.value,
    )


def broker_project(model: DeployModel) -> PlanProject:
    """Broker_Configuration: RabbitMQ's vhosts, users and permissions, through its API."""
    return PlanProject(
        key=BROKER,
        name=naming.broker_project(model.project),
        runs="create (destructive: reset) the RabbitMQ vhosts, user and permissions",
        buildspec=broker_buildspec(model),
        in_vpc=True,
        variables=(
            Variable("SCCOS_BROKER_API", Placeholder.BROKER_API),
            Variable("SCCOS_BROKER_ADMIN_USER", "broker-admin:username", "secret"),
            Variable("SCCOS_BROKER_ADMIN_PASSWORD", "broker-admin:password", "secret"),
            Variable("SCCOS_BROKER_APP_USER", "broker-application:username", "secret"),
            Variable("SCCOS_BROKER_APP_PASSWORD", "broker-application:password", "secret"),
        ),
    )


def configuration_projects(project: str, options: PlanOptions) -> list[PlanProject]:
    """Pre_ and Post_Deployment_Configuration: the user's commands, only when there are some."""
    return [
        PlanProject(key, name, "the user's commands", commands_buildspec(commands))
        for key, name, commands in (
            (PRE_CONFIG, naming.pre_config_project(project), options.pre_deployment_commands),
            (POST_CONFIG, naming.post_config_project(project), options.post_deployment_commands),
        )
        if commands
    ]


def on_push(kind: PipelineKind, options: PlanOptions) -> bool:
    if kind is PipelineKind.DESTRUCTIVE:
        return options.deploys_on_push and options.destructive_on_push and not options.production
    return options.deploys_on_push


def ecs_stage(
    step: str, keys: tuple[str, ...], runs: str, project: str, options: PlanOptions
) -> PlanStage:
    """One ECS deploy action per ECS service, side by side, each with every container of it."""
    return PlanStage(
        step,
        tuple(
            PlanAction(
                name,
                ActionKind.ECS_DEPLOY,
                runs,
                service=members[0],  # the service of every member
                inputs=(IMAGES_ARTIFACT,),
                text=f"imagedefinitions-{name}.json",
            )
            for name, members in deploy_groups(project, keys, options)
        ),
    )


def versions_stage(kind: PipelineKind, options: PlanOptions, name: str) -> PlanStage:
    """Versions: the version to deploy and the last deployed one, as the run's variables."""
    return PlanStage(
        naming.STEP_VERSIONS,
        (
            PlanAction(
                naming.STEP_VERSIONS,
                ActionKind.BUILD,
                "the version to deploy and the last deployed version",
                project=VERSIONS,
                inputs=(SOURCE_ARTIFACT,),
                namespace=VERSIONS_NAMESPACE,
                variables={
                    "SCCOS_SOURCE_COMMIT": SOURCE_REVISION,
                    "SCCOS_REQUESTED": f"#{{variables.{DESIRED_VERSION_VARIABLE}}}",
                    "SCCOS_DEPLOY_ON_PUSH": "true" if on_push(kind, options) else "false",
                    "SCCOS_PIPELINE": name,
                    "SCCOS_EXECUTION_ID": EXECUTION_ID,
                },
            ),
        ),
    )


def approve_stage(name: str, *, destructive: bool) -> PlanStage:
    """Approve: a person approves the version shown."""
    return PlanStage(
        naming.STEP_APPROVE,
        (
            PlanAction(
                "Approve",
                ActionKind.APPROVAL,
                "a person approves the deployment",
                text=f"{name}: deploy {DEPLOYMENT_VERSION} over the last deployed version "
                f"{LAST_DEPLOYED_VERSION}" + (" - this RESETS ALL DATA" if destructive else ""),
            ),
        ),
    )


def build_stage(
    model: DeployModel, name: str, deploys: dict[str, str], other_name: str
) -> PlanStage:
    """Build_and_Prepare: the version's images unless they exist, and the hooks' variables."""
    return PlanStage(
        naming.STEP_BUILD,
        (
            PlanAction(
                naming.STEP_BUILD,
                ActionKind.BUILD,
                f"build and push {len(image_names(model))} images unless they exist",
                project=BUILD,
                inputs=(SOURCE_ARTIFACT,),
                outputs=(IMAGES_ARTIFACT,),
                variables={
                    **deploys,
                    "SCCOS_SOURCE_COMMIT": SOURCE_REVISION,
                    "SCCOS_PIPELINE": name,
                    "SCCOS_EXECUTION_ID": EXECUTION_ID,
                    "SCCOS_OTHER_PIPELINE": other_name,
                },
            ),
            hook_variables_action(model),
        ),
    )


def desired_version_variable(project: str) -> PipelineVariable:
    """DESIRED_VERSION: a run may deploy another version than desired_version."""
    desired_parameter = naming.ssm_parameter(project, naming.PARAMETER_DESIRED)
    return PipelineVariable(
        DESIRED_VERSION_VARIABLE,
        FROM_PARAMETER_STORE,
        f"A version (commit) to deploy instead of {desired_parameter}; `latest` deploys "
        "the last built version",
    )


def hook_stage(
    model: DeployModel, pipeline_type: PipelineType, deploys: dict[str, str], stage: Stage
) -> PlanStage:
    """One hook's step: its project on the image of the version it runs on."""
    image = {Stage.PRE_DEPLOY: "running", Stage.INSTALL: "new", Stage.POST_DEPLOY: "active"}
    action = PlanAction(
        naming.HOOK_STEP[stage],
        ActionKind.BUILD,
        f"{model.hook(stage, pipeline_type).variable} on the {image[stage]} version's image, "
        "with the back office's variables",
        project=HOOK_KEYS[stage],
        inputs=(SOURCE_ARTIFACT, VARIABLES_ARTIFACT),
        variables={**deploys, "SCCOS_EXPECTED_VERSION": EXPECTED_VERSION[stage]},
    )
    return PlanStage(action.name, (action,))


def deployment_pipeline(
    model: DeployModel, kind: PipelineKind, options: PlanOptions
) -> PipelinePlan:
    """The stages of NORMAL or DESTRUCTIVE, each action naming the project it runs."""
    project = model.project
    ecs = partial(ecs_stage, project=project, options=options)
    pipeline_type = PipelineType(kind.value)
    name = naming.pipeline(project, kind)
    other = PipelineKind.DESTRUCTIVE if kind is PipelineKind.NORMAL else PipelineKind.NORMAL
    other_name = naming.pipeline(project, other) if other in options.pipelines else ""
    deploys = {
        "SCCOS_COMMIT": DEPLOYMENT_VERSION,
        "SPRYKER_PIPELINE_TYPE": pipeline_type.value,
    }

    def build(step: str, key: str, runs: str, **variables: str) -> PlanAction:
        return PlanAction(
            step,
            ActionKind.BUILD,
            runs,
            project=key,
            inputs=(SOURCE_ARTIFACT,),
            variables={**deploys, **variables},
        )

    def hook(stage: Stage) -> PlanStage:
        return hook_stage(model, pipeline_type, deploys, stage)

    destructive = kind is PipelineKind.DESTRUCTIVE
    stages = [
        source_stage(),
        versions_stage(kind, options, name),
        approve_stage(name, destructive=destructive),
        build_stage(model, name, deploys, other_name),
        PlanStage(
            naming.STEP_BROKER,
            (build(naming.STEP_BROKER, BROKER, "RabbitMQ vhosts, users and permissions"),),
        ),
        hook(Stage.PRE_DEPLOY),
    ]
    left_out: list[str] = []

    def configuration(step: str, key: str, commands: tuple[str, ...]) -> None:
        """A configuration step runs only when it has commands."""
        if commands:
            stages.append(PlanStage(step, (build(step, key, "the user's commands"),)))
        else:
            left_out.append(step)

    configuration(naming.STEP_PRE_CONFIG, PRE_CONFIG, options.pre_deployment_commands)
    stages += [
        ecs(naming.STEP_SCHEDULER, ("jenkins",), "the scheduler (Jenkins) gets the new image"),
        hook(Stage.INSTALL),
        ecs(naming.STEP_SERVICES, service_names(model), "the service gets the new image"),
        PlanStage(
            naming.STEP_VERSION,
            (build(naming.STEP_VERSION, RECORD, "record the version as last deployed"),),
        ),
    ]
    configuration(naming.STEP_POST_CONFIG, POST_CONFIG, options.post_deployment_commands)
    stages.append(hook(Stage.POST_DEPLOY))
    return PipelinePlan(
        kind=kind,
        name=name,
        purpose=(
            "reset all data and deploy a version (install: destructive)"
            if destructive
            else "deploy a version: desired_version, the run's DESIRED_VERSION, or a push"
        ),
        on_push=on_push(kind, options),
        stages=tuple(stages),
        variables=(desired_version_variable(project),),
        left_out=tuple(left_out),
    )
