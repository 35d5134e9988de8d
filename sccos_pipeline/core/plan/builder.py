"""The plan of one environment: its pipelines and their projects, from the deploy file and the
options. The CLI prints it, the CDK constructs translate it, the rehearsal runs against it."""

from __future__ import annotations

from collections.abc import Callable

from ..deployfile.findings import DeployFileError, Finding, Position
from ..deployfile.model import DeployModel
from ..stages import PipelineKind
from . import build, deployment, maintenance, scheduler, updater
from .hook_buildspec import MAX_INLINE_BUILDSPEC, buildspec_text
from .model import EnvironmentPlan, PipelinePlan, PlanOptions, PlanProject

_PIPELINES: dict[PipelineKind, Callable[[DeployModel, PlanOptions], PipelinePlan]] = {
    PipelineKind.NORMAL: lambda m, o: deployment.deployment_pipeline(m, PipelineKind.NORMAL, o),
    PipelineKind.DESTRUCTIVE: lambda m, o: deployment.deployment_pipeline(
        m, PipelineKind.DESTRUCTIVE, o
    ),
    PipelineKind.BUILD: build.build_pipeline,
    PipelineKind.MAINTENANCE_ENABLE: maintenance.enable_pipeline,
    PipelineKind.MAINTENANCE_DISABLE: maintenance.disable_pipeline,
    PipelineKind.ROLLOUT_SCHEDULER: scheduler.rollout_pipeline,
    PipelineKind.ECS_UPDATER: updater.updater_pipeline,
}
_PROJECTS: tuple[Callable[[DeployModel, PlanOptions], list[PlanProject]], ...] = (
    deployment.deployment_projects,
    build.build_projects,
    maintenance.maintenance_projects,
    scheduler.scheduler_projects,
    updater.updater_projects,
)
PLANNED = tuple(_PIPELINES)  # the kinds this version can plan, in order


def build_environment_plan(
    model: DeployModel, options: PlanOptions | None = None
) -> EnvironmentPlan:
    options = options or PlanOptions()
    pipelines = tuple(_PIPELINES[k](model, options) for k in PLANNED if k in options.pipelines)
    projects: dict[str, PlanProject] = {}
    for make in _PROJECTS:
        for project in make(model, options):
            projects[project.key] = project
    plan = EnvironmentPlan(model.project, pipelines, projects)
    _refuse_long_buildspecs(model, plan)
    return plan


def _refuse_long_buildspecs(model: DeployModel, plan: EnvironmentPlan) -> None:
    """CodeBuild takes an inline buildspec of at most 25,600 characters; some grow with the
    number of applications (a line per service)."""
    findings = []
    for project in plan.used_projects():
        length = len(buildspec_text(project.buildspec))
        if length > MAX_INLINE_BUILDSPEC:
            findings.append(
                Finding.of(
                    "SCC040",
                    f"the buildspec of {project.name} would be {length} characters, over "
                    f"CodeBuild's {MAX_INLINE_BUILDSPEC} for an inline buildspec",
                    Position(model.file),
                    "split the environment's applications over more environments",
                )
            )
    if findings:
        raise DeployFileError(findings)
