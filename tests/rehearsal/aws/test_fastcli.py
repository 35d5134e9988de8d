"""The AWS CLI fork server: the real CLI's output and exit codes, and a fallback without it."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from sccos_pipeline.rehearsal.aws.fastcli import start_server, write_client

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Path]:
    server = start_server(tmp_path / "aws.sock")
    write_client(tmp_path, tmp_path / "aws.sock")
    yield tmp_path / "aws"
    server.kill()


def run(aws: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y"}
    return subprocess.run(
        [str(aws), *args], capture_output=True, text=True, env=env, cwd=cwd, check=False
    )


def test_the_real_cli_answers_through_the_server(client: Path) -> None:
    done = run(client, "--version")
    assert done.returncode == 0
    assert done.stdout.startswith("aws-cli/1.")


def test_a_usage_error_keeps_the_cli_s_exit_code_and_stderr(client: Path) -> None:
    done = run(client, "ecr", "describe-images", "--region", "eu-central-1")
    assert done.returncode == 2  # what `aws` itself exits with for a usage error (v1)
    assert "the following arguments are required: --repository-name" in done.stderr


def test_without_the_server_the_client_runs_the_cli_itself(tmp_path: Path) -> None:
    write_client(tmp_path, tmp_path / "nobody.sock")
    done = run(tmp_path / "aws", "--version")
    assert done.returncode == 0
    assert done.stdout.startswith("aws-cli/1.")
