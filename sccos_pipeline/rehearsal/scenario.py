"""Scenarios: which executions a rehearsal runs, and what the world does to them.

`lose_push` names what the Docker SDK loses: an image (`yves_eu`), a repository
(`<project>-yves_eu`) or one `repository:tag`.

A scenario is a list of runs. Each run may first commit files to the source and write or
delete SSM parameters, sets the stand-ins' knobs (`fail`: exit codes of the application's
tools; `lose_push`: image pushes the Docker SDK loses), starts one pipeline (or two at once
with `together`) by a push or by hand, with pipeline variables, approves or rejects, and may
retry a failed execution after changing the knobs. Executions its builds start
(StartPipelineExecution) run after it. Built-in scenarios by name, or a YAML file of the same
shape:

    description: a failing install, fixed and retried
    runs:
      - pipeline: normal
        knobs: {fail: [{program: vendor/bin/install, args: "-r EU/production", exit: 1}]}
        retry_with: {}

A scenario cannot know commit hashes: `{HEAD}` and `{HEAD~N}` in variable values, parameter
names and values and deleted parameters name commits of the rehearsal's source (after the
run's files are committed), and `{project}` the environment's project.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ..core import naming
from ..core.stages import PipelineKind
from .codepipeline.start import TRIGGERS
from .errors import RehearsalError

if TYPE_CHECKING:  # the command's help reads this module; it must not load the servers' code
    from .codepipeline.execution import Execution


# The pipelines of an environment, as the construct records them in the cloud assembly.
PIPELINE_KINDS = tuple(kind.value for kind in PipelineKind)


@dataclass(frozen=True)
class Run:
    pipeline: str = "normal"
    together: str | None = None  # another pipeline started at the same moment
    files: Mapping[str, str | None] = field(default_factory=dict)  # committed first
    knobs: Mapping[str, Any] = field(default_factory=dict)
    approve: bool = True
    retry_with: Mapping[str, Any] | None = None  # knobs for a retry after a failure
    variables: Mapping[str, str] = field(default_factory=dict)  # pipeline-level, at the start
    trigger: str = "push"  # or manual (an operator), or created (the pipeline's creation)
    parameters: Mapping[str, str] = field(default_factory=dict)  # SSM, written first
    delete_parameters: tuple[str, ...] = ()  # SSM, deleted first


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    runs: tuple[Run, ...]


_INSTALL_FAILS = {"fail": [{"program": "vendor/bin/install", "args": "production", "exit": 1}]}
# As an operator starts a deployment that does not deploy on push (DESTRUCTIVE in staging):
# by hand, naming the version, here the source's head.
_HEAD = {"DESIRED_VERSION": "{HEAD}"}
# Where SCCOS keeps the version to deploy (Spryker's "Deploy in a production environment").
_DESIRED = naming.ssm_parameter("{project}", naming.PARAMETER_DESIRED)

BUILT_IN: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("first-deployment", "the first deployment of the source's HEAD", (Run(),)),
        Scenario(
            "redeploy",
            "a first deployment, then the same commit again: nothing is built twice",
            (Run(), Run()),
        ),
        Scenario(
            "destructive",
            "a first deployment through the destructive pipeline, started by hand with "
            "DESIRED_VERSION the source's head (it does not deploy on push)",
            (Run(pipeline="destructive", trigger="manual", variables=_HEAD),),
        ),
        Scenario(
            "failing-install",
            "the install hook fails, is fixed, and the failed stage is retried",
            (Run(knobs=_INSTALL_FAILS, retry_with={}),),
        ),
        Scenario(
            "lost-push",
            "the Docker SDK loses the push of one image",
            (Run(knobs={"lose_push": ["yves_eu"]}),),
        ),
        Scenario(
            "together",
            "normal and destructive started by hand at the same moment, both with "
            "DESIRED_VERSION the source's head",
            (Run("normal", together="destructive", trigger="manual", variables=_HEAD),),
        ),
        # Versions: which one a deployment deploys (core.plan.versions).
        Scenario(
            "desired-version",
            "a first deployment; a new commit built by the Build pipeline; desired_version set "
            "to it and NORMAL released by hand: it deploys that version, building nothing",
            (
                Run(),
                Run("build", files={"src/desired-version.txt": "the next version\n"}),
                Run(trigger="manual", parameters={_DESIRED: "{HEAD}"}),
            ),
        ),
        Scenario(
            "override",
            "two commits built; desired_version names the newer, a run by hand with "
            "DESIRED_VERSION the older deploys the older and leaves desired_version as it is",
            (
                Run("build"),
                Run("build", files={"src/override.txt": "the newer version\n"}),
                Run(
                    trigger="manual",
                    parameters={_DESIRED: "{HEAD}"},
                    variables={"DESIRED_VERSION": "{HEAD~1}"},
                ),
            ),
        ),
        Scenario(
            "rollback",
            "two versions deployed on push; desired_version set back to the first and NORMAL "
            "released: the first runs again on its own images, nothing is built",
            (
                Run(),
                Run(files={"src/rollback.txt": "the version rolled back\n"}),
                Run(trigger="manual", parameters={_DESIRED: "{HEAD~1}"}),
            ),
        ),
        Scenario(
            "missing-image",
            "a new commit deployed on push; desired_version set to the commit before it, never "
            "built: the release is refused before the approval, naming every missing image",
            (
                Run(files={"src/missing-image.txt": "deployed\n"}),
                Run(trigger="manual", parameters={_DESIRED: "{HEAD~1}"}),
            ),
        ),
        Scenario(
            "build",
            "a first deployment; a new commit built by the Build pipeline, which deploys "
            "nothing; the same commit again builds nothing",
            (Run(), Run("build", files={"src/build.txt": "built\n"}), Run("build")),
        ),
        Scenario(
            "latest",
            "a commit built; a newer one committed, not built; desired_version latest and "
            "NORMAL released by hand: it deploys the last built version, not the newer commit",
            (
                Run("build"),
                Run(
                    trigger="manual",
                    files={"src/latest.txt": "not built\n"},
                    parameters={_DESIRED: "latest"},
                ),
            ),
        ),
    )
}


def load_scenario(name_or_file: str | None) -> Scenario:
    if not name_or_file:
        return BUILT_IN["first-deployment"]
    if name_or_file in BUILT_IN:
        return BUILT_IN[name_or_file]
    path = Path(name_or_file)
    if not path.is_file():
        raise RehearsalError(
            f"--scenario {name_or_file}: neither a built-in scenario "
            f"({', '.join(BUILT_IN)}) nor a file"
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        runs = tuple(_run(item) for item in data["runs"])
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise RehearsalError(f"{path}: not a scenario ({type(exc).__name__}: {exc})") from None
    return Scenario(path.stem, str(data.get("description", "")), runs)


def _run(item: Mapping[str, Any]) -> Run:
    allowed = {f.name for f in fields(Run)}
    unknown = set(item) - allowed
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}; allowed: {sorted(allowed)}")
    values = dict(item)
    if values.get("trigger", "push") not in TRIGGERS:
        raise ValueError(f"trigger {values['trigger']!r}: one of {', '.join(TRIGGERS)}")
    for key in ("variables", "parameters"):
        given = values.get(key) or {}
        for name, value in given.items():
            if isinstance(value, Mapping | list) or isinstance(name, Mapping | list):
                raise ValueError(
                    f"{key} {name}: {value} is not text; quote symbols in YAML: '{{HEAD}}'"
                )
        values[key] = {str(k): str(v) for k, v in given.items()}
    values["delete_parameters"] = tuple(str(n) for n in values.get("delete_parameters") or ())
    return Run(**values)


_SYMBOL = re.compile(r"\{(?:(HEAD(?:~[0-9]+)?)|(project))\}")


def resolve(text: str, *, rev_parse: Callable[[str], str], project: str) -> str:
    """`text` with `{HEAD}` and `{HEAD~N}` replaced by the commits `rev_parse` names, and
    `{project}` by the project; any other braces are left as they are."""
    return _SYMBOL.sub(lambda m: rev_parse(m.group(1)) if m.group(1) else project, text)


def resolved(rehearsal: Any, run: Run) -> Run:
    """The run with its symbols resolved against the rehearsal's source and project."""

    def text(value: str) -> str:
        project = rehearsal.description.project
        return resolve(value, rev_parse=rehearsal.source.rev_parse, project=project)

    return replace(
        run,
        variables={name: text(value) for name, value in run.variables.items()},
        parameters={text(name): text(value) for name, value in run.parameters.items()},
        delete_parameters=tuple(text(name) for name in run.delete_parameters),
    )


def play(rehearsal: Any, scenario: Scenario) -> list[Execution]:
    """Run the scenario in an open Rehearsal; returns its executions in the order they ran."""
    done: list[Execution] = []
    for written in scenario.runs:
        if written.files:
            rehearsal.source.commit(f"scenario {scenario.name}", dict(written.files))
        run = resolved(rehearsal, written)  # after the commit: {HEAD} is the run's own
        if run.parameters or run.delete_parameters:
            rehearsal.set_parameters(run.parameters, run.delete_parameters)
        rehearsal.set_knobs(**run.knobs)
        start = {"approve": run.approve, "variables": run.variables, "trigger": run.trigger}
        first = rehearsal.start(run.pipeline, **start)
        if run.together:
            # Both start now; the later one reaches Build_and_Prepare first and must give way.
            second = rehearsal.start(run.together, **start)
            done.append(second.run())
        done.append(first.run())
        if first.status == "Failed" and run.retry_with is not None:
            rehearsal.set_knobs(**run.retry_with)
            first.retry()  # the same execution goes on: its report shows both attempts
        done += rehearsal.run_started()
    return done
