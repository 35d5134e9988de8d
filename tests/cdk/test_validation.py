"""`cdk synth` shows what `sccos-pipeline validate` shows: every deploy-file warning is a CDK
warning with id `sccos-pipeline:<CODE>`, so `cdk synth --strict` fails on it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import assertions

from tests.cdk.support import app_context, environment, new_stack
from tests.conftest import CDK, EXAMPLE, ROOT, offline_env

NAME = "deploy.spryker-demo-staging.yml"


def old_php_project(root: Path) -> Path:
    """The example with spryker/php:7.4, which is no longer maintained (SCC101)."""
    shutil.copytree(EXAMPLE, root / "shop")
    deploy = root / "shop" / NAME
    deploy.write_text(deploy.read_text().replace("spryker/php:8.3", "spryker/php:7.4"))
    return deploy


def test_deploy_file_warnings_are_cdk_warnings(tmp_path: Path) -> None:
    deploy = old_php_project(tmp_path)
    stack = new_stack()
    environment(stack, deploy_file=deploy)
    warnings = assertions.Annotations.from_stack(stack).find_warning(
        "/Test/Environment", assertions.Match.any_value()
    )
    assert sorted(str(w.entry.data) for w in warnings) == [
        f"{deploy}:16:8: warning SCC101 spryker/php:7.4 is no longer maintained "
        "(fix: move to a current tag, e.g. spryker/php:8.4) [ack: sccos-pipeline:SCC101]",
    ]  # SCC114 needs a base to compare with (`validate --base`); synth has none


@pytest.mark.skipif(not CDK.exists(), reason="run `make setup` first")
def test_cdk_synth_strict_fails_on_deploy_file_warnings(tmp_path: Path) -> None:
    deploy = old_php_project(tmp_path)
    context = app_context()
    context["sccos-pipeline:environments"]["spryker-demo-staging"]["deployFile"] = str(deploy)
    (tmp_path / "cdk.json").write_text(
        json.dumps({"app": f"{sys.executable} {ROOT / 'app.py'}", "context": context})
    )
    env = offline_env(PYTHONPATH=str(ROOT))

    def synth(*extra: str) -> Any:
        return subprocess.run(
            [str(CDK), "synth", "--no-notices", "--quiet", "-o", str(tmp_path / "out"), *extra],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )

    relaxed = synth()
    assert relaxed.returncode == 0, relaxed.stderr[-3000:]
    assert "warning SCC101 spryker/php:7.4 is no longer maintained" in relaxed.stderr
    assert "Acknowledge with 'Annotation::sccos-pipeline:SCC101'" in relaxed.stderr
    strict = synth("--strict")
    assert strict.returncode != 0
    assert "Synthesis finished with warnings (--strict mode)" in strict.stderr
