"""The three hook stages, the two pipeline types, and what each combination runs.

SCCOS has a normal and a destructive pipeline; each runs the pre-deploy, install and post-deploy
stages as CodeBuild projects, with the commands of the deploy file's SPRYKER_HOOK_* variables:
https://docs.spryker.com/docs/ca/dev/configure-deployment-pipelines/deployment-pipelines.html
"""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """A hook stage of a deployment: before, during and after the services get the new image."""

    PRE_DEPLOY = "pre-deploy"
    INSTALL = "install"
    POST_DEPLOY = "post-deploy"


class PipelineType(StrEnum):
    """SPRYKER_PIPELINE_TYPE of a deployment: destructive resets all data (install: destructive)."""

    NORMAL = "normal"
    DESTRUCTIVE = "destructive"


class PipelineKind(StrEnum):
    """Every pipeline of an environment: the two deployments and their companions."""

    NORMAL = "normal"
    DESTRUCTIVE = "destructive"
    BUILD = "build"
    MAINTENANCE_ENABLE = "maintenance-enable"
    MAINTENANCE_DISABLE = "maintenance-disable"
    ROLLOUT_SCHEDULER = "rollout-scheduler"
    ECS_UPDATER = "ecs-updater"

    @property
    def deploys(self) -> bool:
        return self in (PipelineKind.NORMAL, PipelineKind.DESTRUCTIVE)


class StageImage(StrEnum):
    """Which application image a stage runs on."""

    RUNNING = "running"  # the version currently running in ECS (the old one)
    BUILT = "built"  # the version this execution just built (the new one)
    ACTIVE = "active"  # the version now active, after the services were deployed (the new one)


STAGE_IMAGE: dict[Stage, StageImage] = {
    Stage.PRE_DEPLOY: StageImage.RUNNING,
    Stage.INSTALL: StageImage.BUILT,
    Stage.POST_DEPLOY: StageImage.ACTIVE,
}

HOOK_VARIABLE: dict[tuple[Stage, PipelineType], str] = {
    (Stage.PRE_DEPLOY, PipelineType.NORMAL): "SPRYKER_HOOK_BEFORE_DEPLOY",
    (Stage.PRE_DEPLOY, PipelineType.DESTRUCTIVE): "SPRYKER_HOOK_BEFORE_DEPLOY",
    (Stage.INSTALL, PipelineType.NORMAL): "SPRYKER_HOOK_INSTALL",
    (Stage.INSTALL, PipelineType.DESTRUCTIVE): "SPRYKER_HOOK_DESTRUCTIVE_INSTALL",
    (Stage.POST_DEPLOY, PipelineType.NORMAL): "SPRYKER_HOOK_AFTER_DEPLOY",
    (Stage.POST_DEPLOY, PipelineType.DESTRUCTIVE): "SPRYKER_HOOK_AFTER_DEPLOY",
}

DEFAULT_COMMAND: dict[tuple[Stage, PipelineType], str] = {
    (Stage.PRE_DEPLOY, PipelineType.NORMAL): "vendor/bin/install -r pre-deploy -vvv",
    (Stage.PRE_DEPLOY, PipelineType.DESTRUCTIVE): "vendor/bin/install -r pre-deploy -vvv",
    (Stage.INSTALL, PipelineType.NORMAL): "vendor/bin/install -r production --no-ansi -vvv",
    (Stage.INSTALL, PipelineType.DESTRUCTIVE): "vendor/bin/install -r destructive --no-ansi -vvv",
    (Stage.POST_DEPLOY, PipelineType.NORMAL): "true",
    (Stage.POST_DEPLOY, PipelineType.DESTRUCTIVE): "true",
}

HOOK_VARIABLES: frozenset[str] = frozenset(HOOK_VARIABLE.values())

# Run by the stage after the hook (Spryker's "Deployment in states"): the scheduler must not
# run jobs against half-migrated data, and comes back once install has migrated it.
SCHEDULER_COMMAND: dict[Stage, str] = {
    Stage.PRE_DEPLOY: "vendor/bin/console scheduler:suspend -vvv --no-ansi",
    Stage.INSTALL: "vendor/bin/console scheduler:setup -vvv --no-ansi",
}
