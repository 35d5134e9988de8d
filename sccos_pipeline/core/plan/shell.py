"""Shell shared by the buildspecs of the steps around the hooks (CodeBuild's standard image,
bash, the AWS CLI, python3).

Everything known at synth is baked in; what only the run knows comes from variables the
pipeline's actions set: AWS_ACCOUNT_ID, AWS_REGION (CodeBuild), SCCOS_COMMIT (the version the
step works on), SCCOS_PIPELINE and SCCOS_EXECUTION_ID (this execution).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from typing import Any

# The account's ECR registry; in the China regions (partition aws-cn) its domain ends in .cn.
REGISTRY = (
    '"$AWS_ACCOUNT_ID.dkr.ecr.$AWS_REGION.amazonaws.com'
    '$(case $AWS_REGION in cn-*) echo .cn ;; esac)"'
)

RETAG = """\
retag() {  # repository, existing tag, new tag: ECR moves a tag by re-putting the manifest
  manifest=$(aws ecr batch-get-image --repository-name "$1" --image-ids imageTag="$2" \\
    --query 'images[0].imageManifest' --output text)
  out=$(aws ecr put-image --repository-name "$1" --image-tag "$3" \\
    --image-manifest "$manifest" 2>&1) || case "$out" in
      *ImageAlreadyExistsException*) ;;  # the tag already points at this image
      *) echo "$out" >&2; return 1 ;;
    esac
}"""


def retag_everywhere(repositories: str, tags: str) -> str:
    """Shell (after RETAG) that points every tag of `tags` at $SCCOS_COMMIT in every repository
    of `repositories` (words), all at once; any failure fails the build, naming it."""
    return (
        "tagged=$(mktemp -d)\n"
        f"for repository in {repositories}; do\n"
        f"  for tag in {tags}; do\n"
        '    { if retag "$repository" "$SCCOS_COMMIT" "$tag" 2>"$tagged/$repository.$tag"; then\n'
        '        echo 0; else echo 1; fi > "$tagged/$repository.$tag.rc"; } &\n'
        "  done\n"
        "done\n"
        "wait\n"
        'for rc in "$tagged"/*.rc; do\n'
        '  if [ "$(cat "$rc")" != 0 ]; then\n'
        '    echo "Could not tag $(basename "$rc" .rc):" >&2; cat "${rc%.rc}" >&2; exit 1\n'
        "  fi\n"
        "done\n"
        'rm -rf "$tagged"'
    )


# How this execution was started (CodePipeline's PipelineExecution.trigger.triggerType).
TRIGGER = (
    'SCCOS_TRIGGER=$(aws codepipeline get-pipeline-execution --pipeline-name "$SCCOS_PIPELINE" '
    '--pipeline-execution-id "$SCCOS_EXECUTION_ID" '
    "--query pipelineExecution.trigger.triggerType --output text)"
)

# CodePipeline starts every new pipeline once; a pipeline that switches something by hand
# (maintenance mode, the scheduler, variables) must not do it merely because it was created.
SKIP_WHEN_CREATED = (
    f"{TRIGGER}\n"
    'if [ "$SCCOS_TRIGGER" = CreatePipeline ]; then\n'
    '  echo "Started by the creation of $SCCOS_PIPELINE: nothing to do." \\\n'
    '    "Start it by hand (Release change) when you need it."\n'
    "  exit 0\n"
    "fi"
)


def spec(commands: Sequence[str], **env: Any) -> dict[str, Any]:
    return {
        "version": 0.2,
        "env": {"shell": "bash", **env},
        "phases": {"build": {"commands": list(commands)}},
    }


def commands_buildspec(commands: Sequence[str]) -> dict[str, Any]:
    """Pre_/Post_Deployment_Configuration: the user's commands, each failing the build on error."""
    return spec(commands)


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


def other_pipeline_guard() -> str:
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


def missing_images(repositories: str, version: str = "$SCCOS_COMMIT") -> str:
    """Shell that lists in $missing every `repository:tag` without the version's image, asking
    ECR about all of them at once. Any error but ImageNotFoundException fails the build: a
    denied call must never read as "missing"."""
    return (
        "checked=$(mktemp -d)\n"
        f"for repository in {repositories}; do\n"
        # The status is recorded whatever the lookup returns: under `set -e` a failing
        # command would end the subshell before a plain `echo $?` ran.
        '  { status=0; aws ecr describe-images --repository-name "$repository" \\\n'
        f'      --image-ids imageTag="{version}" >/dev/null 2>"$checked/$repository" || status=$?\n'
        '    echo "$status" > "$checked/$repository.rc"; } &\n'
        "done\n"
        "wait\n"
        'missing=""\n'
        f"for repository in {repositories}; do\n"
        '  if [ "$(cat "$checked/$repository.rc")" != 0 ]; then\n'
        '    case "$(cat "$checked/$repository")" in\n'
        f'      *ImageNotFoundException*) missing="$missing $repository:{version}" ;;\n'
        '      *) cat "$checked/$repository" >&2; exit 1 ;;\n'
        "    esac\n"
        "  fi\n"
        "done\n"
        'rm -rf "$checked"'
    )


def quote(value: str) -> str:
    return shlex.quote(value)
