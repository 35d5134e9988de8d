"""UpdateDeployedVersion, run for real against a fake AWS CLI: it records a version only once
ECS says every service runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from sccos_pipeline.core.deployfile.loader import load_deploy_file
from sccos_pipeline.core.plan.versions import record_deployed_buildspec, versions_buildspec
from tests.conftest import MINIMAL, write_project

# Answers like the AWS CLI with --output text; every call is logged.
FAKE_AWS = """#!/bin/sh
echo "$*" >> "$AWS_LOG"
case "$*" in
  *"describe-services"*"--services yves"*) echo "arn:td/yves:1" ;;
  *"describe-services"*"--services zed"*) echo "arn:td/zed:1" ;;
  *"describe-task-definition"*"arn:td/yves:1"*) echo "repo/shop-yves:$YVES_RUNS" ;;
  *"describe-task-definition"*"arn:td/zed:1"*) echo "repo/shop-zed:abc123" ;;
  *"batch-get-image"*) echo "{}" ;;
esac
"""


def fake_aws(tmp_path: Path, log: Path) -> dict[str, str]:
    """PATH and AWS_LOG for a script run on FAKE_AWS, which logs each call to `log`."""
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin/aws").write_text(FAKE_AWS)
    (tmp_path / "bin/aws").chmod(0o755)
    return {"PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}", "AWS_LOG": str(log)}


@pytest.mark.skipif(shutil.which("bash") is None, reason="the step runs in bash")
@pytest.mark.parametrize(("yves_runs", "recorded"), [("abc123", True), ("old999", False)])
def test_a_version_is_recorded_only_when_every_service_runs_it(
    tmp_path: Path, yves_runs: str, recorded: bool
) -> None:
    write_project(tmp_path, {"deploy.yml": MINIMAL})
    model = load_deploy_file(tmp_path / "deploy.yml", project="shop")
    [script] = record_deployed_buildspec(model, [("c/yves", "yves"), ("c/zed", "zed")])["phases"][
        "build"
    ]["commands"]
    log = tmp_path / "aws.log"
    env = {
        **fake_aws(tmp_path, log),
        "YVES_RUNS": yves_runs,
        "SCCOS_COMMIT": "abc123",
        "SCCOS_LAST_DEPLOYED_PARAMETER": "/shop/last_deployed_version",
    }
    done = subprocess.run(
        ["bash", "-c", script], env=env, capture_output=True, text=True, check=False
    )
    calls = log.read_text()
    assert (done.returncode == 0) is recorded, done.stderr
    assert (
        "ssm put-parameter --name /shop/last_deployed_version --value abc123" in calls
    ) is recorded
    assert ("--image-tag sccos-deployed" in calls) is recorded
    if not recorded:
        assert "Service yves runs repo/shop-yves:old999, not abc123" in done.stderr


@pytest.mark.skipif(shutil.which("bash") is None, reason="the step runs in bash")
@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "version", ["../etc", "a b", "$(id)", "-rf", "a:b", "x" * 129, "abc123", "v" * 128]
)
def test_the_versions_step_deploys_only_what_can_be_an_image_tag(
    tmp_path: Path, version: str
) -> None:
    # Prepare_versions_information_for_Approval_stage, run for real: a requested version that
    # is no ECR image tag (the tag pattern, at most 128 characters) stops the run first.
    write_project(tmp_path, {"deploy.yml": MINIMAL})
    model = load_deploy_file(tmp_path / "deploy.yml", project="shop")
    spec = versions_buildspec(model)
    [script] = spec["phases"]["build"]["commands"]
    log = tmp_path / "aws.log"
    env = {
        **fake_aws(tmp_path, log),
        "SCCOS_REQUESTED": version,
        "SCCOS_SOURCE_COMMIT": "abc123",
        "SCCOS_DEPLOY_ON_PUSH": "false",
        "SCCOS_DESIRED_PARAMETER": "/shop/desired_version",
        "SCCOS_LAST_DEPLOYED_PARAMETER": "/shop/last_deployed_version",
        "SCCOS_LATEST_BUILT_PARAMETER": "/shop/lastbuildversion",
        "SCCOS_PIPELINE": "NORMAL_Deploy_Spryker_shop",
        "SCCOS_EXECUTION_ID": "e-1",
        "SCCOS_REPOSITORIES": spec["env"]["variables"]["SCCOS_REPOSITORIES"],
    }
    done = subprocess.run(
        ["bash", "-c", script], env=env, capture_output=True, text=True, check=False
    )
    calls = log.read_text() if log.exists() else ""
    if version in ("abc123", "v" * 128):
        assert (done.returncode, done.stderr) == (0, "")
        # checked against ECR, and never written: desired_version is the operator's
        assert f"--image-ids imageTag={version}\n" in calls
        assert "put-parameter" not in calls
    else:
        assert done.returncode == 1
        assert done.stderr == (
            f"Not a version: '{version}' (from the DESIRED_VERSION variable of this run). "
            "A version is a commit hash, the tag of the environment's images.\n"
        )
        assert "ecr" not in calls and "put-parameter" not in calls
