"""Buildspecs of the support steps around the hooks, rendered from the model.

These run on CodeBuild's standard image with the AWS CLI. Everything known at synth is baked in;
what only the run knows comes from variables the constructs set: AWS_ACCOUNT_ID, AWS_REGION
(set by CodeBuild), SCCOS_COMMIT (the source action's version), SCCOS_PIPELINE and
SCCOS_EXECUTION_ID (this execution).

How images reach the hook stages without editing the CloudFormation-managed projects: the hook
projects use two mutable tags of the back-office repository. Build_and_Prepare points
`sccos-desired` at the commit (install runs on it); UpdateDeployedVersion points
`sccos-deployed` at it once ECS says the services run it (pre-deploy of the next run and
post-deploy of this run use it). A first deployment, with nothing running yet, starts
`sccos-deployed` at the commit too, so the pre-deploy project can start; it skips its hook.
Every hook checks that its image is the version it must run (core.buildspec).
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


# Reads both pipelines' executions (AWS CLI v1 prints start times as epoch numbers, v2 as
# ISO 8601 text) and names the other pipeline's runs that started before this one.
_EARLIER_RUNS = """\
import datetime, json, os, sys
def start(summary):
    value = summary["startTime"]
    if isinstance(value, (int, float)):
        return float(value)
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
mine = json.load(open("mine.json"))["pipelineExecutionSummaries"]
other = json.load(open("other.json"))["pipelineExecutionSummaries"]
me = [start(s) for s in mine if s["pipelineExecutionId"] == os.environ["SCCOS_EXECUTION_ID"]]
if not me:
    sys.exit("this execution is not listed in " + os.environ["SCCOS_PIPELINE"])
print(" ".join(s["pipelineExecutionId"] for s in other
               if s["status"] == "InProgress" and start(s) < me[0]))
