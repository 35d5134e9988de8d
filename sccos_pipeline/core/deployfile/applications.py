"""The deploy file's applications as images and services: which images one build pushes, which
the hooks run on, and which ECS services a deployment redeploys."""

from __future__ import annotations

from .. import naming
from .model import Application, DeployModel

# The application whose image the hook projects run on: back office (Zed) first.
_HOOK_IMAGE_PREFERENCE = ("backoffice", "zed", "backend-gateway", "backend-api", "merchant-portal")


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
    names.update(dict.fromkeys(naming.EXTRA_IMAGES))
    return tuple(names)


def hook_image_name(model: DeployModel) -> str:
    application = hook_application(model)
    return application.name.lower() if application else "pipeline"


def service_names(model: DeployModel) -> tuple[str, ...]:
    """ECS services redeployed by Deploy_Spryker_services: every application, then frontend."""
    return (*dict.fromkeys(a.name.lower() for a in model.applications), "frontend")


def repositories_word(model: DeployModel) -> str:
    return " ".join(naming.ecr_repository(model.project, n) for n in image_names(model))
