"""Rendered buildspecs, run for real: `sh` executes their commands the way CodeBuild does.

CodeBuild (buildspec 0.2) runs each command in one shell instance and fails the build at the
first command that exits non-zero. The image is faked by a folder with `vendor/bin/install`
and `vendor/bin/console` that record their arguments, and by the environment it would bake.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from sccos_pipeline.core.deployfile.loader import load_deploy_file, validate_deploy_file
from sccos_pipeline.core.deployfile.model import DeployModel
from sccos_pipeline.core.plan.hook_buildspec import buildspec_yaml
from sccos_pipeline.core.stages import HOOK_VARIABLE, PipelineType, Stage
from tests.conftest import MINIMAL, write_project

VERSION = "0123abcd"  # the commit an image was built from
# Spryker's documented defaults, written out (installation-recipes-of-deployment-pipelines.md).
DEFAULTS = {
    (Stage.PRE_DEPLOY, PipelineType.NORMAL): "vendor/bin/install -r pre-deploy -vvv",
    (Stage.PRE_DEPLOY, PipelineType.DESTRUCTIVE): "vendor/bin/install -r pre-deploy -vvv",
    (Stage.INSTALL, PipelineType.NORMAL): "vendor/bin/install -r production --no-ansi -vvv",
    (Stage.INSTALL, PipelineType.DESTRUCTIVE): "vendor/bin/install -r destructive --no-ansi -vvv",
    (Stage.POST_DEPLOY, PipelineType.NORMAL): "true",
    (Stage.POST_DEPLOY, PipelineType.DESTRUCTIVE): "true",
}
FAKE_TOOL = '#!/bin/sh\nprintf "%s %s\\n" "$(basename "$0")" "$*" >> "$SCCOS_TEST_LOG"\n'
TRICKY = (
    'if [ "$SPRYKER_PIPELINE_TYPE" = normal ] && echo "it\'s $SPRYKER_PROJECT_NAME" '
    ">> \"$SCCOS_TEST_LOG\"; then\n  vendor/bin/install -r 'EU/x y' -vvv\nfi || echo FAIL"
)


def model_with(tmp_path: Path, hooks: dict[str, str]) -> DeployModel:
    env = "".join(
        f"    {name}: {yaml.safe_dump(value).splitlines()[0]}\n" for name, value in hooks.items()
    )
    text = MINIMAL.replace("    SPRYKER_DEFAULT_STORE: DE\n", env or "    X: y\n")
    if any("\n" in v for v in hooks.values()):  # block scalars need the real dumper
        data = yaml.safe_load(MINIMAL)
        data["image"]["environment"] = hooks
        text = yaml.safe_dump(data)
    write_project(tmp_path, {"deploy.yml": text})
    return load_deploy_file(tmp_path / "deploy.yml", project="shop")


def run(
    tmp_path: Path,
    model: DeployModel,
    stage: Stage,
    pipeline_type: PipelineType,
    image_env: dict[str, str],
    *,
    fail: bool = False,
    expected_version: str = VERSION,
) -> tuple[int, str]:
    spec = yaml.safe_load(buildspec_yaml(model, stage))
    app = tmp_path / "app"
    (app / "vendor/bin").mkdir(parents=True, exist_ok=True)
    tool = FAKE_TOOL + ("exit 3\n" if fail else "")
    for name in ("install", "console"):
        path = app / "vendor/bin" / name
        path.write_text(tool)
        path.chmod(0o755)
    log = tmp_path / "ran.log"
    log.write_text("")
    script = "".join(
        f"{command}\nrc=$?; [ $rc -eq 0 ] || exit $rc\n"
        for command in spec["phases"]["build"]["commands"]
    )
    env = {
        "PATH": os.environ["PATH"],
        "SPRYKER_BUILD_HASH": VERSION,  # the Docker SDK bakes it into every image
        **image_env,
        **spec["env"]["variables"],
        "SCCOS_EXPECTED_VERSION": expected_version,
        "SCCOS_APP_DIR": str(app),
        "SPRYKER_PIPELINE_TYPE": pipeline_type.value,
        "SCCOS_TEST_LOG": str(log),
    }
    done = subprocess.run(
        ["sh", "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True, check=False
    )
    return done.returncode, log.read_text()


SCHEDULER = {
    Stage.PRE_DEPLOY: "console scheduler:suspend -vvv --no-ansi\n",
    Stage.INSTALL: "console scheduler:setup -vvv --no-ansi\n",
}


@pytest.mark.parametrize("stage", list(Stage))
@pytest.mark.parametrize("pipeline_type", list(PipelineType))
@pytest.mark.parametrize("source", ["image", "deploy file only", "default"])
def test_what_runs_for_each_stage_type_and_source(
    tmp_path: Path, stage: Stage, pipeline_type: PipelineType, source: str
) -> None:
    """The image is the only source of hooks at run time: a hook only the deploy file has (an
    image built before it was added) does not run; Spryker's default does."""
    variable = HOOK_VARIABLE[(stage, pipeline_type)]
    in_file = "vendor/bin/install -r from/file -vvv"
    in_image = "vendor/bin/install -r from/image -vvv"
    model = model_with(tmp_path, {} if source == "default" else {variable: in_file})
    image_env = {variable: in_image} if source == "image" else {variable: "  "}
    code, ran = run(tmp_path, model, stage, pipeline_type, image_env)
    assert code == 0
    expected_hook = in_image if source == "image" else DEFAULTS[(stage, pipeline_type)]
    expected = expected_hook.replace("vendor/bin/", "", 1) + "\n" if expected_hook != "true" else ""
    assert ran == expected + SCHEDULER.get(stage, "")


