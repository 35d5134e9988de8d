"""The plan of ECS-updater and of the hooks' variables (core.plan.updater,
core.plan.hook_variables), and the hook buildspec sourcing the back office's variables, run
for real in `sh`.

Spryker's "Add variables in the Parameter Store": jenkins reads the `scheduler` bucket, the
other services `app`, all of them `common`. Expected values are written out literally.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from sccos_pipeline.core.deployfile.loader import load_deploy_file
from sccos_pipeline.core.deployfile.model import DeployModel
from sccos_pipeline.core.plan.builder import build_environment_plan
from sccos_pipeline.core.plan.hook_buildspec import MAX_INLINE_BUILDSPEC, render_buildspec
from sccos_pipeline.core.plan.model import PlanOptions
from sccos_pipeline.core.stages import PipelineKind, Stage
from tests.conftest import EXAMPLE

OPTIONS = PlanOptions(
    services={"jenkins": "ops/scheduler"},
    containers={"boffice_eu": "zed"},
    hook_variables={"SPRYKER_DB_HOST": "db.internal"},
    hook_secret_names=("SPRYKER_DB_PASSWORD",),
)


@pytest.fixture(scope="module")
def model() -> DeployModel:
    return load_deploy_file(EXAMPLE / "deploy.spryker-demo-staging.yml")


def command(buildspec: object) -> str:
    [text] = buildspec["phases"]["build"]["commands"]  # type: ignore[index]
    return str(text)


def test_the_updater_pipeline_runs_one_step_by_hand(model: DeployModel) -> None:
    plan = build_environment_plan(model, OPTIONS)
    updater = plan.pipeline(PipelineKind.ECS_UPDATER)
    assert (updater.name, updater.on_push) == ("ECS-updater-spryker-demo-staging", False)
    assert [s.name for s in updater.stages] == ["Source", "Update_ECS_services"]
    [action] = updater.stages[1].actions
    assert (action.project, action.inputs) == ("UpdateServices", ("Source",))
    assert action.variables == {
        "SCCOS_PIPELINE": "ECS-updater-spryker-demo-staging",
        "SCCOS_EXECUTION_ID": "#{codepipeline.PipelineExecutionId}",
    }
    project = plan.projects["UpdateServices"]
    assert project.name == "Update_ECS_services_for_spryker-demo-staging"
    assert [(v.name, v.value) for v in project.variables] == [
        ("SCCOS_VARIABLE_TREE", "/spryker-demo/staging")
    ]
    assert [(p.actions, tuple(map(str, p.on)), p.condition) for p in project.permissions] == [
        (("ssm:GetParametersByPath", "ssm:GetParameters"), ("variable-tree",), None),
        (("ecs:DescribeServices",), ("services",), None),
        (("ecs:UpdateService",), ("services",), None),
        (("ecs:DescribeTaskDefinition",), ("*",), None),
        (("ecs:RegisterTaskDefinition",), ("task-definitions",), None),
        (
            ("ecs:TagResource",),
            ("task-definitions",),
            ("StringEquals", "ecs:CreateAction", "RegisterTaskDefinition"),
        ),
        (("iam:PassRole",), ("task-roles",), None),
        (("codepipeline:GetPipelineExecution",), ("pipeline:ecs-updater",), None),
    ]


def test_each_service_gets_its_bucket_after_the_whole_tree_is_checked(model: DeployModel) -> None:
    project = build_environment_plan(model, OPTIONS).projects["UpdateServices"]
    lines = command(project.buildspec).splitlines()
    assert lines[:2] == [
        "set -euo pipefail",
        "SCCOS_TRIGGER=$(aws codepipeline get-pipeline-execution --pipeline-name "
        '"$SCCOS_PIPELINE" --pipeline-execution-id "$SCCOS_EXECUTION_ID" '
        "--query pipelineExecution.trigger.triggerType --output text)",
    ]
    assert [line for line in lines if line.startswith(("update ", "stable "))] == [
        "update spryker-demo-staging spryker-demo-staging-boffice_eu zed app",
        "update spryker-demo-staging spryker-demo-staging-backgw_eu backgw_eu app",
        "update spryker-demo-staging spryker-demo-staging-yves_eu yves_eu app",
        "update spryker-demo-staging spryker-demo-staging-glue_eu glue_eu app",
        "update spryker-demo-staging spryker-demo-staging-frontend frontend app",
        "update ops scheduler jenkins scheduler",
        "stable ops scheduler",
        "stable spryker-demo-staging spryker-demo-staging-boffice_eu "
        "spryker-demo-staging-backgw_eu spryker-demo-staging-yves_eu "
        "spryker-demo-staging-glue_eu spryker-demo-staging-frontend",
    ]
    check = lines.index('\' "$SCCOS_VARIABLE_TREE" app scheduler')  # both buckets, first
    assert check < lines.index(
        "update spryker-demo-staging spryker-demo-staging-boffice_eu zed app"
    )
    text = yaml.safe_dump(dict(project.buildspec), width=1 << 16)
    assert len(text) < MAX_INLINE_BUILDSPEC


def test_the_hooks_take_the_variables_read_after_the_build(model: DeployModel) -> None:
    plan = build_environment_plan(model, OPTIONS)
    for kind in (PipelineKind.NORMAL, PipelineKind.DESTRUCTIVE):
        stages = {s.name: s.actions for s in plan.pipeline(kind).stages}
        build, read = stages["Build_and_Prepare"]
        assert (build.run_order, read.run_order) == (1, 2)
        assert (read.name, read.project, read.inputs, read.outputs) == (
            "Read_hook_variables",
            "HookVariables",
            ("Source",),
            ("Variables",),
        )
        for step in ("Run_pre-deploy_hook", "Run_install", "Run_post-deploy_hook"):
            assert stages[step][0].inputs == ("Source", "Variables"), step
    project = plan.projects["HookVariables"]
    assert project.name == "Read_hook_variables_for_spryker-demo-staging"
    assert project.buildspec["artifacts"] == {"files": ["hook-variables.sh"]}
    assert command(project.buildspec).splitlines()[1] == (
        'python3 -c "$SCCOS_HOOK_VARIABLES" --cluster spryker-demo-staging --service '
        'spryker-demo-staging-boffice_eu --container zed --tree "$SCCOS_VARIABLE_TREE" '
        "--out hook-variables.sh || {"
    )
    assert [(p.actions, tuple(map(str, p.on))) for p in project.permissions] == [
        (("ssm:GetParametersByPath", "ssm:GetParameters"), ("variable-tree",)),
        (("ssm:GetParameters",), ("hook-secrets:ssm",)),
        (("secretsmanager:GetSecretValue",), ("hook-secrets:secretsmanager",)),
        (("ecs:DescribeServices",), ("service:boffice_eu",)),
        (("ecs:DescribeTaskDefinition",), ("*",)),
    ]
    assert len(yaml.safe_dump(dict(project.buildspec), width=1 << 16)) < MAX_INLINE_BUILDSPEC


def test_a_variable_tree_of_the_options_is_the_one_read(model: DeployModel) -> None:
    plan = build_environment_plan(model, PlanOptions(variable_tree="/demo/stage"))
    for key in ("UpdateServices", "HookVariables"):
        assert plan.projects[key].variables[0].value == "/demo/stage"


def run_hook(model: DeployModel, tmp_path: Path, variables_file: str | None) -> dict[str, str]:
    """The install buildspec in `sh`, its hook printing the environment it saw."""
    spec = render_buildspec(
        model,
        Stage.INSTALL,
        app_dir=str(tmp_path),
        variables_artifact=("Variables", "hook-variables.sh"),
        keep=("SPRYKER_DB_HOST", "SPRYKER_DB_PASSWORD"),
    )
    env = {
        "PATH": os.environ["PATH"],
        "SPRYKER_PIPELINE_TYPE": "normal",
        "SCCOS_EXPECTED_VERSION": "abc",
        "SPRYKER_BUILD_HASH": "abc",  # the image's
        "SPRYKER_HOOK_INSTALL": "env > seen.env",  # the image's
        "MAIL_HOST": "from the image",
        "SPRYKER_DB_HOST": "from the settings",
        "SPRYKER_DB_PASSWORD": "settings' secret",
        **spec["env"]["variables"],
    }
    env["SCCOS_APP_DIR"] = str(tmp_path)
    if variables_file is not None:
        folder = tmp_path / "variables"
        folder.mkdir()
        (folder / "hook-variables.sh").write_text(variables_file, encoding="utf-8")
        env["CODEBUILD_SRC_DIR_Variables"] = str(folder)
    script = command(spec).replace("vendor/bin/console scheduler:setup -vvv --no-ansi", "true")
    subprocess.run(["sh", "-c", script], cwd=tmp_path, env=env, check=True, capture_output=True)
    seen = (tmp_path / "seen.env").read_text(encoding="utf-8")
    return dict(line.split("=", 1) for line in seen.splitlines() if "=" in line)


def test_the_back_office_file_overrides_the_image_but_not_the_settings(
    model: DeployModel, tmp_path: Path
) -> None:
    seen = run_hook(
        model,
        tmp_path,
        "export MAIL_HOST='from the task definition'\n"
        "export SPRYKER_DB_HOST='from the task definition'\n"
        "export SPRYKER_DB_PASSWORD='from the tree'\n"
        "export SPRYKER_PROJECT_NAME='other'\n"
        "export API_KEY='k-1'\n",
    )
    assert {k: seen[k] for k in ("MAIL_HOST", "SPRYKER_DB_HOST", "SPRYKER_DB_PASSWORD")} == {
        "MAIL_HOST": "from the task definition",
        "SPRYKER_DB_HOST": "from the settings",
        "SPRYKER_DB_PASSWORD": "settings' secret",
    }
    assert (seen["API_KEY"], seen["SPRYKER_PROJECT_NAME"]) == ("k-1", "spryker-demo-staging")
    assert not [k for k in seen if k.startswith("sccos_keep_")]


def test_without_the_artifact_the_hook_sees_the_image_and_the_project(
    model: DeployModel, tmp_path: Path
) -> None:
    seen = run_hook(model, tmp_path, None)
    assert (seen["MAIL_HOST"], seen["SPRYKER_DB_HOST"]) == ("from the image", "from the settings")
