"""Buildspecs of the support steps around the hooks, rendered from the model.

These run on CodeBuild's standard image with the AWS CLI. Everything known at synth is baked in;
what only the run knows (account, region, commit) comes from variables the constructs set:
AWS_ACCOUNT_ID, AWS_REGION (set by CodeBuild), SCCOS_COMMIT (the source action's version).

How images reach the hook stages without editing the CloudFormation-managed projects: the hook
projects use two mutable tags of the back-office repository. Build_and_Prepare points
`sccos-desired` at the commit (install runs on it); UpdateDeployedVersion points
`sccos-deployed` at it once the services run it (pre-deploy of the next run and post-deploy of
this run use it). A first deployment, with nothing running yet, starts `sccos-deployed` at the
commit too.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from . import naming
from .model import DeployModel
from .plan import hook_image_name, image_names

REGISTRY = '"$AWS_ACCOUNT_ID.dkr.ecr.$AWS_REGION.amazonaws.com"'

_RETAG = """\
retag() {  # repository, existing tag, new tag: ECR moves a tag by re-putting the manifest
  manifest=$(aws ecr batch-get-image --repository-name "$1" --image-ids imageTag="$2" \\
    --query 'images[0].imageManifest' --output text)
  out=$(aws ecr put-image --repository-name "$1" --image-tag "$3" \\
    --image-manifest "$manifest" 2>&1) || case "$out" in
      *ImageAlreadyExistsException*) ;;  # the tag already points at this image
      *) echo "$out" >&2; return 1 ;;
    esac
}"""


def _spec(commands: Sequence[str], **env: Any) -> dict[str, Any]:
    return {
        "version": 0.2,
        "env": {"shell": "bash", **env},
        "phases": {"build": {"commands": list(commands)}},
    }


def build_buildspec(
    model: DeployModel, *, deploy_file: str, containers: Mapping[str, str]
) -> dict[str, Any]:
    """Build_and_Prepare: build and push unless the commit's images exist, then prepare.

    deploy_file: the deploy file's path inside the repository, for `docker/sdk boot`.
    containers: ECS service key (application name, `frontend`, `jenkins`) to the name of the
        container to update; one imagedefinitions-<key>.json is written per service.
    """
    repositories = " ".join(naming.ecr_repository(model.project, n) for n in image_names(model))
    hook_repository = naming.ecr_repository(model.project, hook_image_name(model))
    guard = (
        "set -euo pipefail\n"
        'if [ -n "${SCCOS_OTHER_PIPELINE:-}" ]; then\n'
        "  running=$(aws codepipeline list-pipeline-executions \\\n"
        '    --pipeline-name "$SCCOS_OTHER_PIPELINE" --max-items 5 --output text \\\n'
        "    --query 'length(pipelineExecutionSummaries[?status==`InProgress`])')\n"
        '  if [ "$running" != "0" ]; then\n'
        '    echo "$SCCOS_OTHER_PIPELINE is running; both pipelines move the same image tags;" \\\n'
        '      "wait for it" >&2\n'
        "    exit 1\n"
        "  fi\n"
        "fi"
    )
    build = (
        "set -euo pipefail\n"
        'missing=""\n'
        f"for repository in {repositories}; do\n"
        '  aws ecr describe-images --repository-name "$repository" \\\n'
        '    --image-ids imageTag="$SCCOS_COMMIT" \\\n'
        '    >/dev/null 2>&1 || missing="$missing $repository"\n'
        "done\n"
        'if [ -z "$missing" ]; then\n'
        '  echo "The images of $SCCOS_COMMIT exist in ECR; skipping the build"\n'
        "else\n"
        '  echo "Building $SCCOS_COMMIT: no image yet in$missing"\n'
        '  test -x docker/sdk || git clone --depth 1 --branch "$SCCOS_DOCKER_SDK_REF" \\\n'
        '    "$SCCOS_DOCKER_SDK_REPOSITORY" docker\n'
        f"  aws ecr get-login-password | docker login --username AWS --password-stdin {REGISTRY}\n"
        f"  docker/sdk boot {shlex.quote(deploy_file)}\n"
        '  docker/sdk export images -t "$SCCOS_COMMIT" -d ecr\n'
        "fi\n"
        'aws ssm put-parameter --name "$SCCOS_LATEST_BUILT_PARAMETER" --value "$SCCOS_COMMIT" \\\n'
        "  --type String --overwrite"
    )
    prepare = (
        f"{_RETAG}\n"
        f'retag {hook_repository} "$SCCOS_COMMIT" {naming.IMAGE_TAG_DESIRED}\n'
        f"aws ecr describe-images --repository-name {hook_repository} "
        f"--image-ids imageTag={naming.IMAGE_TAG_DEPLOYED} >/dev/null 2>&1 \\\n"
        f'  || retag {hook_repository} "$SCCOS_COMMIT" {naming.IMAGE_TAG_DEPLOYED}'
        "  # first deployment"
    )
    definitions = [
        f'printf \'[{{"name":"%s","imageUri":"%s"}}]\' {shlex.quote(container)} '
        f'{REGISTRY}/{naming.ecr_repository(model.project, key)}:"$SCCOS_COMMIT" '
        f"> imagedefinitions-{key}.json"
        for key, container in containers.items()
    ]
    spec = _spec([guard, build, prepare, *definitions])
    spec["artifacts"] = {"files": ["imagedefinitions-*.json"]}
    return spec


def broker_vhosts(model: DeployModel) -> tuple[str, ...]:
    """The RabbitMQ vhosts of the deploy file's stores, in order, each once."""
    return tuple(dict.fromkeys(s.broker_namespace for s in model.stores if s.broker_namespace))


