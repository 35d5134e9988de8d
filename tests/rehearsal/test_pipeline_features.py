"""What the new pipelines use, rehearsed in the probe pipelines (tests/rehearsal/probe.py):
pipeline variables and triggers, several input and output artifacts, the CodePipeline API a
build calls, and a build starting another pipeline."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from sccos_pipeline.rehearsal.codepipeline.start import PipelineStartError
from sccos_pipeline.rehearsal.scenario import Run, Scenario, load_scenario, play
from sccos_pipeline.rehearsal.session import Rehearsal
from sccos_pipeline.rehearsal.world.rabbitmq import RabbitMQ
from tests.rehearsal.conftest import EXAMPLE_STACK, edit_assembly, needs_rabbitmq
from tests.rehearsal.probe import PROBE, STARTED, add_probe

pytestmark = [needs_rabbitmq, pytest.mark.scenario, pytest.mark.timeout(600)]

CONNECTION = (
    "arn:aws:codeconnections:eu-central-1:123456789012:connection/"
    "00000000-0000-0000-0000-000000000000"
)
OPERATOR = "arn:aws:sts::123456789012:assumed-role/operator/rehearsal"


@pytest.fixture(scope="module")
def probe_assembly(example_assembly: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return edit_assembly(
        example_assembly, tmp_path_factory.mktemp("probe") / "cdk.out", template=add_probe
    )


@pytest.fixture(scope="module")
def rehearsal(probe_assembly: Path, broker: RabbitMQ) -> Iterator[Rehearsal]:
    with Rehearsal(probe_assembly, EXAMPLE_STACK, rabbit=broker) as session:
        yield session


def files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_a_run_with_variables_artifacts_and_a_started_pipeline(rehearsal: Rehearsal) -> None:
    executions = play(rehearsal, Scenario("probe", "", (Run(PROBE, variables={"REASON": "x"}),)))
    probe, started = executions
    assert [(e.name, e.status) for e in executions] == [
        (PROBE, "Succeeded"), (STARTED, "Succeeded"),
    ], [s.message for s in probe.steps if s.message]  # fmt: skip
    use = probe.steps[2]
    assert (use.stage, use.action) == ("Second", "Use")
    assert "made\n" in use.log  # the second input, in CODEBUILD_SRC_DIR_Made
    assert "desired=none reason=x" in use.log  # a default and a given variable
    # Output paths: kept (Made), under base-directory (Left), discarded (Right).
    assert files(probe.artifacts["Made"]) == ["out/deep/made.txt"]
    assert files(probe.artifacts["Left"]) == ["execution.json"]
    assert files(probe.artifacts["Right"]) == ["executions.json", "started.json"]
    described = json.loads((probe.artifacts["Left"] / "execution.json").read_text())
    assert described == {
        "pipelineExecution": {
            "pipelineName": PROBE,
            "pipelineVersion": 1,
            "pipelineExecutionId": probe.id,
            "status": "InProgress",
            "trigger": {"triggerType": "WebhookV2", "triggerDetail": CONNECTION},
            "variables": [
                {"name": "DESIRED_VERSION", "resolvedValue": "none"},
                {"name": "REASON", "resolvedValue": "x"},
            ],
            "executionMode": "QUEUED",
        }
    }
    listed = json.loads((probe.artifacts["Right"] / "executions.json").read_text())
    [summary] = [
        s for s in listed["pipelineExecutionSummaries"] if s["pipelineExecutionId"] == probe.id
    ]
    assert (summary["pipelineExecutionId"], summary["trigger"]) == (
        probe.id, {"triggerType": "WebhookV2", "triggerDetail": CONNECTION},
    )  # fmt: skip
    started_id = json.loads((probe.artifacts["Right"] / "started.json").read_text())
    assert started_id == {"pipelineExecutionId": started.id}
    assert started.described()["trigger"] == {
        "triggerType": "StartPipelineExecution",
        "triggerDetail": "arn:aws:sts::123456789012:assumed-role/sccos-rehearsal-probe/rehearsal",
    }
    assert "desired=from-build" in started.steps[-1].log
    check = probe.steps[3]
    assert check.log.splitlines()[1:5] == [
        "executions.json",  # CODEBUILD_SRC_DIR: Right, the PrimarySource
        "started.json",
        '[Container] Running command ls "$CODEBUILD_SRC_DIR_Left"',
        "execution.json",
    ]
    asked = {(c.operation, c.action, c.resource, c.decision) for c in use.calls}
    arn = f"arn:aws:codepipeline:eu-central-1:123456789012:{PROBE}"
    assert {
        ("codepipeline GetPipelineExecution", "codepipeline:GetPipelineExecution", arn,
         "Allowed"),
        ("codepipeline ListPipelineExecutions", "codepipeline:ListPipelineExecutions", arn,
         "Allowed"),
        ("codepipeline StartPipelineExecution", "codepipeline:StartPipelineExecution",
         f"arn:aws:codepipeline:eu-central-1:123456789012:{STARTED}", "Allowed"),
    } <= asked  # fmt: skip


def test_a_manual_start_is_the_operators(rehearsal: Rehearsal) -> None:
    execution = rehearsal.start(
        PROBE, variables={"REASON": "y", "DESIRED_VERSION": "abc"}, trigger="manual"
    )
    assert execution.described()["trigger"] == {
        "triggerType": "StartPipelineExecution",
        "triggerDetail": OPERATOR,
    }
    assert execution.substitute("#{variables.DESIRED_VERSION}/#{variables.REASON}") == "abc/y"
    assert execution.summary()["trigger"]["triggerType"] == "StartPipelineExecution"


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"REASON": "x", "NOPE": "1"},
         f"ValidationException: pipeline {PROBE} declares no variable named NOPE (it declares: "
         "DESIRED_VERSION, REASON)"),
        ({},
         f"ValidationException: variable REASON of pipeline {PROBE} has no default value: "
         "provide a value for it when you start the pipeline"),
        ({"REASON": ""},
         "ValidationException: variable 'REASON': names must match [A-Za-z0-9@\\-_]+ and "
         "values can be anything except an empty string"),
    ],
)  # fmt: skip
def test_a_start_codepipeline_refuses_is_refused(
    rehearsal: Rehearsal, variables: dict[str, str], message: str
) -> None:
    before = len(rehearsal.executions.get(PROBE, []))
    with pytest.raises(PipelineStartError) as raised:
        rehearsal.start(PROBE, variables=variables)
    assert str(raised.value) == message
    assert len(rehearsal.executions.get(PROBE, [])) == before  # nothing started


SCENARIO = f"""\
description: maintenance by hand, with its parameters
runs:
  - pipeline: {PROBE}
    trigger: manual
    variables: {{REASON: maintenance, DESIRED_VERSION: 42}}
    parameters:
      /spryker-demo-staging/probe/mode: "on"
      /spryker-demo-staging/probe/secret/token: s3cret
    delete_parameters: [/spryker-demo-staging/probe/old]
