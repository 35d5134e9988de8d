"""Symbols in scenarios: `{HEAD}`, `{HEAD~N}` (commits of the rehearsal's source) and
`{project}`, resolved when a run starts, since a scenario file cannot know commit hashes."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from sccos_pipeline.rehearsal.errors import RehearsalError
from sccos_pipeline.rehearsal.scenario import Run, load_scenario, resolve, resolved
from sccos_pipeline.rehearsal.world.resources import SourceRepository

COMMITS = {"HEAD": "c" * 40, "HEAD~1": "b" * 40, "HEAD~12": "a" * 40}


def test_symbols_are_replaced_and_other_braces_kept() -> None:
    def text(value: str) -> str:
        return resolve(value, rev_parse=COMMITS.__getitem__, project="shop-prod")

    assert text("{HEAD}") == "c" * 40
    assert text("{HEAD~1}") == "b" * 40
    assert text("{HEAD~12}") == "a" * 40
    assert text("/{project}/desired_version") == "/shop-prod/desired_version"
    assert text("{project}:{HEAD~1}") == "shop-prod:" + "b" * 40
    # Only the three forms are symbols: the rest is the scenario's text.
    assert text('{"a": 1} {HEAD~} {head} {HEAD^1} {projects} latest') == (
        '{"a": 1} {HEAD~} {head} {HEAD^1} {projects} latest'
    )


@pytest.fixture
def session(tmp_path: Path) -> SimpleNamespace:
    """What `resolved` reads of a Rehearsal: its source repository and its project."""
    shop = tmp_path / "shop"
    shop.mkdir()
    (shop / "deploy.yml").write_text("version: '0.1'\n")
    source = SourceRepository(shop, tmp_path / "work")
    return SimpleNamespace(source=source, description=SimpleNamespace(project="spryker-shop"))


def test_a_run_is_resolved_against_the_source_and_the_project(session: SimpleNamespace) -> None:
    first = session.source.head()
    second = session.source.commit("second", {"src/a.txt": "a\n"})
    third = session.source.commit("third", {"src/b.txt": "b\n"})
    run = Run(
        trigger="manual",
        variables={"DESIRED_VERSION": "{HEAD~2}", "REASON": "{project} {x}"},
        parameters={"/{project}/desired_version": "{HEAD}", "/{project}/other": "{HEAD~1}"},
        delete_parameters=("/{project}/gone",),
    )
    assert resolved(session, run) == Run(
        trigger="manual",
        variables={"DESIRED_VERSION": first, "REASON": "spryker-shop {x}"},
        parameters={"/spryker-shop/desired_version": third, "/spryker-shop/other": second},
        delete_parameters=("/spryker-shop/gone",),
    )
    assert session.source.rev_parse("HEAD~1") == second


def test_a_commit_the_source_does_not_have_is_named(session: SimpleNamespace) -> None:
    session.source.commit("second")
    with pytest.raises(RehearsalError) as raised:
        resolved(session, Run(variables={"DESIRED_VERSION": "{HEAD~2}"}))
    assert str(raised.value) == "HEAD~2: no such commit in the rehearsal's source (it has 2)"


def test_a_scenario_file_keeps_its_symbols_until_the_run(tmp_path: Path) -> None:
    (tmp_path / "rollback.yml").write_text(
        "runs:\n"
        "  - trigger: manual\n"
        "    parameters:\n"
        "      /{project}/desired_version: '{HEAD~1}'\n"
        "    variables: {DESIRED_VERSION: '{HEAD}'}\n"
    )
    assert load_scenario(str(tmp_path / "rollback.yml")).runs == (
        Run(
            trigger="manual",
            parameters={"/{project}/desired_version": "{HEAD~1}"},
            variables={"DESIRED_VERSION": "{HEAD}"},
        ),
    )


def test_an_unquoted_symbol_in_a_scenario_file_says_to_quote_it(tmp_path: Path) -> None:
    """YAML reads `{HEAD}` unquoted as a mapping, which would start the run with its text."""
    (tmp_path / "bad.yml").write_text("runs:\n  - variables: {DESIRED_VERSION: {HEAD}}\n")
    with pytest.raises(RehearsalError) as raised:
        load_scenario(str(tmp_path / "bad.yml"))
    assert str(raised.value) == (
        f"{tmp_path / 'bad.yml'}: not a scenario (ValueError: variables DESIRED_VERSION: "
        "{'HEAD': None} is not text; quote symbols in YAML: '{HEAD}')"
    )
