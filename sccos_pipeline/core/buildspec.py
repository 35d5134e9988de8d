"""CodeBuild buildspecs (version 0.2) of the three hook stages, rendered from the model.

What runs, in order (DOMAIN §1):
1. the hook baked into the image the stage runs on (the Docker SDK bakes every
   `image.environment` variable as ENV), when it is not blank;
2. else the deploy file's value known at synth, when it is not blank;
3. else the documented default.
(2) and (3) are resolved at synth into one fallback per pipeline type, so only (1) is decided
at run time. The hook runs with `sh -c`, byte for byte as written; its exit status fails the
build. One install buildspec serves both pipelines: `SPRYKER_PIPELINE_TYPE`, set by each
pipeline's action, picks `SPRYKER_HOOK_INSTALL` or `SPRYKER_HOOK_DESTRUCTIVE_INSTALL`.
Our own variables are prefixed `SCCOS_` so they never shadow what the image bakes.
"""

from __future__ import annotations

from typing import Any

import yaml

from .findings import DeployFileError, Finding, Position
from .model import DeployModel
from .stages import HOOK_VARIABLE, SCHEDULER_COMMAND, PipelineType, Stage

MAX_INLINE_BUILDSPEC = 25_600  # CodeBuild's limit for an inline buildspec, in characters
DEFAULT_APP_DIR = "/data"  # WORKDIR of the Docker SDK's application images

_CHECK_PIPELINE_TYPE = (
    'case "${SPRYKER_PIPELINE_TYPE:-}" in\n'
    "  normal|destructive) ;;\n"
    "  *) echo \"SPRYKER_PIPELINE_TYPE must be 'normal' or 'destructive', got "
    "'${SPRYKER_PIPELINE_TYPE:-}'\" >&2; false ;;\n"
    "esac"
)


def fallback_variable(pipeline_type: PipelineType) -> str:
    return f"SCCOS_FALLBACK_HOOK_{pipeline_type.value.upper()}"


def _select_hook(stage: Stage) -> str:
    """Shell that sets SCCOS_HOOK_NAME, SCCOS_HOOK (from the image) and SCCOS_FALLBACK."""
    arms = []
    for pipeline_type in PipelineType:
        variable = HOOK_VARIABLE[(stage, pipeline_type)]
        arms.append(
            f"  {pipeline_type.value}) SCCOS_HOOK_NAME={variable}; "
            f'SCCOS_HOOK="${{{variable}:-}}"; '
            f'SCCOS_FALLBACK="${fallback_variable(pipeline_type)}" ;;'
        )
    return 'case "$SPRYKER_PIPELINE_TYPE" in\n' + "\n".join(arms) + "\nesac"


_USE_FALLBACK_WHEN_BLANK = (
    'case "$SCCOS_HOOK" in\n'
    '  *[![:space:]]*) echo "Running $SCCOS_HOOK_NAME as baked into the image" ;;\n'
    '  *) SCCOS_HOOK="$SCCOS_FALLBACK"\n'
    '     echo "The image sets no $SCCOS_HOOK_NAME; running the command resolved at synth" ;;\n'
    "esac"
)


def render_buildspec(
    model: DeployModel,
    stage: Stage,
    *,
    pipeline_type: PipelineType | None = None,
    app_dir: str = DEFAULT_APP_DIR,
    scheduler_control: bool = True,
) -> dict[str, Any]:
    """The buildspec of `stage` as a mapping.

    pipeline_type: pins SPRYKER_PIPELINE_TYPE in the buildspec (for running it on its own).
        Default: unset; each pipeline's CodeBuild action sets it.
    app_dir: where the application lives in the image. Default: /data.
    scheduler_control: after the hook, pre-deploy suspends the scheduler and install sets it
        up again (deployment-in-states.md). Default: True.
    """
    variables: dict[str, str] = {
        "SPRYKER_PROJECT_NAME": model.project,
        "SCCOS_STAGE": stage.value,
        "SCCOS_APP_DIR": app_dir,
    }
    if pipeline_type is not None:
        variables["SPRYKER_PIPELINE_TYPE"] = pipeline_type.value
    for each_type in PipelineType:
        variables[fallback_variable(each_type)] = model.hook(stage, each_type).command
    commands = [
        _CHECK_PIPELINE_TYPE,
        'cd "$SCCOS_APP_DIR"',
        _select_hook(stage),
        _USE_FALLBACK_WHEN_BLANK,
        'sh -c "$SCCOS_HOOK"',
    ]
    if scheduler_control and stage in SCHEDULER_COMMAND:
        commands.append(SCHEDULER_COMMAND[stage])
    return {
        "version": 0.2,
        "env": {"variables": variables},
        "phases": {"build": {"commands": commands}},
    }


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def buildspec_yaml(model: DeployModel, stage: Stage, **options: Any) -> str:
    """The buildspec as YAML text, refused when over CodeBuild's inline limit."""
    hooks = [model.hook(stage, t) for t in PipelineType]
    # Dumping never shortens a command: hooks over the limit are refused without the dump,
    # which takes seconds for a hook of a megabyte.
    size = sum(len(h.command) for h in hooks)
    exact = size <= MAX_INLINE_BUILDSPEC
    if exact:
        spec = render_buildspec(model, stage, **options)
        text = yaml.dump(spec, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1 << 16)
        if len(text) <= MAX_INLINE_BUILDSPEC:
            return text
        size = len(text)
    where = next((h.position for h in hooks if h.position), Position(model.file))
    raise DeployFileError(
        [
            Finding.of(
                "SCC040",
                f"the {stage.value} buildspec is {'' if exact else 'at least '}{size} "
                f"characters, over CodeBuild's {MAX_INLINE_BUILDSPEC} for an inline buildspec",
                where,
                "move the long hook into a script in the repository and call it",
            )
        ]
    )
