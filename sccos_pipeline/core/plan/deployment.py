"""The plans of the NORMAL and DESTRUCTIVE deployment pipelines and of their projects.

The stages and their names are Spryker's
(https://docs.spryker.com/docs/ca/dev/configure-deployment-pipelines/deployment-in-states.html,
and "Deploy in a production environment" for
Prepare_versions_information_for_Approval_stage): Source, the versions information, the
approval, Build_and_Prepare, the broker, the three hooks around the scheduler and services
deploys, UpdateDeployedVersion, and the optional configuration steps.
"""

from __future__ import annotations

from dataclasses import replace
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


def deployment_projects(model: DeployModel, options: PlanOptions) -> list[PlanProject]:
    """The projects NORMAL and DESTRUCTIVE share: one per step, whichever pipeline runs it."""
    project = model.project
    hook_image = hook_image_name(model)
    parameter = naming.ssm_parameter
    deploy_file = options.deploy_file_in_repository or PurePosixPath(model.file).name
    every_service = [*service_names(model), "jenkins"]
    projects = []
    for stage in Stage:
        size = options.hook_size(stage)
        projects.append(
            PlanProject(
                key=HOOK_KEYS[stage],
                name=naming.hook_project(stage, project),
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
                    Variable("SPRYKER_PROJECT_NAME", project),
                    *(Variable(k, v) for k, v in options.hook_variables.items()),
                ),
                hook=stage.value,
            )
        )
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
                containers={k: options.container(k) for k in every_service},
            ),
            also=(can.retag(hook_image), can.list_executions("normal", "destructive")),
        ),
        PlanProject(
            key=BROKER,
            name=naming.broker_project(project),
            runs="create (destructive: reset) the RabbitMQ vhosts, user and permissions",
            buildspec=broker_buildspec(model),
            in_vpc=True,
            variables=(
                Variable("SCCOS_BROKER_API", "{broker.api}"),
                Variable("SCCOS_BROKER_ADMIN_USER", "broker-admin:username", "secret"),
                Variable("SCCOS_BROKER_ADMIN_PASSWORD", "broker-admin:password", "secret"),
                Variable("SCCOS_BROKER_APP_USER", "broker-application:username", "secret"),
                Variable("SCCOS_BROKER_APP_PASSWORD", "broker-application:password", "secret"),
            ),
        ),
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
                can.write_parameter(naming.PARAMETER_DESIRED),
                can.FIND_IMAGES,
                can.trigger_of("normal", "destructive"),
            ),
        ),
        PlanProject(
            key=RECORD,
            name=naming.record_version_project(project),
            runs="once ECS runs the version everywhere, record it as last_deployed_version",
            buildspec=record_deployed_buildspec(
                model, {options.service(project, k): options.container(k) for k in every_service}
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
    for key, name, commands in (
        (PRE_CONFIG, naming.pre_config_project(project), options.pre_deployment_commands),
        (POST_CONFIG, naming.post_config_project(project), options.post_deployment_commands),
    ):
        if commands:
            projects.append(
                PlanProject(key, name, "the user's commands", commands_buildspec(commands))
            )
    return projects


def on_push(kind: PipelineKind, options: PlanOptions) -> bool:
    if kind is PipelineKind.DESTRUCTIVE:
        return options.deploys_on_push and options.destructive_on_push and not options.production
    return options.deploys_on_push


def deployment_pipeline(
    model: DeployModel, kind: PipelineKind, options: PlanOptions
) -> PipelinePlan:
    """The stages of NORMAL or DESTRUCTIVE, each action naming the project it runs."""
    project = model.project
    pipeline_type = PipelineType(kind.value)
    name = naming.pipeline(project, kind)
    other = PipelineKind.DESTRUCTIVE if kind is PipelineKind.NORMAL else PipelineKind.NORMAL
    other_name = naming.pipeline(project, other) if other in options.pipelines else ""
    deploys = {
        "SCCOS_COMMIT": DEPLOYMENT_VERSION,
        "SPRYKER_PIPELINE_TYPE": pipeline_type.value,
    }
    expected = {
        Stage.PRE_DEPLOY: LAST_DEPLOYED_VERSION,
        Stage.INSTALL: DEPLOYMENT_VERSION,
        Stage.POST_DEPLOY: DEPLOYMENT_VERSION,
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
        action = build(
            naming.HOOK_STEP[stage],
            HOOK_KEYS[stage],
            f"{model.hook(stage, pipeline_type).variable} on the "
            + {Stage.PRE_DEPLOY: "running", Stage.INSTALL: "new", Stage.POST_DEPLOY: "active"}[
                stage
            ]
            + " version's image, with the back office's variables",
            SCCOS_EXPECTED_VERSION=expected[stage],
        )
        action = replace(action, inputs=(SOURCE_ARTIFACT, VARIABLES_ARTIFACT))
        return PlanStage(action.name, (action,))

    def ecs(step: str, keys: tuple[str, ...], runs: str) -> PlanStage:
        return PlanStage(
            step,
            tuple(
                PlanAction(
                    key,
                    ActionKind.ECS_DEPLOY,
                    runs,
                    service=key,
                    inputs=(IMAGES_ARTIFACT,),
                    text=f"imagedefinitions-{key}.json",
                )
                for key in keys
            ),
        )

    destructive = kind is PipelineKind.DESTRUCTIVE
    stages = [
        source_stage(),
        PlanStage(
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
        ),
        PlanStage(
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
        ),
        PlanStage(
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
        ),
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
    desired_parameter = naming.ssm_parameter(project, naming.PARAMETER_DESIRED)
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
        variables=(
            PipelineVariable(
                DESIRED_VERSION_VARIABLE,
                FROM_PARAMETER_STORE,
                f"A version (commit) to deploy instead of {desired_parameter}; `latest` deploys "
                "the last built version",
            ),
        ),
        left_out=tuple(left_out),
    )
