"""Every physical name the project gives: CodeBuild projects, pipelines, steps, parameters.

Users see these names in the console and in Spryker's troubleshooting guides; they are kept in
this one module so that nothing else spells them.
"""

from __future__ import annotations

import re

from .stages import PipelineType, Stage

# CodeBuild project names: [A-Za-z0-9][A-Za-z0-9_-]{1,254} for the whole name.
_CODEBUILD_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{1,254}")
_PROJECT_NAME = re.compile(r"[A-Za-z0-9_-]+")
# CodePipeline API reference, PipelineDeclaration `name`: 1 to 100 of [A-Za-z0-9.@_-].
_PIPELINE_NAME = re.compile(r"[A-Za-z0-9.@_-]{1,100}")
# ECR API reference, CreateRepository `repositoryName`: 2 to 256 characters matching
# (?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*; no `/` in ours.
_ECR_REPOSITORY = re.compile(r"[a-z0-9]+(?:[._-][a-z0-9]+)*")
_ECR_MAX = 256
# Application keys name Docker SDK services and images: kept to what a shell word and an
# ECR repository name can both hold.
_APPLICATION_NAME = re.compile(r"[A-Za-z0-9_-]+")

STEP_SOURCE = "Source"
STEP_APPROVE = "Please_approve"
STEP_BUILD = "Build_and_Prepare"
STEP_BROKER = "Configure_RabbitMQ_Vhosts_and_Permissions"
STEP_PRE_DEPLOY = "Run_pre-deploy_hook"
STEP_PRE_CONFIG = "Pre_Deployment_Configuration"
STEP_SCHEDULER = "Deploy_Scheduler"
STEP_INSTALL = "Run_install"
STEP_SERVICES = "Deploy_Spryker_services"
STEP_VERSION = "UpdateDeployedVersion"
STEP_POST_CONFIG = "Post_Deployment_Configuration"
STEP_POST_DEPLOY = "Run_post-deploy_hook"

STEPS: tuple[str, ...] = (
    STEP_SOURCE,
    STEP_APPROVE,
    STEP_BUILD,
    STEP_BROKER,
    STEP_PRE_DEPLOY,
    STEP_PRE_CONFIG,
    STEP_SCHEDULER,
    STEP_INSTALL,
    STEP_SERVICES,
    STEP_VERSION,
    STEP_POST_CONFIG,
    STEP_POST_DEPLOY,
)

HOOK_STEP: dict[Stage, str] = {
    Stage.PRE_DEPLOY: STEP_PRE_DEPLOY,
    Stage.INSTALL: STEP_INSTALL,
    Stage.POST_DEPLOY: STEP_POST_DEPLOY,
}


def hook_project(stage: Stage, project: str) -> str:
    """`Run_<stage>_for_<project>`, the CodeBuild project of a hook stage."""
    return f"Run_{stage.value}_for_{project}"


def project_name_problem(project: str) -> str | None:
    """Why `project` cannot name the CodeBuild projects, pipelines and ECR repositories, or
    None when it can."""
    longest = hook_project(Stage.POST_DEPLOY, project)
    if not project or not _PROJECT_NAME.fullmatch(project):
        return "may hold only letters, digits, '-' and '_'"
    if not _CODEBUILD_NAME.fullmatch(longest):
        return f"makes {longest!r} longer than CodeBuild's 255 characters"
    longest = pipeline(project, PipelineType.DESTRUCTIVE)
    if not _PIPELINE_NAME.fullmatch(longest):
        return f"makes the pipeline name {longest!r} longer than CodePipeline's 100 characters"
    return _repository_problem(ecr_repository(project, "frontend"))


def application_name_problem(project: str, application: str) -> str | None:
    """Why an application key cannot name its Docker SDK service and ECR repository, or None.
    (A project name with a problem of its own is reported once, for the project.)"""
    if not _APPLICATION_NAME.fullmatch(application):
        return "may hold only letters, digits, '_' and '-'"
    if project_name_problem(project):
        return None
    return _repository_problem(ecr_repository(project, application))


def _repository_problem(repository: str) -> str | None:
    if len(repository) > _ECR_MAX:
        return f"makes the ECR repository name {repository!r} longer than {_ECR_MAX} characters"
    if not _ECR_REPOSITORY.fullmatch(repository):
        return (
            f"makes the ECR repository name {repository!r}, which ECR refuses: letters and "
            "digits with single '-', '_' or '.' between them"
        )
    return None


def pipeline(project: str, pipeline_type: PipelineType) -> str:
    return f"{project}-{pipeline_type.value}-deploy"


def build_project(project: str) -> str:
    return f"Build_spryker_app_for_{project}"


# The support projects, named like Spryker's own (DOMAIN §4) where it has one.
def broker_project(project: str) -> str:
    return f"Configure_RabbitMQ_for_{project}"


def approval_info_project(project: str) -> str:
    return f"Update_pipeline_approval_info_for_{project}"


def record_version_project(project: str) -> str:
    return f"Update_latest_deployed_version_of_{project}"


def pre_config_project(project: str) -> str:
    return f"Pre_deploy_config_for_{project}"


def post_config_project(project: str) -> str:
    return f"Post_deploy_config_for_{project}"


def log_group(project: str, codebuild_project: str) -> str:
    """`/sccos/<project>/<CodeBuild project>`, the KMS-encrypted log group of one project."""
    return f"/sccos/{project}/{codebuild_project}"


def ecr_repository(project: str, application: str) -> str:
    """`<project>-<application>`, lower-cased as the Docker SDK pushes it."""
    return f"{project}-{application}".lower()


def ssm_parameter(project: str, name: str) -> str:
    """SSM parameters of an environment: latest_built_version, last_deployed_version, ..."""
    return f"/{project}/pipeline/{name}"


# Mutable tags of the back-office repository that the hook projects run on (see core.support).
IMAGE_TAG_DESIRED = "sccos-desired"
IMAGE_TAG_DEPLOYED = "sccos-deployed"

PARAMETER_LATEST_BUILT = "latest_built_version"
PARAMETER_DESIRED = "desired_version"
PARAMETER_LAST_DEPLOYED = "last_deployed_version"