def test_install_picks_the_hook_by_pipeline_type(tmp_path: Path) -> None:
    model = model_with(tmp_path, {})
    image = {
        "SPRYKER_HOOK_INSTALL": "vendor/bin/install -r n",
        "SPRYKER_HOOK_DESTRUCTIVE_INSTALL": "vendor/bin/install -r d",
    }
    assert run(tmp_path, model, Stage.INSTALL, PipelineType.NORMAL, image)[1].startswith(
        "install -r n\n"
    )
    assert run(tmp_path, model, Stage.INSTALL, PipelineType.DESTRUCTIVE, image)[1].startswith(
        "install -r d\n"
    )


def test_hook_runs_byte_for_byte(tmp_path: Path) -> None:
    model = model_with(tmp_path, {})
    image = {"SPRYKER_HOOK_AFTER_DEPLOY": TRICKY}
    code, ran = run(tmp_path, model, Stage.POST_DEPLOY, PipelineType.NORMAL, image)
    assert code == 0
    assert ran == "it's shop\ninstall -r EU/x y -vvv\n"


def test_failing_hook_fails_the_build_and_stops_it(tmp_path: Path) -> None:
    model = model_with(tmp_path, {})
    code, ran = run(tmp_path, model, Stage.INSTALL, PipelineType.NORMAL, {}, fail=True)
    assert code == 3
    assert ran == "install -r production --no-ansi -vvv\n"  # scheduler:setup never ran


@pytest.mark.parametrize("stage", list(Stage))
def test_an_image_of_another_version_runs_nothing(tmp_path: Path, stage: Stage) -> None:
    model = model_with(tmp_path, {})
    code, ran = run(tmp_path, model, stage, PipelineType.NORMAL, {}, expected_version="fedc9876")
    assert (code, ran) == (1, "")


def test_pre_deploy_of_a_first_deployment_runs_nothing_and_succeeds(tmp_path: Path) -> None:
    model = model_with(tmp_path, {})
    assert run(
        tmp_path, model, Stage.PRE_DEPLOY, PipelineType.NORMAL, {}, expected_version="none"
    ) == (0, "")
    # Install and post-deploy of a first deployment have a version: "none" is not skipped.
    assert (
        run(tmp_path, model, Stage.INSTALL, PipelineType.NORMAL, {}, expected_version="none")[0]
        == 1
    )


def test_unknown_pipeline_type_fails(tmp_path: Path) -> None:
    model = model_with(tmp_path, {})
    spec = yaml.safe_load(buildspec_yaml(model, Stage.POST_DEPLOY))
    first = spec["phases"]["build"]["commands"][0]
    done = subprocess.run(
        ["sh", "-c", first],
        env={"SPRYKER_PIPELINE_TYPE": "weekly"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0 and "got 'weekly'" in done.stderr


def test_buildspec_is_deterministic_and_pins_type_when_asked(tmp_path: Path) -> None:
    model = model_with(tmp_path, {})
    assert buildspec_yaml(model, Stage.INSTALL) == buildspec_yaml(model, Stage.INSTALL)
    pinned = yaml.safe_load(
        buildspec_yaml(model, Stage.INSTALL, pipeline_type=PipelineType.DESTRUCTIVE)
    )
    assert pinned["env"]["variables"]["SPRYKER_PIPELINE_TYPE"] == "destructive"
    assert pinned["version"] == 0.2


@pytest.mark.timeout(5)
@pytest.mark.parametrize(
    ("hook", "size"),
    [
        ("echo " + "x" * (128 * 1024 - 31), "131073"),  # one byte over, with NAME= and NUL
        ("echo " + "x" * (1024 * 1024 - 200), "1048408"),
    ],
    ids=["just-over", "megabyte"],
)
def test_a_hook_too_long_for_an_environment_variable_is_refused(
    tmp_path: Path, hook: str, size: str
) -> None:
    """Hooks reach the build through the image's environment; Linux caps one variable at
    128 KiB (execve(2), MAX_ARG_STRLEN)."""
    write_project(
        tmp_path, {"deploy.yml": "image:\n  environment:\n    SPRYKER_HOOK_AFTER_DEPLOY: " + hook}
    )
    errors = validate_deploy_file(tmp_path / "deploy.yml").errors
    assert [(f.code, f.position.line) for f in errors] == [("SCC040", 3)]
    assert errors[0].message == (
        f"SPRYKER_HOOK_AFTER_DEPLOY is {size} bytes as an environment variable, over the 131072 "
        "Linux passes to a process: no build could start with it"
    )


def test_a_long_hook_under_the_limit_does_not_grow_the_buildspec(tmp_path: Path) -> None:
    short = model_with(tmp_path, {"SPRYKER_HOOK_AFTER_DEPLOY": "true"})
    long = model_with(tmp_path, {"SPRYKER_HOOK_AFTER_DEPLOY": "echo " + "x" * 100_000})
    assert buildspec_yaml(short, Stage.POST_DEPLOY) == buildspec_yaml(long, Stage.POST_DEPLOY)