def broker_buildspec(model: DeployModel) -> dict[str, Any]:
    """Configure_RabbitMQ_Vhosts_and_Permissions through the RabbitMQ management API.

    Needs SCCOS_BROKER_API, SCCOS_BROKER_ADMIN_USER/PASSWORD and SCCOS_BROKER_APP_USER/PASSWORD
    (the passwords from Secrets Manager); SPRYKER_PIPELINE_TYPE=destructive resets each vhost.
    """
    vhosts = broker_vhosts(model)
    if not vhosts:
        return _spec(['echo "The deploy file names no broker namespaces; nothing to configure"'])
    script = [
        "set -euo pipefail",
        "api() {",
        "  curl --fail --silent --show-error \\",
        '    -u "$SCCOS_BROKER_ADMIN_USER:$SCCOS_BROKER_ADMIN_PASSWORD" \\',
        "    -H 'content-type: application/json' \"$@\"",
        "}",
        'api -X PUT "$SCCOS_BROKER_API/api/users/$SCCOS_BROKER_APP_USER" \\',
        '  -d "{\\"password\\":\\"$SCCOS_BROKER_APP_PASSWORD\\",\\"tags\\":\\"\\"}"',
    ]
    for vhost in vhosts:
        url = f'"$SCCOS_BROKER_API/api/vhosts/{quote(vhost, safe="")}"'
        permissions = (
            f'"$SCCOS_BROKER_API/api/permissions/{quote(vhost, safe="")}/$SCCOS_BROKER_APP_USER"'
        )
        script += [
            f"echo {shlex.quote('vhost ' + vhost)}",
            f'if [ "$SPRYKER_PIPELINE_TYPE" = destructive ]; then api -X DELETE {url} || true; fi',
            f"api -X PUT {url}",
            f'api -X PUT {permissions} -d \'{{"configure":".*","write":".*","read":".*"}}\'',
        ]
    return _spec(["\n".join(script)])


def versions_buildspec() -> dict[str, Any]:
    """Records desired_version; exports DESIRED_ and LAST_DEPLOYED_VERSION for the approval."""
    return _spec(
        [
            'DESIRED_VERSION="$SCCOS_COMMIT"',
            'aws ssm put-parameter --name "$SCCOS_DESIRED_PARAMETER" --value "$SCCOS_COMMIT" '
            "--type String --overwrite",
            'LAST_DEPLOYED_VERSION=$(aws ssm get-parameter --name "$SCCOS_LAST_DEPLOYED_PARAMETER" '
            "--query Parameter.Value --output text)",
            'echo "Deploying $DESIRED_VERSION over $LAST_DEPLOYED_VERSION"',
        ],
        **{"exported-variables": ["DESIRED_VERSION", "LAST_DEPLOYED_VERSION"]},
    )


def record_deployed_buildspec(model: DeployModel) -> dict[str, Any]:
    """UpdateDeployedVersion: last_deployed_version, and the image tag the running services use."""
    hook_repository = naming.ecr_repository(model.project, hook_image_name(model))
    return _spec(
        [
            "set -euo pipefail\n"
            f"{_RETAG}\n"
            f'retag {hook_repository} "$SCCOS_COMMIT" {naming.IMAGE_TAG_DEPLOYED}\n'
            'aws ssm put-parameter --name "$SCCOS_LAST_DEPLOYED_PARAMETER" --value "$SCCOS_COMMIT" '
            "--type String --overwrite"
        ]
    )


def commands_buildspec(commands: Sequence[str]) -> dict[str, Any]:
    """Pre_/Post_Deployment_Configuration: the user's commands, each failing the build on error."""
    return _spec(commands)
