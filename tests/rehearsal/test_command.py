"""`sccos-pipeline rehearse` as users run it: exit codes, messages, the JSON report, Ctrl-C."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sccos_pipeline.cli import main
from sccos_pipeline.rehearsal.errors import RehearsalError
from sccos_pipeline.rehearsal.world import rabbitmq
from tests.conftest import EXAMPLE, ROOT
from tests.rehearsal.conftest import EXAMPLE_STACK, needs_rabbitmq

pytestmark = pytest.mark.timeout(300)


def rehearse(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sccos_pipeline", "rehearse", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_a_folder_that_is_no_cloud_assembly_exits_2(tmp_path: Path) -> None:
    done = rehearse(str(tmp_path), "--stack", "sccos-x")
    assert (done.returncode, done.stdout) == (2, "")
    assert "is not a cloud assembly" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_unknown_stack_exits_2_naming_the_stacks(example_assembly: Path) -> None:
    done = rehearse(str(example_assembly), "--stack", "sccos-nope")
    assert (done.returncode, done.stdout) == (2, "")
    assert "no stack 'sccos-nope'" in done.stderr
    assert "it has: sccos-spryker-demo-staging" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_unknown_scenario_exits_2(example_assembly: Path) -> None:
    done = rehearse(str(example_assembly), "--stack", EXAMPLE_STACK, "--scenario", "nope")
    assert done.returncode == 2
    assert "neither a built-in scenario" in done.stderr


def test_a_missing_rabbitmq_exits_2_saying_how_to_install_it(
    example_assembly: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def missing() -> Path:
        raise RehearsalError(f"RabbitMQ is not installed; {rabbitmq.INSTALL_HINT}")

    monkeypatch.setattr(rabbitmq, "_server_script", missing)
    code = main(["rehearse", str(example_assembly), "--stack", EXAMPLE_STACK])
    captured = capsys.readouterr()
    assert (code, captured.out) == (2, "")
    assert "RabbitMQ is not installed; run `make setup`" in captured.err


def test_an_occupied_port_exits_2(
    example_assembly: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def occupied(self: rabbitmq.RabbitMQ) -> None:
        raise RehearsalError("port 15672 is in use; stop what listens there, or pick another")

    monkeypatch.setattr(rabbitmq.RabbitMQ, "start", occupied)
    code = main(["rehearse", str(example_assembly), "--stack", EXAMPLE_STACK])
    assert code == 2
    assert "port 15672 is in use" in capsys.readouterr().err


@needs_rabbitmq
@pytest.mark.scenario
def test_the_json_report_of_a_first_deployment(example_assembly: Path, tmp_path: Path) -> None:
    # The shop is a git repository of its own, named relative to where the command runs.
    shop, here = tmp_path / "shop", tmp_path / "here"
    shutil.copytree(EXAMPLE, shop)
    here.mkdir()
    for git in (["init", "--quiet"], ["add", "-A"], ["commit", "--quiet", "-m", "shop"]):
        subprocess.run(["git", "-c", "user.email=dev@example.com", "-c", "user.name=dev",
                        "-C", str(shop), *git], check=True, capture_output=True)  # fmt: skip
    done = rehearse(
        str(example_assembly), "--stack", EXAMPLE_STACK, "--format", "json",
        "--source", "../shop", cwd=here,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert {"pipeline", "status", "trigger", "variables", "steps", "approval", "state"} <= set(
        report
    )
    assert (report["pipeline"], report["status"]) == (
        "NORMAL_Deploy_Spryker_spryker-demo-staging",
        "Succeeded",
    )
    assert set(report["state"]) == {"ssm", "ecr", "ecs", "ecs_services", "rabbitmq"}
    assert report["trigger"] == {
        "triggerType": "WebhookV2",
        "triggerDetail": "arn:aws:codeconnections:eu-central-1:123456789012:connection/"
        "00000000-0000-0000-0000-000000000000",
    }
    # The deployment pipelines declare DESIRED_VERSION; a push leaves it at its default.
    assert report["variables"] == {"DESIRED_VERSION": "from-parameter-store"}
    yves = report["state"]["ecs_services"]["spryker-demo-staging-yves"]
    assert (yves["taskDefinition"], [d["step"].split("@")[0] for d in yves["deployments"]]) == (
        "spryker-demo-staging-yves:2",
        ["Deploy_Spryker_services/yves_eu"],
    )
    assert set(report["steps"][0]) >= {"stage", "action", "status", "commands", "calls"}
    call = report["steps"][0]["calls"][0]
    assert set(call) >= {"action", "resource", "decision"}
    assert report["approval"]["approved"] is True


def _descendants(root: int) -> set[int]:
    """Every process below `root` now (the rehearsal's servers and their helpers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found: set[int] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@needs_rabbitmq
@pytest.mark.scenario
def test_ctrl_c_stops_every_server(example_assembly: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "sccos_pipeline", "rehearse", str(example_assembly),
         "--stack", EXAMPLE_STACK],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    started: set[int] = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(started) < 4:  # moto runs inside the process
        started |= _descendants(process.pid)
        time.sleep(0.2)
    for _ in range(15):  # well inside the set-up or the run: RabbitMQ, simulator, CLI server
        started |= _descendants(process.pid)
        time.sleep(0.2)
    assert started, "the rehearsal started no server"
    os.kill(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted; every server was stopped" in err
    time.sleep(1)
    assert {pid for pid in started if _alive(pid)} == set()