"""


def _other_pipeline_guard() -> str:
    """Refuse to start while the environment's other pipeline runs an execution that started
    earlier: both move the same image tags. The later one is refused, so one always goes on."""
    return (
        "set -euo pipefail\n"
        'if [ -n "${SCCOS_OTHER_PIPELINE:-}" ]; then\n'
        '  aws codepipeline list-pipeline-executions --pipeline-name "$SCCOS_PIPELINE" \\\n'
        "    --output json > mine.json\n"
        '  aws codepipeline list-pipeline-executions --pipeline-name "$SCCOS_OTHER_PIPELINE" \\\n'
        "    --output json > other.json\n"
        f"  earlier=$(python3 -c {shlex.quote(_EARLIER_RUNS)})\n"
        "  rm -f mine.json other.json\n"
        '  if [ -n "$earlier" ]; then\n'
        '    echo "$SCCOS_OTHER_PIPELINE started earlier and still runs ($earlier); both" \\\n'
        '      "pipelines move the same image tags." \\\n'
        '      "Start this one again once it has finished." >&2\n'
        "    exit 1\n"
        "  fi\n"
        "fi"
    )


def _missing_images(repositories: str) -> str:
    """Shell that lists in $missing every repository without the commit's image, asking ECR
    about all of them at once. Any error but ImageNotFoundException fails the build: a denied
    call must never read as "missing"."""
    return (
        "checked=$(mktemp -d)\n"
        f"for repository in {repositories}; do\n"
        '  { aws ecr describe-images --repository-name "$repository" \\\n'
        '      --image-ids imageTag="$SCCOS_COMMIT" >/dev/null 2>"$checked/$repository"\n'
        '    echo $? > "$checked/$repository.rc"; } &\n'
        "done\n"
        "wait\n"
        'missing=""\n'
        f"for repository in {repositories}; do\n"
        '  if [ "$(cat "$checked/$repository.rc")" != 0 ]; then\n'
        '    case "$(cat "$checked/$repository")" in\n'
        '      *ImageNotFoundException*) missing="$missing $repository:$SCCOS_COMMIT" ;;\n'
        '      *) cat "$checked/$repository" >&2; exit 1 ;;\n'
        "    esac\n"
        "  fi\n"
        "done\n"
        'rm -rf "$checked"'
    )


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
    build = (
        "set -euo pipefail\n"
        f"{_missing_images(repositories)}\n"
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
        f"  {_missing_images(repositories).replace(chr(10), chr(10) + '  ')}\n"
        '  if [ -n "$missing" ]; then\n'
        '    echo "docker/sdk export did not push:$missing" >&2\n'
        "    exit 1\n"
        "  fi\n"
        '  aws ssm put-parameter --name "$SCCOS_LATEST_BUILT_PARAMETER" \\\n'
        '    --value "$SCCOS_COMMIT" \\\n'
        "    --type String --overwrite\n"
        "fi"
    )
    prepare = (
        "set -euo pipefail\n"
        f"{_RETAG}\n"
        f'retag {hook_repository} "$SCCOS_COMMIT" {naming.IMAGE_TAG_DESIRED}\n'
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
    definitions = [
        f'printf \'[{{"name":"%s","imageUri":"%s"}}]\' {shlex.quote(container)} '
        f'{REGISTRY}/{naming.ecr_repository(model.project, key)}:"$SCCOS_COMMIT" '
        f"> imagedefinitions-{key}.json"
        for key, container in containers.items()
    ]
    spec = _spec([_other_pipeline_guard(), build, prepare, *definitions])
    spec["artifacts"] = {"files": ["imagedefinitions-*.json"]}
    return spec


def broker_vhosts(model: DeployModel) -> tuple[str, ...]:
    """The RabbitMQ vhosts the Docker SDK connects to: one per store, and one per region for
    dynamic-store deploy files; in order, each once."""
    namespaces = [s.broker_namespace for s in model.stores if s.broker_namespace]
    namespaces += [r.namespace for r in model.region_brokers]
    return tuple(dict.fromkeys(namespaces))


# The user's JSON is built by a JSON encoder: a `"` or `\\` in a password must not break it.
_USER_BODY = (
    "python3 -c 'import json, os; print(json.dumps("
    '{"password": os.environ["SCCOS_BROKER_APP_PASSWORD"], "tags": ""}))\''
)


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
        'user=$(printf %s "$SCCOS_BROKER_APP_USER" | python3 -c '
        "'import sys, urllib.parse; print(urllib.parse.quote(sys.stdin.read(), safe=\"\"))')",
        f'{_USER_BODY} | api -X PUT "$SCCOS_BROKER_API/api/users/$user" -d @-',
    ]
    for vhost in vhosts:
        url = f'"$SCCOS_BROKER_API/api/vhosts/{quote(vhost, safe="")}"'
        permissions = f'"$SCCOS_BROKER_API/api/permissions/{quote(vhost, safe="")}/$user"'
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
            "set -euo pipefail\n"
            'export DESIRED_VERSION="$SCCOS_COMMIT"\n'
            'aws ssm put-parameter --name "$SCCOS_DESIRED_PARAMETER" --value "$SCCOS_COMMIT" '
            "--type String --overwrite\n"
            'LAST_DEPLOYED_VERSION=$(aws ssm get-parameter --name "$SCCOS_LAST_DEPLOYED_PARAMETER" '
            "--query Parameter.Value --output text)\n"
            "export LAST_DEPLOYED_VERSION\n"
            'echo "Deploying $DESIRED_VERSION over $LAST_DEPLOYED_VERSION"',
        ],
        **{"exported-variables": ["DESIRED_VERSION", "LAST_DEPLOYED_VERSION"]},
    )


def record_deployed_buildspec(model: DeployModel, services: Mapping[str, str]) -> dict[str, Any]:
    """UpdateDeployedVersion: once every service runs the commit (asked of ECS, not assumed),
    point `sccos-deployed` at it and record it as last_deployed_version.

    services: `<cluster>/<service>` to the container that runs the environment's image.
    """
    hook_repository = naming.ecr_repository(model.project, hook_image_name(model))
    # All services are asked at once; each check's status is collected.
    checks = [
        f"check {shlex.quote(service.split('/', 1)[0])} {shlex.quote(service.split('/', 1)[1])} "
        f'{shlex.quote(container)} & checks="$checks $!"'
        for service, container in services.items()
    ]
    checks += ['for check in $checks; do wait "$check" || failed=1; done', '[ -z "$failed" ]']
    verify = (
        "check() {  # cluster, service, container: fail unless it runs the commit\n"
        '  definition=$(aws ecs describe-services --cluster "$1" --services "$2" \\\n'
        "    --query 'services[0].taskDefinition' --output text)\n"
        '  image=$(aws ecs describe-task-definition --task-definition "$definition" \\\n'
        "    --query \"taskDefinition.containerDefinitions[?name=='$3'].image | [0]\" \\\n"
        "    --output text)\n"
        '  case "$image" in\n'
        '    *:"$SCCOS_COMMIT") ;;\n'
        '    *) echo "Service $2 runs $image, not $SCCOS_COMMIT:" \\\n'
        '         "not recording it as deployed" >&2\n'
        "       return 1 ;;\n"
        "  esac\n"
        "}"
    )
    return _spec(
        [
            'set -euo pipefail\nchecks=""\nfailed=""\n'
            f"{verify}\n" + "\n".join(checks) + "\n"
            f"{_RETAG}\n"
            f'retag {hook_repository} "$SCCOS_COMMIT" {naming.IMAGE_TAG_DEPLOYED}\n'
            'aws ssm put-parameter --name "$SCCOS_LAST_DEPLOYED_PARAMETER" --value "$SCCOS_COMMIT" '
            "--type String --overwrite"
        ]
    )


def commands_buildspec(commands: Sequence[str]) -> dict[str, Any]:
    """Pre_/Post_Deployment_Configuration: the user's commands, each failing the build on error."""
    return _spec(commands)
