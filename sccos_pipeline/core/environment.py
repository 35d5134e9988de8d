"""The plan of one environment: its pipelines and their projects, from the deploy file and the
options. The CLI prints it, the CDK constructs translate it, the rehearsal runs against it."""

from __future__ import annotations

from collections.abc import Callable

from . import companions, deployment, maintenance, scheduler, updater
from .model import DeployModel
from .plan import EnvironmentPlan, PipelinePlan, PlanOptions, PlanProject
from .stages import PipelineKind

_PIPELINES: dict[PipelineKind, Callable[[DeployModel, PlanOptions], PipelinePlan]] = {
    PipelineKind.NORMAL: lambda m, o: deployment.deployment_pipeline(m, PipelineKind.NORMAL, o),
    PipelineKind.DESTRUCTIVE: lambda m, o: deployment.deployment_pipeline(
        m, PipelineKind.DESTRUCTIVE, o
    ),
    PipelineKind.BUILD: companions.build_pipeline,
    PipelineKind.MAINTENANCE_ENABLE: maintenance.enable_pipeline,
    PipelineKind.MAINTENANCE_DISABLE: maintenance.disable_pipeline,
    PipelineKind.ROLLOUT_SCHEDULER: scheduler.rollout_pipeline,
    PipelineKind.ECS_UPDATER: updater.updater_pipeline,
}
_PROJECTS: tuple[Callable[[DeployModel, PlanOptions], list[PlanProject]], ...] = (
    deployment.deployment_projects,
    companions.build_projects,
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
    return EnvironmentPlan(model.project, pipelines, projects)
