"""The buildspecs and projects that build the environment's images and push them with the Docker
SDK (`docker/sdk export images -d ecr`); which images exist, and which the hooks run on, is
deployfile.applications.

An application version is a commit; it is the image tag in every ECR repository of the
environment. Images are built once per version: by the Build pipeline on every commit, or by a
deployment's Build_and_Prepare when the version it deploys is its own source commit and the
images are missing.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from typing import Any

from .. import naming
from ..deployfile.applications import hook_image_name, repositories_word
from ..deployfile.model import DeployModel
from . import permissions as can
from .model import Permission, PlanOptions, PlanProject, Variable
from .references import Placeholder
from .shell import (
    REGISTRY,
    RETAG,
    missing_images,
    other_pipeline_guard,
    retag_everywhere,
    spec,
)


def _build(model: DeployModel, deploy_file: str) -> str:
    """Build and push the images of $SCCOS_COMMIT unless they all exist; record it as the last
    built version. Runs in the checked-out source of that commit."""
    repositories = repositories_word(model)
    recheck = missing_images(repositories).replace("\n", "\n  ")
    return (
        "set -euo pipefail\n"
        f"{missing_images(repositories)}\n"
        'if [ -z "$missing" ]; then\n'
        '  echo "The images of $SCCOS_COMMIT exist in ECR; nothing to build"\n'
        "else\n"
        '  echo "Building $SCCOS_COMMIT: missing$missing"\n'
        '  test -x docker/sdk || git clone --depth 1 --branch "$SCCOS_DOCKER_SDK_REF" \\\n'
        '    "$SCCOS_DOCKER_SDK_REPOSITORY" docker\n'
        f"  aws ecr get-login-password | docker login --username AWS --password-stdin {REGISTRY}\n"
        f"  docker/sdk boot {shlex.quote(deploy_file)}\n"
        "  # The SDK bakes SPRYKER_BUILD_HASH into every image: the hooks check it.\n"
        '  SPRYKER_BUILD_HASH="$SCCOS_COMMIT" docker/sdk export images -t "$SCCOS_COMMIT" -d ecr\n'
        "  # The SDK backgrounds its pushes and ignores their failures: check the registry.\n"
        f"  {recheck}\n"
        '  if [ -n "$missing" ]; then\n'
        '    echo "docker/sdk export did not push:$missing" >&2\n'
        "    exit 1\n"
        "  fi\n"
        '  aws ssm put-parameter --name "$SCCOS_LATEST_BUILT_PARAMETER" \\\n'
        '    --value "$SCCOS_COMMIT" \\\n'
        "    --type String --overwrite\n"
        "fi"
    )


def build_images_buildspec(model: DeployModel, *, deploy_file: str) -> dict[str, Any]:
    """Build_Push_if_not_exist of the Build pipeline: the pushed commit's images."""
    return spec([_build(model, deploy_file)])


# A deployment builds only its own source commit: any other version must have been built
# already (Prepare_versions_information_for_Approval_stage refuses it otherwise).
_ONLY_OWN_COMMIT = (
    'if [ "$SCCOS_COMMIT" != "$SCCOS_SOURCE_COMMIT" ]; then\n'
    f"  {missing_images('$SCCOS_REPOSITORIES').replace(chr(10), chr(10) + '  ')}\n"
    '  if [ -n "$missing" ]; then\n'
    '    echo "Version $SCCOS_COMMIT has no images in:$missing; this execution\'s source is" \\\n'
    '      "$SCCOS_SOURCE_COMMIT, so it cannot build them. Run the Build pipeline for it." >&2\n'
    "    exit 1\n"
    "  fi\n"
    "fi"
)


