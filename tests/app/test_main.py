"""`cdk synth` runs app.py: for any wrong setting it exits 1 with one clear message, never a
Python traceback or a jsii stack."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from sccos_pipeline.app.settings import CONTEXT_KEY
from tests.conftest import ROOT

ENV = "spryker-demo-staging"
AT = f"{CONTEXT_KEY}.{ENV}"


def run_app(
    change: Callable[[dict[str, Any]], None], tmp_path: Any
) -> subprocess.CompletedProcess[str]:
    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    change(context[CONTEXT_KEY])
    return subprocess.run(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env={
            **os.environ,
            "CDK_CONTEXT_JSON": json.dumps(context),
            "CDK_OUTDIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def _both(
    first: Callable[[dict[str, Any]], None], second: Callable[[dict[str, Any]], None]
) -> Callable[[dict[str, Any]], None]:
    def change(environments: dict[str, Any]) -> None:
        first(environments)
        second(environments)

    return change


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(environments: dict[str, Any]) -> None:
        node = environments[ENV]
        *parents, last = path.split("/")
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value

    return change


def _copy(environments: dict[str, Any]) -> None:
    environments["spryker-demo-copy"] = copy.deepcopy(environments[ENV])


def _drop_service(environments: dict[str, Any]) -> None:
    del environments[ENV]["services"]["yves_eu"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_set("prodution", True), f'{AT}.prodution: unknown key (did you mean "production"?)'),
        (
            _set("source/brnach", "main"),
            f'{AT}.source.brnach: unknown key (did you mean "branch"?)',
        ),
        (
            _set("hooks/install/computeType", "HUGE"),
            f'{AT}.hooks.install.computeType: got "HUGE"; allowed: "SMALL", "MEDIUM", "LARGE", '
            '"XLARGE", "2XLARGE"',
        ),
        (_set("project", "p" * 120), f"{AT}.project: makes the pipeline name"),
        (_copy, f"{CONTEXT_KEY}.spryker-demo-copy: would create the same 33 names as {AT}"),
        (
            _drop_service,
            f'{AT}.services: lacks ["yves_eu"] (has ["backgw_eu", "boffice_eu", "frontend", '
            '"glue_eu", "jenkins"]). Fix: add one for each application of the deploy file, '
            "`frontend` and `jenkins`",
        ),
        (
            _set("zedEnvironment/SPRYKER_DB_PASSWORD", "hunter2"),
            f"{AT}.zedEnvironment.SPRYKER_DB_PASSWORD: looks like a secret in plain text. "
            "Fix: give it as a secret (SSM or Secrets Manager)",
        ),
        (
            _both(_set("production", True), _set("pipelines", ["normal", "destructive"])),
            f"{AT}.pipelines: a destructive pipeline resets all data of a production environment "
            '("production": true); allowed: the list without "destructive" (or no "pipelines": '
            'every one but destructive), or "allowDestructiveInProduction": true',
        ),
        (
            _set("maintenanceAllowedIps", ["203.0.113.7"]),
            f"{AT}.maintenanceAllowedIps: no longer a setting: the maintenance pipelines change "
            "SPRYKER_MAINTENANCE_MODE_ENABLED only, never ALLOWED_IP (SCCOS's reserved address "
            "of the AWS gateway); allowed: remove it, and list the addresses that pass during "
            "maintenance in the deploy file's docker.maintenance.whitelist.ips",
        ),
    ],
    ids=[
        "typo",
        "source-typo",
        "compute-type",
        "long-project",
        "copy",
        "service",
        "secret",
        "production",
        "maintenance-allowed-ips",
    ],
)
def test_wrong_settings_exit_1_with_one_message(
    change: Callable[[dict[str, Any]], None], expected: str, tmp_path: Any
) -> None:
    done = run_app(change, tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("sccos-pipeline: invalid settings in cdk.json:\n  ")
    assert expected in done.stderr
    assert "Traceback" not in done.stderr
    assert "jsii" not in done.stderr.lower()
    assert done.stdout == ""


def test_unexpected_errors_lose_their_stacks() -> None:
    from sccos_pipeline.app.main import _message

    error = RuntimeError(
        "MustBeNumberMultiple: Number of subnets (3) must be a multiple of zones (2).\n"
        "    at Kernel._Kernel_ensureSync (/tmp/x/lib/program.js:1:72922)\n"
        "  @jsii/kernel.RuntimeError: again\n"
    )
    error.add_note(f"while building {AT}")
    assert _message(error) == (
        "MustBeNumberMultiple: Number of subnets (3) must be a multiple of zones (2).\n"
        f"while building {AT}"
    )


def test_a_project_name_ssm_reserves_stops_synth_at_the_deploy_file(tmp_path: Any) -> None:
    """Spryker's template `deploy.aws-env-template.yml` gives the project `aws-env-template`:
    synth refuses it, since SSM refuses `/aws-env-template/desired_version`."""
    deploy_file = tmp_path / "deploy.aws-env-template.yml"
    deploy_file.write_text((ROOT / "examples/spryker-demo-staging/deploy.spryker-demo-staging.yml")
                           .read_text())  # fmt: skip
    done = run_app(_set("deployFile", str(deploy_file)), tmp_path / "cdk.out")
    assert done.returncode == 1, done.stderr
    assert (
        f"  {AT}.deployFile: {deploy_file}:1:1: error SCC026 the project name taken from the "
        "file name, 'aws-env-template', makes the SSM parameter name "
        "'/aws-env-template/lastbuildversion', which begins with 'aws'"
    ) in done.stderr
    assert "Traceback" not in done.stderr
