"""CodeBuild buildspecs (version 0.2) of the three hook stages, rendered from the model.

What runs: the hook baked into the image the stage runs on (the Docker SDK bakes every
`image.environment` variable as ENV), else Spryker's documented default for the stage and
pipeline type. The image is the only source of hooks at run time: the deploy file's value at
synth is not a fallback, so a hook added to the deploy file never runs on an older image, and
a removed one stops at once. The hook runs with `sh -c`, byte for byte as written; its exit
status fails the build. One install buildspec serves both pipelines: `SPRYKER_PIPELINE_TYPE`,
set by each pipeline's action, picks `SPRYKER_HOOK_INSTALL` or
`SPRYKER_HOOK_DESTRUCTIVE_INSTALL`.

Before the hook, the build checks that its image is the version the step must run
(`SPRYKER_BUILD_HASH`, which the Docker SDK bakes into every image, against
`SCCOS_EXPECTED_VERSION`, set by the pipeline's action): the projects run mutable ECR tags,
and a tag moved by another execution must never run another commit's image. Pre-deploy of a
first deployment (the expected running version is `none`) has nothing to prepare: it says so
and skips the hook. Our own variables are prefixed `SCCOS_` so they never shadow what the
image bakes.

The hooks see the back office's variables, as Spryker's deployment-pipelines doc says ("all
Zed environment variables are accessible"): when the action gives the Variables artifact
(core.plan.hook_variables), its `export NAME='value'` file is sourced after the image check. What
the back-office service's task definition and the tree's `app` bucket say wins over the image's
ENV, since that is what the running back office sees (the file never holds SPRYKER_BUILD_HASH
or SPRYKER_HOOK_*); what the project, the action and this buildspec set wins over the file,
so the settings' variables stay the final word.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from ..deployfile.findings import DeployFileError, Finding, Position
from ..deployfile.model import DeployModel
from ..stages import DEFAULT_COMMAND, HOOK_VARIABLE, SCHEDULER_COMMAND, PipelineType, Stage
from .model import DEFAULT_APP_DIR

MAX_INLINE_BUILDSPEC = 25_600  # CodeBuild's limit for an inline buildspec, in characters
NOTHING_DEPLOYED = "none"  # the versions' value before the first deployment

_CHECK_PIPELINE_TYPE = (
    'case "${SPRYKER_PIPELINE_TYPE:-}" in\n'
    "  normal|destructive) ;;\n"
    "  *) echo \"SPRYKER_PIPELINE_TYPE must be 'normal' or 'destructive', got "
    "'${SPRYKER_PIPELINE_TYPE:-}'\" >&2; exit 1 ;;\n"
    "esac"
)

_FIRST_DEPLOYMENT = (
    f'if [ "${{SCCOS_EXPECTED_VERSION:-}}" = {NOTHING_DEPLOYED} ]; then\n'
    '  echo "First deployment: no version runs yet, so pre-deploy has nothing to prepare;" \\\n'
    '    "the hook and the scheduler suspension are skipped"\n'
    "  exit 0\n"
    "fi"
)

# Every project on the hook image runs this before the application (also Setup_scheduler).
CHECK_IMAGE = (
    'if [ -z "${SCCOS_EXPECTED_VERSION:-}" ]; then\n'
    '  echo "SCCOS_EXPECTED_VERSION is not set: the pipeline action must set it" >&2; exit 1\n'
    "fi\n"
    'if [ "${SPRYKER_BUILD_HASH:-}" != "$SCCOS_EXPECTED_VERSION" ]; then\n'
    "  echo \"This build runs the image of version '${SPRYKER_BUILD_HASH:-unknown}',\" \\\n"
    "    \"but this step must run '$SCCOS_EXPECTED_VERSION': its image tag was moved by\" \\\n"
    '    "another execution. Start a new execution of this pipeline." >&2\n'
    "  exit 1\n"
    "fi"
)


def _select_hook(stage: Stage) -> str:
    """Shell that sets SCCOS_HOOK_NAME, SCCOS_HOOK (from the image) and SCCOS_DEFAULT."""
    arms = []
    for pipeline_type in PipelineType:
        variable = HOOK_VARIABLE[(stage, pipeline_type)]
        default = shlex.quote(DEFAULT_COMMAND[(stage, pipeline_type)])
        arms.append(
            f"  {pipeline_type.value}) SCCOS_HOOK_NAME={variable}; "
            f'SCCOS_HOOK="${{{variable}:-}}"; SCCOS_DEFAULT={default} ;;'
        )
    return 'case "$SPRYKER_PIPELINE_TYPE" in\n' + "\n".join(arms) + "\nesac"


_USE_DEFAULT_WHEN_BLANK = (
    'case "$SCCOS_HOOK" in\n'
    '  *[![:space:]]*) echo "Running $SCCOS_HOOK_NAME as baked into the image" ;;\n'
    '  *) SCCOS_HOOK="$SCCOS_DEFAULT"\n'
    '     echo "The image sets no $SCCOS_HOOK_NAME; running Spryker\'s default: $SCCOS_HOOK" ;;\n'
    "esac"
)


_SH_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def source_variables(artifact: str, file: str, keep: Sequence[str]) -> str:
    """Shell that sources the artifact's export file when the action gave it, then puts back
    the variables in `keep` that were set before (eval only ever sees checked names)."""
    names = " ".join(dict.fromkeys(n for n in keep if _SH_NAME.fullmatch(n)))
    directory = f"CODEBUILD_SRC_DIR_{artifact}"
    return (
        f'SCCOS_VARIABLES_FILE="${{{directory}:-}}/{file}"\n'
        f'if [ -n "${{{directory}:-}}" ] && [ -f "$SCCOS_VARIABLES_FILE" ]; then\n'
        '  sccos_kept=""\n'
        f"  for sccos_name in {names}; do\n"
        '    if eval "[ -n \\"\\${$sccos_name+set}\\" ]"; then\n'
        '      eval "sccos_keep_$sccos_name=\\"\\$$sccos_name\\""\n'
        '      sccos_kept="$sccos_kept $sccos_name"\n'
        "    fi\n"
        "  done\n"
        '  . "$SCCOS_VARIABLES_FILE"\n'
        "  for sccos_name in $sccos_kept; do\n"
        '    eval "export $sccos_name=\\"\\$sccos_keep_$sccos_name\\""\n'
        "  done\n"
        '  echo "Read the back office\'s variables (task definition, Parameter Store);" \\\n'
        '    "the project\'s own variables keep their values"\n'
        "else\n"
        f"  echo \"No {artifact} artifact: the hook sees the image's ENV and the project's"
        ' variables"\n'
        "fi"
    )


def render_buildspec(
    model: DeployModel,
    stage: Stage,
    *,
    pipeline_type: PipelineType | None = None,
    app_dir: str = DEFAULT_APP_DIR,
    scheduler_control: bool = True,
    variables_artifact: tuple[str, str] | None = None,
    keep: Sequence[str] = (),
) -> dict[str, Any]:
    """The buildspec of `stage` as a mapping.

    pipeline_type: pins SPRYKER_PIPELINE_TYPE in the buildspec (for running it on its own).
        Default: unset; each pipeline's CodeBuild action sets it.
    app_dir: where the application lives in the image. Default: /data.
    scheduler_control: after the hook, pre-deploy suspends the scheduler and install sets it
        up again (Spryker's "Deployment in states"). Default: True.
    variables_artifact: (input artifact, file in it) of the back office's variables, sourced
        when the action gives that input. Default: none.
    keep: variables the project and the action set, which win over that file (the
        buildspec's own and those it reads from the action always do). Default: none.
    """
    variables: dict[str, str] = {
        "SPRYKER_PROJECT_NAME": model.project,
        "SCCOS_STAGE": stage.value,
        "SCCOS_APP_DIR": app_dir,
    }
    if pipeline_type is not None:
        variables["SPRYKER_PIPELINE_TYPE"] = pipeline_type.value
    script = ["set -e", _CHECK_PIPELINE_TYPE]
    if stage is Stage.PRE_DEPLOY:
        script.append(_FIRST_DEPLOYMENT)
    script.append(CHECK_IMAGE)
    if variables_artifact is not None:
        own = (*variables, "SPRYKER_PIPELINE_TYPE", "SCCOS_EXPECTED_VERSION", *keep)
        script.append(source_variables(*variables_artifact, own))
    script += [
        'cd "$SCCOS_APP_DIR"',
        _select_hook(stage),
        _USE_DEFAULT_WHEN_BLANK,
        'sh -c "$SCCOS_HOOK"',
    ]
    if scheduler_control and stage in SCHEDULER_COMMAND:
        script.append(SCHEDULER_COMMAND[stage])
    return {
        "version": 0.2,
        "env": {"variables": variables},
        "phases": {"build": {"commands": ["\n".join(script)]}},
    }


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def buildspec_text(spec: Mapping[str, Any]) -> str:
    """A buildspec as the YAML text CodeBuild gets."""
    return yaml.dump(dict(spec), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1 << 16)


def buildspec_yaml(model: DeployModel, stage: Stage, **options: Any) -> str:
    """The buildspec as YAML text, refused when over CodeBuild's inline limit. Hooks are not
    part of it (they come from the image), so only the options can make it grow."""
    text = buildspec_text(render_buildspec(model, stage, **options))
    if len(text) <= MAX_INLINE_BUILDSPEC:
        return text
    raise DeployFileError(
        [
            Finding.of(
                "SCC040",
                f"the {stage.value} buildspec is {len(text)} characters, over CodeBuild's "
                f"{MAX_INLINE_BUILDSPEC} for an inline buildspec",
                Position(model.file),
                "shorten the options given to the buildspec (app_dir)",
            )
        ]
    )
