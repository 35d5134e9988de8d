"""The versions of an environment: which one a deployment deploys, and recording it as deployed.

SCCOS keeps them in Parameter Store (Spryker's "Deploy in a production environment"):
`/<project>/desired_version` is the version to deploy, `/<project>/last_deployed_version` the
one running, `/<project>/lastbuildversion` the last one built. A version is a commit hash, the
tag of the environment's images.

`desired_version` is the operator's: no step writes it. Spryker's staging guide recommends
`latest` there to "Avoid updating /spryker-staging/desired_version during each deployment"
(https://docs.spryker.com/docs/ca/dev/deploy-in-a-staging-environment.html), and a run
rejected at the approval must leave it as it was. The version a run deploys travels with the
run instead: the versions step exports DEPLOYMENT_VERSION (the `Versions` namespace), which
every later action of the execution reads, retries included.

How images reach the hook stages without editing the CloudFormation-managed projects: the hook
projects use two mutable tags of the back-office repository. Build_and_Prepare points
`sccos-desired` at the version (install runs on it); UpdateDeployedVersion points
`sccos-deployed` at it once ECS says the services run it (pre-deploy of the next run and
post-deploy of this run use it). A first deployment, with nothing running yet, starts
`sccos-deployed` at the version too, so the pre-deploy project can start; it skips its hook.
Every hook checks that its image is the version it must run (core.plan.hook_buildspec).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from typing import Any

from .. import naming
from ..deployfile.applications import repositories_word
from ..deployfile.model import DeployModel
from .shell import RETAG, TRIGGER, missing_images, retag_everywhere, spec

# The DESIRED_VERSION variable's default: the run deploys what Parameter Store says.
FROM_PARAMETER_STORE = "from-parameter-store"
LATEST = "latest"  # as desired_version: the last built version (Spryker's staging guide)
# Trigger types (CodePipeline's PipelineExecution.trigger) of a run started by a change of the
# source, and of CodePipeline's own rollbacks, which re-run an earlier source revision.
_PUSHED = "Webhook|WebhookV2|CloudWatchEvent|PollForSourceChanges|PutActionRevision|CreatePipeline"
_REVISION = "ManualRollback|AutomatedRollback"
_TAG = "[A-Za-z0-9_][A-Za-z0-9_.-]*"  # an ECR image tag, at most 128 characters


def versions_buildspec(model: DeployModel) -> dict[str, Any]:
    """Prepare_versions_information_for_Approval_stage: decide the version to deploy, refuse it
    unless its images exist (or this run builds them: its own source commit), and export
    DEPLOYMENT_VERSION and LAST_DEPLOYED_VERSION for the approval's text and later steps.

    Which version: the run's DESIRED_VERSION variable when set; else a run started by a push
    deploys the pushed commit (when SCCOS_DEPLOY_ON_PUSH is true); else desired_version.
    `latest` means the last built version. It writes no parameter: the version travels with
    the run as DEPLOYMENT_VERSION, and desired_version stays as the operator set it.
    """
    script = (
        "set -euo pipefail\n"
        f"{TRIGGER}\n"
        'last=$(aws ssm get-parameter --name "$SCCOS_LAST_DEPLOYED_PARAMETER" '
        "--query Parameter.Value --output text)\n"
        f'if [ "$SCCOS_REQUESTED" != {FROM_PARAMETER_STORE} ]; then\n'
        '  version=$SCCOS_REQUESTED; why="the DESIRED_VERSION variable of this run"\n'
        'elif case "$SCCOS_TRIGGER" in ' + _REVISION + ") true ;; *) false ;; esac; then\n"
        '  version=$SCCOS_SOURCE_COMMIT; why="a rollback by CodePipeline"\n'
        'elif [ "$SCCOS_DEPLOY_ON_PUSH" = true ] && case "$SCCOS_TRIGGER" in '
        + _PUSHED
        + ") true ;; *) false ;; esac; then\n"
        '  version=$SCCOS_SOURCE_COMMIT; why="the pushed commit ($SCCOS_TRIGGER)"\n'
        "else\n"
        '  version=$(aws ssm get-parameter --name "$SCCOS_DESIRED_PARAMETER" '
        "--query Parameter.Value --output text)\n"
        '  why="$SCCOS_DESIRED_PARAMETER"\n'
        "fi\n"
        f'if [ "$version" = {LATEST} ]; then\n'
        '  version=$(aws ssm get-parameter --name "$SCCOS_LATEST_BUILT_PARAMETER" '
        "--query Parameter.Value --output text)\n"
        '  why="$why: latest, the last built version"\n'
        "fi\n"
        'if [ "$version" = none ]; then\n'
        "  echo \"Nothing to deploy: $why is 'none'. Set $SCCOS_DESIRED_PARAMETER to a\" \\\n"
        '    "version (a commit hash), or start the run with the DESIRED_VERSION variable." >&2\n'
        "  exit 1\n"
        "fi\n"
        f"if [[ ! $version =~ ^{_TAG}$ ]] || [ ${{#version}} -gt 128 ]; then\n"
        "  echo \"Not a version: '$version' (from $why). A version is a commit hash,\" \\\n"
        '    "the tag of the environment\'s images." >&2\n'
        "  exit 1\n"
        "fi\n"
        'echo "Deployment version: $version (from $why)"\n'
        'echo "Latest deployed version: $last"\n'
        f"{missing_images('$SCCOS_REPOSITORIES', '$version')}\n"
        'if [ -n "$missing" ]; then\n'
        '  if [ "$version" = "$SCCOS_SOURCE_COMMIT" ]; then\n'
        '    echo "Its images are missing:$missing; Build_and_Prepare builds them"\n'
        "  else\n"
        '    echo "Version $version cannot be deployed: no image$missing." \\\n'
        '      "Build it first (the Build pipeline builds every pushed commit)." >&2\n'
        "    exit 1\n"
        "  fi\n"
        "fi\n"
        'export DEPLOYMENT_VERSION="$version" LAST_DEPLOYED_VERSION="$last"'
    )
    return spec(
        [script],
        variables={"SCCOS_REPOSITORIES": repositories_word(model)},
        **{"exported-variables": ["DEPLOYMENT_VERSION", "LAST_DEPLOYED_VERSION"]},
    )


def record_deployed_buildspec(
    model: DeployModel, services: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    """UpdateDeployedVersion: once every service runs the commit (asked of ECS, not assumed),
    point `sccos-deployed` at it and tag it `sccos-deployed-<commit>`, in every repository (the
    lifecycle policy keeps both: cdk.repositories), and record it as last_deployed_version.

    services: (`<cluster>/<service>`, a container that runs one of the environment's images),
        each container of a service that runs several.
    """
    # All services are asked at once; each check's status is collected.
    checks = [
        f"check {shlex.quote(service.split('/', 1)[0])} {shlex.quote(service.split('/', 1)[1])} "
        f'{shlex.quote(container)} & checks="$checks $!"'
        for service, container in services
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
    return spec(
        [
            'set -euo pipefail\nchecks=""\nfailed=""\n'
            f"{verify}\n" + "\n".join(checks) + "\n"
            f"{RETAG}\n"
            + retag_everywhere(
                repositories_word(model),
                f'{naming.IMAGE_TAG_DEPLOYED} "{naming.IMAGE_TAG_DEPLOYED_PREFIX}'
                '${SCCOS_COMMIT:0:113}"',
            )
            + "\n"
            'aws ssm put-parameter --name "$SCCOS_LAST_DEPLOYED_PARAMETER" --value "$SCCOS_COMMIT" '
            "--type String --overwrite"
        ]
    )
