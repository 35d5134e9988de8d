"""The shell the steps around the hooks share, run by bash as CodeBuild runs it (`set -e`)."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from sccos_pipeline.core.plan.shell import missing_images

pytestmark = pytest.mark.timeout(60)

# A stand-in for the AWS CLI: ECR has the image in `shop-yves` only; `shop-denied` is refused.
FAKE_AWS = """\
#!/bin/sh
case "$*" in
  *"--repository-name shop-yves "*) echo '{"imageDetails": []}' ;;
  *"--repository-name shop-denied "*)
    echo 'An error occurred (AccessDeniedException) when calling the DescribeImages' \\
      'operation: not allowed' >&2; exit 254 ;;
  *) echo 'An error occurred (ImageNotFoundException) when calling the DescribeImages' \\
      'operation: The image requested does not exist' >&2; exit 254 ;;
esac
"""


def run_check(tmp_path: Path, repositories: str) -> subprocess.CompletedProcess[str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    aws = bin_dir / "aws"
    aws.write_text(FAKE_AWS)
    aws.chmod(aws.stat().st_mode | stat.S_IEXEC)
    script = (
        "set -euo pipefail\n"  # as every buildspec of the pipeline runs
        f"{missing_images(repositories)}\n"
        'echo "missing:$missing"\n'
    )
    return subprocess.run(
        ["bash", "-c", script],
        env={"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "SCCOS_COMMIT": "abc123"},
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )


def test_missing_images_are_named_without_errors_of_its_own(tmp_path: Path) -> None:
    done = run_check(tmp_path, "shop-yves shop-glue shop-jenkins")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "missing: shop-glue:abc123 shop-jenkins:abc123\n"
    # The status of every lookup is recorded, whatever it returned: no `cat: ...rc: No such
    # file or directory` (the failing lookup used to end its subshell under `set -e`).
    assert done.stderr == ""


def test_a_lookup_failing_otherwise_fails_the_check(tmp_path: Path) -> None:
    done = run_check(tmp_path, "shop-yves shop-denied shop-glue")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (
        "An error occurred (AccessDeniedException) when calling the DescribeImages "
        "operation: not allowed\n"
    )
