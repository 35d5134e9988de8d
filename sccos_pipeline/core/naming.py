"""Every physical name the project gives: CodeBuild projects, pipelines, steps, parameters.

Users see these names in the console and in Spryker's troubleshooting guides; they are kept in
this one module so that nothing else spells them, with the limits AWS sets on each kind.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .stages import PipelineKind, PipelineType, Stage

_PROJECT_NAME = re.compile(r"[A-Za-z0-9_-]+")
EXTRA_IMAGES = ("frontend", "jenkins", "pipeline")  # pushed by `docker/sdk export images`

STEP_SOURCE = "Source"
STEP_VERSIONS = "Prepare_versions_information_for_Approval_stage"
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
STEP_HOOK_VARIABLES = "Read_hook_variables"  # an action of Build_and_Prepare, after the build

STEPS: tuple[str, ...] = (
    STEP_SOURCE,
    STEP_VERSIONS,
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


# Stages of the companion pipelines.
STEP_BUILD_IMAGES = "Build_Push_if_not_exist"
STEP_MAINTENANCE = "Switch_maintenance_mode"
STEP_SCHEDULER_ROLLOUT = "Prepare_scheduler_rollout"
STEP_SCHEDULER_SETUP = "Setup_scheduler"
STEP_UPDATE_SERVICES = "Update_ECS_services"


# The pipelines as the SCCOS console lists them (Spryker's "Getting started with cloud
# administration", "Deploy in a production environment", "Add variables in the Parameter
# Store", "Enable and disable maintenance mode"); `project` is `<project>-<environment>`.
PIPELINE_NAMES: dict[PipelineKind, str] = {
    PipelineKind.NORMAL: "NORMAL_Deploy_Spryker_{project}",
    PipelineKind.DESTRUCTIVE: "DESTRUCTIVE_Deploy_Spryker_{project}",
    PipelineKind.BUILD: "Build_Spryker_{project}",
    PipelineKind.MAINTENANCE_ENABLE: "Maintenance_Enable_{project}",
    PipelineKind.MAINTENANCE_DISABLE: "Maintenance_Disable_{project}",
    PipelineKind.ROLLOUT_SCHEDULER: "Rollout_Scheduler_{project}",
    PipelineKind.ECS_UPDATER: "ECS-updater-{project}",
}


def pipeline(project: str, kind: PipelineKind | PipelineType) -> str:
    return PIPELINE_NAMES[PipelineKind(kind.value)].format(project=project)


def build_project(project: str) -> str:
    return f"Build_spryker_app_for_{project}"


# The support projects, named like the CodeBuild projects of SCCOS's own pipelines where those
# have one (Build_spryker_app_for_<project>, Configure_RabbitMQ_for_<project>, ...).
def broker_project(project: str) -> str:
    return f"Configure_RabbitMQ_for_{project}"


def build_images_project(project: str) -> str:
    return f"Build_images_for_{project}"


def maintenance_project(project: str) -> str:
    return f"Switch_maintenance_mode_for_{project}"


def scheduler_rollout_project(project: str) -> str:
    return f"Prepare_scheduler_rollout_for_{project}"


def scheduler_setup_project(project: str) -> str:
    return f"Setup_scheduler_for_{project}"


def ecs_updater_project(project: str) -> str:
    return f"Update_ECS_services_for_{project}"


def hook_variables_project(project: str) -> str:
    return f"Read_hook_variables_for_{project}"


def approval_info_project(project: str) -> str:
    return f"Update_pipeline_approval_info_for_{project}"


def record_version_project(project: str) -> str:
    return f"Update_latest_deployed_version_of_{project}"


def pre_config_project(project: str) -> str:
    return f"Pre_deploy_config_for_{project}"


def post_config_project(project: str) -> str:
    return f"Post_deploy_config_for_{project}"


def ecr_repository(project: str, application: str) -> str:
    """`<project>-<application>`, lower-cased as the Docker SDK pushes it."""
    return f"{project}-{application}".lower()


def ssm_parameter(project: str, name: str) -> str:
    """`/<project>/desired_version` and the other versions, where SCCOS operators look for them
    (Spryker's "Deploy in a production environment")."""
    return f"/{project}/{name}"


def variable_tree(project: str) -> str:
    """`/{project}/{environment}` of Spryker's variable paths, from `<project>-<environment>`:
    the part after the last '-' is the environment (Spryker's "Add variables in the Parameter
    Store"). A name without '-' is its own project with environment `default`."""
    head, _, tail = project.rpartition("-")
    return f"/{head}/{tail}" if head else f"/{project}/default"


def task_family(service: str) -> str:
    """The task-definition family an ECS service is taken to run when nothing tells it: the
    service's own name, a common convention (set the family when a service runs another). The
    pipelines may register revisions in it and nowhere else."""
    return service


def task_role_prefix(cluster: str) -> str:
    """`<cluster>-`: the start of the names of the task and execution roles the pipelines may
    pass to ECS tasks when nothing tells those roles (an environment's resources named after its
    cluster; set the prefix when its roles are named otherwise)."""
    return f"{cluster}-"


def log_group(project: str, codebuild_project: str) -> str:
    """`/sccos/<project>/<CodeBuild project>`, the KMS-encrypted log group of one project."""
    return f"/sccos/{project}/{codebuild_project}"


# The cloud assembly metadata entry that tells `sccos-pipeline rehearse` about an environment.
REHEARSAL_METADATA = "sccos-pipeline:environment"

# Mutable tags of the back-office repository that the hook projects run on (see core.plan.versions).
IMAGE_TAG_DESIRED = "sccos-desired"
IMAGE_TAG_DEPLOYED = "sccos-deployed"
# Put on a version in every repository once it is deployed, so that the lifecycle policy keeps the
# last deployed versions (cdk.repositories); a tag is at most 128 characters, so a version longer
# than 113 is cut.
IMAGE_TAG_DEPLOYED_PREFIX = "sccos-deployed-"
DEFAULT_KEEP_DEPLOYED_VERSIONS = 20
KEEP_ANY_IMAGES = 200

# Spryker's staging guide names the last built version `lastbuildversion`.
PARAMETER_LATEST_BUILT = "lastbuildversion"
PARAMETER_DESIRED = "desired_version"
PARAMETER_LAST_DEPLOYED = "last_deployed_version"


def kms_alias(project: str) -> str:
    return f"alias/sccos/{project}"


# What AWS accepts for each kind of name: pattern, shortest, longest, and the pattern in words.
KINDS: dict[str, tuple[re.Pattern[str], int, int, str]] = {
    "CodeBuild project": (
        re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*"),
        2,
        255,
        "letters, digits, '-' and '_'",
    ),
    "pipeline": (re.compile(r"[A-Za-z0-9.@_-]+"), 1, 100, "letters, digits and '.@-_'"),
    "ECR repository": (
        re.compile(r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*"),
        2,
        256,
        "lower-case letters and digits with single '.', '_' or '-' between them",
    ),
    "SSM parameter": (re.compile(r"/[A-Za-z0-9_./-]+"), 2, 1011, "letters, digits and '_.-/'"),
    "KMS alias": (re.compile(r"alias/[A-Za-z0-9/_-]+"), 7, 256, "letters, digits and '/_-'"),
}


def physical_names(
    project: str,
    images: Iterable[str] = EXTRA_IMAGES,
    pipelines: Iterable[PipelineKind | PipelineType] = tuple(PipelineKind),
) -> dict[str, tuple[str, ...]]:
    """Every name one environment creates in its account and region, by kind."""
    return {
        "CodeBuild project": (
            *(hook_project(stage, project) for stage in Stage),
            build_project(project),
            build_images_project(project),
            maintenance_project(project),
            scheduler_rollout_project(project),
            scheduler_setup_project(project),
            ecs_updater_project(project),
            hook_variables_project(project),
            broker_project(project),
            approval_info_project(project),
            record_version_project(project),
            pre_config_project(project),
            post_config_project(project),
        ),
        "pipeline": tuple(pipeline(project, t) for t in pipelines),
        "ECR repository": tuple(ecr_repository(project, image) for image in images),
        "SSM parameter": tuple(
            ssm_parameter(project, name)
            for name in (PARAMETER_LATEST_BUILT, PARAMETER_DESIRED, PARAMETER_LAST_DEPLOYED)
        ),
        "KMS alias": (kms_alias(project),),
    }


# SSM refuses parameter names beginning with these, in any case ("aws-env-template/..."), and
# a hierarchy's first level counts: "/aws-env-template/desired_version" is refused too.
SSM_RESERVED_PREFIXES = ("aws", "ssm")


def name_problems(names: dict[str, tuple[str, ...]]) -> list[str]:
    """Why AWS would refuse some of these names; empty when it takes them all."""
    problems = []
    for kind, found in names.items():
        pattern, shortest, longest, words = KINDS[kind]
        for name in found:
            shown = name if len(name) <= 60 else f"{name[:57]}..."
            reserved = [
                prefix
                for prefix in SSM_RESERVED_PREFIXES
                if kind == "SSM parameter" and name.lstrip("/").lower().startswith(prefix)
            ]
            if not shortest <= len(name) <= longest:
                problems.append(
                    f"makes the {kind} name {shown!r} {len(name)} characters long; "
                    f"AWS allows {shortest} to {longest}"
                )
            elif not pattern.fullmatch(name):
                problems.append(f"makes the {kind} name {shown!r}; AWS allows {words}")
            elif reserved:
                problems.append(
                    f"makes the {kind} name {shown!r}, which begins with {reserved[0]!r}: SSM "
                    "reserves names beginning with 'aws' or 'ssm', in any case"
                )
    return problems


def project_name_problem(project: str) -> str | None:
    """Why `project` cannot form the names derived from it, or None when it can."""
    if not project or not _PROJECT_NAME.fullmatch(project):
        return "may hold only letters, digits, '-' and '_'"
    problems = name_problems(physical_names(project))
    return problems[0] if problems else None


MAX_PROJECT_LENGTH = max(n for n in range(1, 300) if project_name_problem("a" * n) is None)
PROJECT_RULE = (
    "letters and digits with single '-' or '_' between them, "
    f"at most {MAX_PROJECT_LENGTH} characters, not beginning with 'aws' or 'ssm'"
)


# Application keys name Docker SDK services and images: kept to what a shell word and an ECR
# repository name can both hold.
_APPLICATION_NAME = re.compile(r"[A-Za-z0-9_-]+")


def application_name_problem(project: str, application: str) -> str | None:
    """Why an application key cannot name its Docker SDK service and ECR repository, or None.
    (A project name with a problem of its own is reported once, for the project.)"""
    if not _APPLICATION_NAME.fullmatch(application):
        return "may hold only letters, digits, '_' and '-'"
    if project_name_problem(project):
        return None
    problems = name_problems({"ECR repository": (ecr_repository(project, application),)})
    return problems[0] if problems else None


def partition_of(region: str) -> str:
    """The partition of a region: `aws-cn` in China, `aws-us-gov` in GovCloud, else `aws`."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"