"""


def test_a_scenario_file_sets_parameters_variables_and_the_trigger(
    rehearsal: Rehearsal, tmp_path: Path
) -> None:
    rehearsal.set_parameters({"/spryker-demo-staging/probe/old": "gone"})
    (tmp_path / "maintenance.yml").write_text(SCENARIO)
    scenario = load_scenario(str(tmp_path / "maintenance.yml"))
    assert scenario.runs == (
        Run(
            PROBE,
            variables={"REASON": "maintenance", "DESIRED_VERSION": "42"},
            trigger="manual",
            parameters={
                "/spryker-demo-staging/probe/mode": "on",
                "/spryker-demo-staging/probe/secret/token": "s3cret",
            },
            delete_parameters=("/spryker-demo-staging/probe/old",),
        ),
    )
    probe, started = play(rehearsal, scenario)
    assert (probe.status, started.status) == ("Succeeded", "Succeeded")
    assert probe.described()["trigger"] == {
        "triggerType": "StartPipelineExecution", "triggerDetail": OPERATOR,
    }  # fmt: skip
    assert probe.described()["variables"] == [
        {"name": "DESIRED_VERSION", "resolvedValue": "42"},
        {"name": "REASON", "resolvedValue": "maintenance"},
    ]
    check = probe.steps[3].log.splitlines()
    assert "/spryker-demo-staging/probe/mode\tString\ton" in check
    assert "/spryker-demo-staging/probe/secret/token\tSecureString\ts3cret" in check
    assert not [line for line in check if line.startswith("/spryker-demo-staging/probe/old")]
    assert check[check.index(
        "[Container] Running command aws ssm get-parameters --names "
        "/spryker-demo-staging/probe/secret/token --with-decryption --query "
        "'Parameters[0].Value' --output text"
    ) + 1] == "s3cret"  # fmt: skip
    asked = {(c.action, c.resource) for c in probe.steps[3].calls if c.action.startswith("ssm:")}
    assert asked == {
        ("ssm:GetParametersByPath",
         "arn:aws:ssm:eu-central-1:123456789012:parameter/spryker-demo-staging/probe"),
        ("ssm:GetParameters",
         "arn:aws:ssm:eu-central-1:123456789012:parameter/spryker-demo-staging/probe/secret/token"),
    }  # fmt: skip
