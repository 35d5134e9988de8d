"""The session's API: pipelines by kind as the construct records them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sccos_pipeline.rehearsal.errors import RehearsalError
from sccos_pipeline.rehearsal.session import Rehearsal
from tests.rehearsal.conftest import EXAMPLE_STACK, edit_assembly

NORMAL = "NORMAL_Deploy_Spryker_spryker-demo-staging"
DESTRUCTIVE = "DESTRUCTIVE_Deploy_Spryker_spryker-demo-staging"


def renamed(template: dict[str, Any]) -> None:
    """The pipelines under the construct's new names."""
    names = {"normal": NORMAL, "destructive": DESTRUCTIVE}
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::CodePipeline::Pipeline":
            kind = resource["Properties"]["Name"].split("-")[-2]
            resource["Properties"]["Name"] = names[kind]


def recorded(data: dict[str, Any]) -> None:
    data["pipelines"] = {"normal": NORMAL, "destructive": DESTRUCTIVE}
    data["plan"] = {"stages": ["Source", "Build"]}


def test_pipelines_are_found_by_the_kinds_the_construct_recorded(
    example_assembly: Path, tmp_path: Path
) -> None:
    assembly = edit_assembly(example_assembly, tmp_path / "out", template=renamed,
                             metadata=recorded)  # fmt: skip
    rehearsal = Rehearsal(assembly, EXAMPLE_STACK)  # not entered: no server is started
    assert rehearsal.description.pipelines == {"normal": NORMAL, "destructive": DESTRUCTIVE}
    assert rehearsal.description.plan == {"stages": ["Source", "Build"]}
    assert rehearsal.pipeline_name("normal") == NORMAL
    assert rehearsal.pipeline_name("destructive") == DESTRUCTIVE
    assert rehearsal.pipeline_name(DESTRUCTIVE) == DESTRUCTIVE  # an exact name
    with pytest.raises(RehearsalError) as raised:
        rehearsal.pipeline_name("build")
    assert str(raised.value) == (
        "no 'build' pipeline in sccos-spryker-demo-staging; it has: "
        "normal (NORMAL_Deploy_Spryker_spryker-demo-staging), "
        "destructive (DESTRUCTIVE_Deploy_Spryker_spryker-demo-staging)"
    )


def test_a_recorded_pipeline_missing_from_the_template_is_named(
    example_assembly: Path, tmp_path: Path
) -> None:
    assembly = edit_assembly(example_assembly, tmp_path / "out", metadata=recorded)
    with pytest.raises(RehearsalError) as raised:
        Rehearsal(assembly, EXAMPLE_STACK).pipeline_name("normal")
    assert str(raised.value) == (
        "the normal pipeline NORMAL_Deploy_Spryker_spryker-demo-staging is not in the template "
        "of sccos-spryker-demo-staging: ['spryker-demo-staging-normal-deploy', "
        "'spryker-demo-staging-destructive-deploy']"
    )


def test_assemblies_without_recorded_pipelines_find_them_by_name(example_assembly: Path) -> None:
    rehearsal = Rehearsal(example_assembly, EXAMPLE_STACK)
    assert (rehearsal.description.pipelines, rehearsal.description.plan) == ({}, None)
    assert rehearsal.pipeline_name("normal") == "spryker-demo-staging-normal-deploy"
    assert rehearsal.pipeline_name("destructive") == "spryker-demo-staging-destructive-deploy"
    with pytest.raises(RehearsalError, match="no single 'build' pipeline"):
        rehearsal.pipeline_name("build")
