"""The plans of the pipelines that accompany the deployments in SCCOS (Spryker's "Getting
started with cloud administration"): Build, which builds every pushed commit's images.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from .. import naming
from ..deployfile.applications import image_names
from ..deployfile.model import DeployModel
from ..stages import PipelineKind
from .images import build_images_buildspec, image_builder
from .model import (
    SOURCE_ARTIFACT,
    SOURCE_REVISION,
    ActionKind,
    PipelinePlan,
    PlanAction,
    PlanOptions,
    PlanProject,
    PlanStage,
    source_stage,
)

BUILD_IMAGES = "BuildImages"


def build_projects(model: DeployModel, options: PlanOptions) -> list[PlanProject]:
    deploy_file = options.deploy_file_in_repository or PurePosixPath(model.file).name
    return [
        image_builder(
            model,
            options,
            key=BUILD_IMAGES,
            name=naming.build_images_project(model.project),
            runs="build and push the commit's images unless they exist; record lastbuildversion",
            buildspec=build_images_buildspec(model, deploy_file=deploy_file),
        )
    ]


def build_pipeline(model: DeployModel, options: PlanOptions) -> PipelinePlan:
    return PipelinePlan(
        kind=PipelineKind.BUILD,
        name=naming.pipeline(model.project, PipelineKind.BUILD),
        purpose="build and push the images of every pushed commit",
        on_push=options.trigger_on_push,
        stages=(
            source_stage(),
            PlanStage(
                naming.STEP_BUILD_IMAGES,
                (
                    PlanAction(
                        naming.STEP_BUILD_IMAGES,
                        ActionKind.BUILD,
                        f"build and push {len(image_names(model))} images unless they exist",
                        project=BUILD_IMAGES,
                        inputs=(SOURCE_ARTIFACT,),
                        variables={"SCCOS_COMMIT": SOURCE_REVISION},
                    ),
                ),
            ),
        ),
    )
