"""The session's API: pipelines by kind as the construct records them; scenario files."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from sccos_pipeline.rehearsal.errors import RehearsalError
from sccos_pipeline.rehearsal.scenario import BUILT_IN, Run, load_scenario
from sccos_pipeline.rehearsal.session import Rehearsal
from tests.conftest import ROOT
from tests.rehearsal.conftest import EXAMPLE_STACK, edit_assembly

NORMAL = "NORMAL_Deploy_Spryker_spryker-demo-staging"
DESTRUCTIVE = "DESTRUCTIVE_Deploy_Spryker_spryker-demo-staging"


OLD_NAMES = {
    "NORMAL_Deploy_Spryker_spryker-demo-staging": "spryker-demo-staging-normal-deploy",
    "DESTRUCTIVE_Deploy_Spryker_spryker-demo-staging": "spryker-demo-staging-destructive-deploy",
}


def old_names(template: dict[str, Any]) -> None:
    """The two pipelines under the names of earlier versions, the others gone."""
    for key, resource in list(template["Resources"].items()):
        if resource["Type"] == "AWS::CodePipeline::Pipeline":
            name = resource["Properties"]["Name"]
            if name in OLD_NAMES:
                resource["Properties"]["Name"] = OLD_NAMES[name]
            else:
                del template["Resources"][key]


def two_recorded(data: dict[str, Any]) -> None:
    data["pipelines"] = {"normal": NORMAL, "destructive": DESTRUCTIVE}


def not_recorded(data: dict[str, Any]) -> None:
    del data["pipelines"], data["plan"]


def test_pipelines_are_found_by_the_kinds_the_construct_recorded(example_assembly: Path) -> None:
    rehearsal = Rehearsal(example_assembly, EXAMPLE_STACK)  # not entered: no server is started
    assert rehearsal.description.pipelines == {
        "normal": NORMAL,
        "destructive": DESTRUCTIVE,
        "build": "Build_Spryker_spryker-demo-staging",
        "maintenance-enable": "Maintenance_Enable_spryker-demo-staging",
        "maintenance-disable": "Maintenance_Disable_spryker-demo-staging",
        "rollout-scheduler": "Rollout_Scheduler_spryker-demo-staging",
        "ecs-updater": "ECS-updater-spryker-demo-staging",
    }
    plan = rehearsal.description.plan
    assert plan is not None and plan["pipelines"][0]["name"] == NORMAL
    assert rehearsal.pipeline_name("normal") == NORMAL
    assert rehearsal.pipeline_name("ecs-updater") == "ECS-updater-spryker-demo-staging"
    assert rehearsal.pipeline_name(DESTRUCTIVE) == DESTRUCTIVE  # an exact name


def test_an_unrecorded_kind_names_the_recorded_ones(example_assembly: Path, tmp_path: Path) -> None:
    assembly = edit_assembly(example_assembly, tmp_path / "out", metadata=two_recorded)
    with pytest.raises(RehearsalError) as raised:
        Rehearsal(assembly, EXAMPLE_STACK).pipeline_name("build")
    assert str(raised.value) == (
        "no 'build' pipeline in sccos-spryker-demo-staging; it has: "
        "normal (NORMAL_Deploy_Spryker_spryker-demo-staging), "
        "destructive (DESTRUCTIVE_Deploy_Spryker_spryker-demo-staging)"
    )


def test_a_recorded_pipeline_missing_from_the_template_is_named(
    example_assembly: Path, tmp_path: Path
) -> None:
    assembly = edit_assembly(
        example_assembly, tmp_path / "out", template=old_names, metadata=two_recorded
    )
    with pytest.raises(RehearsalError) as raised:
        Rehearsal(assembly, EXAMPLE_STACK).pipeline_name("normal")
    assert str(raised.value) == (
        "the normal pipeline NORMAL_Deploy_Spryker_spryker-demo-staging is not in the template "
        "of sccos-spryker-demo-staging: ['spryker-demo-staging-normal-deploy', "
        "'spryker-demo-staging-destructive-deploy']"
    )


def test_assemblies_without_recorded_pipelines_find_them_by_name(
    example_assembly: Path, tmp_path: Path
) -> None:
    assembly = edit_assembly(
        example_assembly, tmp_path / "out", template=old_names, metadata=not_recorded
    )
    rehearsal = Rehearsal(assembly, EXAMPLE_STACK)
    assert (rehearsal.description.pipelines, rehearsal.description.plan) == ({}, None)
    assert rehearsal.pipeline_name("normal") == "spryker-demo-staging-normal-deploy"
    assert rehearsal.pipeline_name("destructive") == "spryker-demo-staging-destructive-deploy"
    with pytest.raises(RehearsalError, match="no single 'build' pipeline"):
        rehearsal.pipeline_name("build")


def test_the_docs_scenario_file_is_a_scenario(tmp_path: Path) -> None:
    section = (ROOT / "docs" / "rehearsal.md").read_text()
    [block] = re.findall(r"```yaml\n(.*?)```", section, re.S)
    (tmp_path / "readme.yml").write_text(block)
    scenario = load_scenario(str(tmp_path / "readme.yml"))
    assert scenario.runs == (
        Run(
            "normal",
            files={"src/x.txt": "x\n"},
            knobs={"fail": [{"program": "vendor/bin/install", "args": "production", "exit": 1}]},
            retry_with={},
        ),
        Run(
            "normal",
            trigger="manual",
            variables={"DESIRED_VERSION": "{HEAD~1}"},  # resolved when the run starts
            parameters={"/{project}/desired_version": "latest", "/shop/secret/token": "s3cret"},
            delete_parameters=("/shop/maintenance/until",),
        ),
    )


def test_a_scenario_run_with_an_unknown_trigger_is_no_scenario(tmp_path: Path) -> None:
    (tmp_path / "bad.yml").write_text("runs:\n  - pipeline: normal\n    trigger: webhook\n")
    with pytest.raises(RehearsalError) as raised:
        load_scenario(str(tmp_path / "bad.yml"))
    assert str(raised.value) == (
        f"{tmp_path / 'bad.yml'}: not a scenario (ValueError: trigger 'webhook': one of push, "
        "manual, created)"
    )


BUILT_INS = [
    "first-deployment", "redeploy", "destructive", "failing-install", "lost-push", "together",
    "desired-version", "override", "rollback", "missing-image", "build", "latest",
]  # fmt: skip


def test_every_built_in_scenario_is_documented_and_rehearsed_by_make() -> None:
    assert list(BUILT_IN) == BUILT_INS
    makefile = (ROOT / "Makefile").read_text()
    found = re.search(r"^REHEARSALS := ((?:.*\\\n)*.*)$", makefile, re.M)
    assert found is not None
    rehearsed = [each.split(":")[0] for each in found.group(1).replace("\\", " ").split()]
    assert rehearsed == BUILT_INS
    section = (ROOT / "docs" / "rehearsal.md").read_text()
    assert [name for name in BUILT_INS if f"`{name}`" not in section] == []
