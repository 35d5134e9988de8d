"""Spryker's default hook commands, and the broker step run for real against a fake API."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from sccos_pipeline.core.deployfile.loader import load_deploy_file
from sccos_pipeline.core.deployfile.model import HookSource
from sccos_pipeline.core.plan.broker import broker_buildspec
from sccos_pipeline.core.stages import PipelineType, Stage
from tests.conftest import MINIMAL, write_project


@pytest.mark.parametrize(
    ("stage", "pipeline_type", "command"),
    [
        (Stage.PRE_DEPLOY, PipelineType.NORMAL, "vendor/bin/install -r pre-deploy -vvv"),
        (Stage.PRE_DEPLOY, PipelineType.DESTRUCTIVE, "vendor/bin/install -r pre-deploy -vvv"),
        (Stage.INSTALL, PipelineType.NORMAL, "vendor/bin/install -r production --no-ansi -vvv"),
        (
            Stage.INSTALL,
            PipelineType.DESTRUCTIVE,
            "vendor/bin/install -r destructive --no-ansi -vvv",
        ),
        (Stage.POST_DEPLOY, PipelineType.NORMAL, "true"),
        (Stage.POST_DEPLOY, PipelineType.DESTRUCTIVE, "true"),
    ],
)
def test_default_hook_commands(
    tmp_path: Path, stage: Stage, pipeline_type: PipelineType, command: str
) -> None:
    write_project(tmp_path, {"deploy.yml": MINIMAL})  # sets no SPRYKER_HOOK_* variable
    hook = load_deploy_file(tmp_path / "deploy.yml").hook(stage, pipeline_type)
    assert (hook.command, hook.source) == (command, HookSource.DEFAULT)


FAKE_CURL = (
    '#!/bin/sh\nfor a in "$@"; do printf "%s " "$a"; done >> "$CURL_LOG"; echo >> "$CURL_LOG"\n'
    'case " $* " in *" @- "*) cat >> "$CURL_LOG.body" ;; esac\n'  # a body read from stdin
)


@pytest.mark.skipif(shutil.which("bash") is None, reason="the broker step runs in bash")
@pytest.mark.parametrize("pipeline_type", ["normal", "destructive"])
def test_broker_resets_vhosts_only_when_destructive(tmp_path: Path, pipeline_type: str) -> None:
    write_project(tmp_path, {"deploy.yml": MINIMAL})  # vhosts de-docker and no-docker
    [script] = broker_buildspec(load_deploy_file(tmp_path / "deploy.yml"))["phases"]["build"][
        "commands"
    ]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "curl").write_text(FAKE_CURL)
    (bin_dir / "curl").chmod(0o755)
    log = tmp_path / "curl.log"
    env = {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "CURL_LOG": str(log),
        "SPRYKER_PIPELINE_TYPE": pipeline_type,
        "SCCOS_BROKER_API": "https://mq",
        "SCCOS_BROKER_ADMIN_USER": "admin",
        "SCCOS_BROKER_ADMIN_PASSWORD": "pw",
        "SCCOS_BROKER_APP_USER": "app",
        "SCCOS_BROKER_APP_PASSWORD": 'a"pw\\',
    }
    done = subprocess.run(
        ["bash", "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    calls = [
        line.split(" -H content-type: application/json ")[1]
        for line in log.read_text().splitlines()
    ]
    deletes = [c.strip() for c in calls if c.startswith("-X DELETE")]
    if pipeline_type == "destructive":
        assert deletes == [
            "-X DELETE https://mq/api/vhosts/de-docker",
            "-X DELETE https://mq/api/vhosts/no-docker",
        ]
    else:
        assert deletes == []
    # The user's JSON comes from an encoder: a quote in the password stays JSON.
    assert json.loads((tmp_path / "curl.log.body").read_text()) == {
        "password": 'a"pw\\',
        "tags": "",
    }
    assert [c.strip() for c in calls if c.startswith("-X PUT https://mq/api/vhosts/")] == [
        "-X PUT https://mq/api/vhosts/de-docker",
        "-X PUT https://mq/api/vhosts/no-docker",
    ]