def build_buildspec(
    model: DeployModel,
    *,
    deploy_file: str,
    definitions: Mapping[str, Sequence[tuple[str, str]]],
) -> dict[str, Any]:
    """Build_and_Prepare: build and push unless the version's images exist, then prepare.

    deploy_file: the deploy file's path inside the repository, for `docker/sdk boot`.
    definitions: per ECS deploy action (by name), the (service key, container) pairs of its
        service: one imagedefinitions-<name>.json lists each container with the image of its
        key (`application`, `frontend`, `jenkins`).
    """
    hook_repository = naming.ecr_repository(model.project, hook_image_name(model))
    prepare = (
        "set -euo pipefail\n"
        f"{RETAG}\n"
        "# In every repository, so that the lifecycle policy keeps the version being deployed\n"
        "# (cdk.repositories); the install hook runs on the hook image's.\n"
        f"{retag_everywhere(repositories_word(model), naming.IMAGE_TAG_DESIRED)}\n"
        "# First deployment: nothing runs yet, but the pre-deploy project needs an image to start\n"
        "# (its hook is skipped then).\n"
        f"if ! out=$(aws ecr describe-images --repository-name {hook_repository} "
        f"--image-ids imageTag={naming.IMAGE_TAG_DEPLOYED} 2>&1 >/dev/null); then\n"
        '  case "$out" in\n'
        f'    *ImageNotFoundException*) retag {hook_repository} "$SCCOS_COMMIT" '
        f"{naming.IMAGE_TAG_DEPLOYED} ;;\n"
        '    *) echo "$out" >&2; exit 1 ;;\n'
        "  esac\n"
        "fi"
    )
    written = [
        "printf '["
        + ",".join('{"name":"%s","imageUri":"%s"}' for _ in pairs)
        + "]' "
        + " ".join(
            f"{shlex.quote(container)} {REGISTRY}/{naming.ecr_repository(model.project, key)}:"
            '"$SCCOS_COMMIT"'
            for key, container in pairs
        )
        + f" > imagedefinitions-{name}.json"
        for name, pairs in definitions.items()
    ]
    result = spec(
        [
            other_pipeline_guard(),
            "set -euo pipefail\n" + _ONLY_OWN_COMMIT,
            _build(model, deploy_file),
            prepare,
            *written,
        ],
        variables={"SCCOS_REPOSITORIES": repositories_word(model)},
    )
    result["artifacts"] = {"files": ["imagedefinitions-*.json"]}
    return result


def build_variables(model: DeployModel, options: PlanOptions) -> tuple[Variable, ...]:
    """What the projects that build images need: the Docker SDK and where to record."""
    return (
        Variable("SPRYKER_PROJECT_NAME", model.project),
        Variable("AWS_ACCOUNT_ID", Placeholder.ACCOUNT),
        Variable(
            "SCCOS_LATEST_BUILT_PARAMETER",
            naming.ssm_parameter(model.project, naming.PARAMETER_LATEST_BUILT),
        ),
        Variable("SCCOS_DOCKER_SDK_REPOSITORY", options.docker_sdk_repository),
        Variable("SCCOS_DOCKER_SDK_REF", options.docker_sdk_ref),
    )


def image_builder(
    model: DeployModel,
    options: PlanOptions,
    *,
    key: str,
    name: str,
    runs: str,
    buildspec: Mapping[str, Any],
    also: tuple[Permission, ...] = (),
) -> PlanProject:
    """A project that builds images with the Docker SDK: Docker-in-Docker, large, an hour."""
    return PlanProject(
        key=key,
        name=name,
        runs=runs,
        buildspec=buildspec,
        compute="BUILD_GENERAL1_LARGE",
        timeout_minutes=60,
        privileged=True,  # docker build needs Docker-in-Docker
        cache=("LOCAL_DOCKER_LAYER_CACHE", "LOCAL_SOURCE_CACHE"),
        variables=build_variables(model, options),
        permissions=(
            can.LOGIN,
            can.PUSH,
            can.FIND_IMAGES,
            can.write_parameter(naming.PARAMETER_LATEST_BUILT),
            *also,
        ),
    )
