"""The three scripts end to end, as CodeBuild runs them (`python3 -c "$(text)" ARGS`), with the
AWS CLI against moto's server. The interpreter runs with -I -S: no site-packages, so a script
that needed more than the standard library would fail here."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sccos_pipeline.core.scripts import script_text

pytestmark = pytest.mark.timeout(120)

VENV_BIN = Path(sys.executable).parent  # where the AWS CLI (awscli, v1) is installed
ACCOUNT = "123456789012"  # moto's
SSM = f"arn:aws:ssm:eu-central-1:{ACCOUNT}:parameter"


@pytest.fixture(scope="module")
def env() -> Iterator[dict[str, str]]:
    """The environment of a CodeBuild build, its AWS being moto's server on a free port."""
    moto_server = pytest.importorskip("moto.server")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        _, port = server.get_host_and_port()
        environment = {
            "PATH": os.pathsep.join([str(VENV_BIN), os.environ.get("PATH", "")]),
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "eu-central-1",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        cli(environment, "ecs", "put-account-setting", "--name", "serviceLongArnFormat", "--value", "enabled")  # fmt: skip
        yield environment
    finally:
        server.stop()


def cli(env: dict[str, str], *args: str) -> Any:
    done = subprocess.run(
        ["aws", *args, "--output", "json"], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout) if done.stdout.strip() else None


def client(env: dict[str, str], service: str) -> Any:
    """A boto3 client of moto: quicker than the CLI (a second a call) for setting up and looking."""
    boto3 = pytest.importorskip("boto3")
    return boto3.client(
        service,
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env["AWS_DEFAULT_REGION"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def run(env: dict[str, str], name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-I", "-S", "-c", script_text(name), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=100,
    )


def put(env: dict[str, str], name: str, value: str, secure: bool = False) -> None:
    kind = "SecureString" if secure else "String"
    client(env, "ssm").put_parameter(Name=name, Value=value, Type=kind)


def service(env: dict[str, str], cluster: str, container: dict[str, Any]) -> None:
    """A cluster with service `back-office` running revision 1 of the family `{cluster}-bo`."""
    ecs = client(env, "ecs")
    ecs.create_cluster(clusterName=cluster)
    ecs.register_task_definition(
        family=f"{cluster}-bo",
        containerDefinitions=[container],
        executionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/execution",
        tags=[{"key": "project", "value": "shop"}],
    )
    ecs.create_service(
        cluster=cluster, serviceName="back-office", taskDefinition=f"{cluster}-bo", desiredCount=0
    )


def running(env: dict[str, str], cluster: str) -> tuple[str, dict[str, Any], list[Any]]:
    """The task definition ARN the service runs, its boffice container, and its tags."""
    ecs = client(env, "ecs")
    found = ecs.describe_services(cluster=cluster, services=["back-office"])
    arn = found["services"][0]["taskDefinition"]
    described = ecs.describe_task_definition(taskDefinition=arn, include=["TAGS"])
    [container] = described["taskDefinition"]["containerDefinitions"]
    return arn, container, described["tags"]


def test_variables_prints_each_name_s_parameter(env: dict[str, str]) -> None:
    put(env, "/vars/prod/config/common/public/MAIL_HOST", "common")
    put(env, "/vars/prod/config/app/limited/MAIL_HOST", "app")
    put(env, "/vars/prod/secret/common/limited/MAIL_PASSWORD", "pw", secure=True)
    put(env, "/vars/prod/config/scheduler/public/MAIL_HOST", "scheduler")
    done = run(env, "variables", "/vars/prod", "app")
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout) == {
        "MAIL_HOST": f"{SSM}/vars/prod/config/app/limited/MAIL_HOST",
        "MAIL_PASSWORD": f"{SSM}/vars/prod/secret/common/limited/MAIL_PASSWORD",
    }
    put(env, "/vars/prod/config/common/public/SPRYKER_DEBUG", "1")
    put(env, "/vars/prod/config/app/MISPLACED", "1")
    done = run(env, "variables", "/vars/prod", "app")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.splitlines() == [
        "/vars/prod/config/app/MISPLACED: does not follow Spryker's convention /vars/prod/{config|secret}/{common|app|scheduler|pipeline}/{limited|public}/NAME",
        "/vars/prod/config/common/public/SPRYKER_DEBUG: SPRYKER_DEBUG is reserved by Spryker (every SPRYKER_* name)",
    ]


def test_update_service_registers_a_revision_only_for_a_change(env: dict[str, str]) -> None:
    put(env, "/upd/prod/config/app/public/MAIL_HOST", "mail.example.com")
    put(env, "/upd/prod/secret/common/public/API_KEY", "s3cr3t-value", secure=True)
    container = {
        "name": "boffice",
        "image": "shop:boffice",
        "memory": 512,
        "environment": [{"name": "SPRYKER_MAINTENANCE_MODE_ENABLED", "value": "false"}],
        "secrets": [{"name": "REMOVED", "valueFrom": "/upd/prod/config/app/public/REMOVED"}],
    }
    service(env, "upd", container)
    args = ["--cluster", "upd", "--service", "back-office", "--container", "boffice"]
    tree = ["--tree", "/upd/prod", "--bucket", "app"]
    done = run(env, "update_service", *args, "--set", "SPRYKER_MAINTENANCE_MODE_ENABLED=true", *tree)  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    arn = f"arn:aws:ecs:eu-central-1:{ACCOUNT}:task-definition/upd-bo:2"
    assert done.stdout.splitlines() == [
        "+ API_KEY from /upd/prod/secret/common/public/API_KEY",
        "+ MAIL_HOST from /upd/prod/config/app/public/MAIL_HOST",
        "- REMOVED from /upd/prod/config/app/public/REMOVED",
        "SPRYKER_MAINTENANCE_MODE_ENABLED: false -> true",
        f"back-office: now runs {arn}",
    ]
    assert "s3cr3t-value" not in done.stdout
    now, container, tags = running(env, "upd")
    assert now == arn
    assert container["environment"] == [{"name": "SPRYKER_MAINTENANCE_MODE_ENABLED", "value": "true"}]  # fmt: skip
    assert container["secrets"] == [
        {"name": "API_KEY", "valueFrom": f"{SSM}/upd/prod/secret/common/public/API_KEY"},
        {"name": "MAIL_HOST", "valueFrom": f"{SSM}/upd/prod/config/app/public/MAIL_HOST"},
    ]
    assert (container["image"], container["memory"], tags) == (
        "shop:boffice", 512, [{"key": "project", "value": "shop"}]
    )  # fmt: skip

    again = run(env, "update_service", *args, "--set", "SPRYKER_MAINTENANCE_MODE_ENABLED=true", *tree)  # fmt: skip
    assert (again.returncode, again.stdout, again.stderr) == (
        0, f"boffice: unchanged, no new revision of {arn}\n", ""
    )  # fmt: skip
    forced = run(env, "update_service", *args, *tree, "--force-new-deployment")
    assert (forced.returncode, forced.stderr) == (0, "")
    assert forced.stdout.splitlines() == [
        f"boffice: unchanged, no new revision of {arn}",
        f"back-office: new deployment of {arn}",
    ]
    assert running(env, "upd")[0] == arn
    families = client(env, "ecs").list_task_definitions(familyPrefix="upd-bo")
    assert len(families["taskDefinitionArns"]) == 2

    wrong = run(env, "update_service", "--cluster", "upd", "--service", "back-office", "--container", "nope")  # fmt: skip
    assert (wrong.returncode, wrong.stdout) == (1, "")
    assert wrong.stderr == f"{arn} has no container nope (it has boffice)\n"


def test_hook_variables_writes_what_the_back_office_sees(
    env: dict[str, str], tmp_path: Path
) -> None:
    put(env, "/hook/prod/config/app/public/MAIL_HOST", "tree's $mail\nhost")
    put(env, "/hook/prod/secret/common/public/API_KEY", "k'ey", secure=True)
    put(env, "/shared/DB_HOST", "db.internal")
    secret = client(env, "secretsmanager").create_secret(
        Name="hook-db", SecretString=json.dumps({"password": "p\\w$"})
    )
    container = {
        "name": "boffice",
        "image": "shop:boffice",
        "memory": 512,
        "environment": [
            {"name": "SPRYKER_BUILD_HASH", "value": "task-definition-hash"},
            {"name": "SPRYKER_HOOK_INSTALL", "value": "echo from the task definition"},
            {"name": "SPRYKER_PROJECT_NAME", "value": "shop"},
            {"name": "MAIL_HOST", "value": "task-definition-mail"},
        ],
        "secrets": [
            {"name": "DB_HOST", "valueFrom": "/shared/DB_HOST"},
            {"name": "DB_PASSWORD", "valueFrom": f"{secret['ARN']}:password::"},
        ],
    }
    service(env, "hook", container)
    out = tmp_path / "variables.sh"
    args = ["--cluster", "hook", "--service", "back-office", "--container", "boffice"]
    done = run(env, "hook_variables", *args, "--tree", "/hook/prod", "--out", str(out))
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines() == [
        "API_KEY from /hook/prod/secret/common/public/API_KEY",
        "DB_HOST from /shared/DB_HOST (task definition)",
        f"DB_PASSWORD from {secret['ARN']}:password:: (task definition)",
        "MAIL_HOST from /hook/prod/config/app/public/MAIL_HOST",
        "SPRYKER_PROJECT_NAME from the task definition",
    ]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    script = '. "$1"; printf "%s|" "$API_KEY" "$DB_HOST" "$DB_PASSWORD" "$MAIL_HOST" "$SPRYKER_PROJECT_NAME" "${SPRYKER_BUILD_HASH-unset}" "${SPRYKER_HOOK_INSTALL-unset}"'  # fmt: skip
    sourced = subprocess.run(["sh", "-c", script, "sh", str(out)], capture_output=True, text=True, check=True, env={})  # fmt: skip
    assert sourced.stdout == "k'ey|db.internal|p\\w$|tree's $mail\nhost|shop|unset|unset|"

    put(env, "/hook/prod/config/app/public/RABBITMQ_PASSWORD", "mine")
    refused = run(
        env, "hook_variables", *args, "--tree", "/hook/prod", "--out", str(tmp_path / "x")
    )
    assert (refused.returncode, refused.stdout) == (1, "")
    assert refused.stderr == (
        "/hook/prod/config/app/public/RABBITMQ_PASSWORD: RABBITMQ_PASSWORD is reserved by Spryker\n"
    )
    assert not (tmp_path / "x").exists()
