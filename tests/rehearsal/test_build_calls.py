"""AWS CLI calls the new pipelines' builds make (ECS task definitions and service updates, SSM
reads), through the authorizing proxy with a role's credentials, as a build makes them."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sccos_pipeline.rehearsal.session import Rehearsal
from sccos_pipeline.rehearsal.world.rabbitmq import RabbitMQ
from tests.rehearsal.conftest import EXAMPLE_STACK, edit_assembly, needs_rabbitmq

pytestmark = [needs_rabbitmq, pytest.mark.timeout(300)]

ACCOUNT = "arn:aws:iam::123456789012"
CLUSTER = "spryker-demo-staging"
FRONTEND = "spryker-demo-staging-frontend"
YVES = "spryker-demo-staging-yves"
PASSWORD = "arn:aws:ssm:eu-central-1:123456789012:parameter/spryker-demo-staging/database/password"
PIPELINE_PATH = "arn:aws:ssm:eu-central-1:123456789012:parameter/spryker-demo-staging"
BOOTSTRAP = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/bootstrap:none"


def grant_reading_by_path(template: dict[str, Any]) -> None:
    """The versions role may list the pipeline's parameters, but not recursively."""
    statements = template["Resources"]["EnvironmentSupportVersionsRoleDefaultPolicy572723CE"][
        "Properties"
    ]["PolicyDocument"]["Statement"]
    statements += [
        {"Sid": "ByPath", "Effect": "Allow", "Action": "ssm:GetParametersByPath",
         "Resource": PIPELINE_PATH},
        {"Sid": "NotRecursive", "Effect": "Deny", "Action": "ssm:GetParametersByPath",
         "Resource": PIPELINE_PATH, "Condition": {"StringEquals": {"ssm:Recursive": "true"}}},
    ]  # fmt: skip


def frontend_settings(data: dict[str, Any]) -> None:
    """The frontend runs with variables and a secret (optional keys of the metadata)."""
    data["services"]["frontend"]["environment"] = {
        "SPRYKER_MAINTENANCE_MODE_ENABLED": "0", "SPRYKER_ZED_HOST": "zed.internal",
    }  # fmt: skip
    data["services"]["frontend"]["secrets"] = {"SPRYKER_DB_PASSWORD": PASSWORD}


@pytest.fixture(scope="module")
def rehearsal(
    example_assembly: Path, broker: RabbitMQ, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Rehearsal]:
    assembly = edit_assembly(
        example_assembly,
        tmp_path_factory.mktemp("calls") / "cdk.out",
        template=grant_reading_by_path,
        metadata=frontend_settings,
    )
    with Rehearsal(assembly, EXAMPLE_STACK, rabbit=broker) as session:
        yield session


def aws(rehearsal: Rehearsal, role: str, step: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The AWS CLI as a build runs it: the rehearsal's `aws`, the role's credentials."""
    arn = rehearsal.template.get_att(role, "Arn")
    env = {
        **rehearsal.aws.cli_environment(arn, step),
        "PATH": f"{rehearsal.bin}:/usr/bin:/bin",
        "HOME": str(rehearsal.workdir),
    }
    return subprocess.run(
        [str(rehearsal.bin / "aws"), *args, "--output", "json"],
        env=env, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip


def asked(rehearsal: Rehearsal, step: str) -> list[tuple[str, str, str]]:
    return [(c.action, c.resource, c.decision) for c in rehearsal.gate.calls if c.step == step]


ROLE = "EnvironmentActionRole0000B947"  # may update the environment's services


def test_a_build_registers_a_task_definition_and_forces_deployments(rehearsal: Rehearsal) -> None:
    before = rehearsal.state()["ecs_services"]
    assert before[FRONTEND] == {
        "taskDefinition": f"{FRONTEND}:1",
        "image": "bootstrap:none",
        "environment": {
            "SPRYKER_MAINTENANCE_MODE_ENABLED": "0",
            "SPRYKER_ZED_HOST": "zed.internal",
        },
        "secrets": {"SPRYKER_DB_PASSWORD": PASSWORD},
        "deployments": [],
    }
    step = "Maintenance/Enable@ecs"
    described = aws(rehearsal, ROLE, step, "ecs", "describe-services", "--cluster", CLUSTER,
                    "--services", FRONTEND)  # fmt: skip
    assert described.returncode == 0, described.stderr
    current = json.loads(described.stdout)["services"][0]["taskDefinition"]
    definition = json.loads(
        aws(rehearsal, ROLE, step, "ecs", "describe-task-definition", "--task-definition",
            current).stdout
    )["taskDefinition"]  # fmt: skip
    [container] = definition["containerDefinitions"]
    for variable in container["environment"]:
        if variable["name"] == "SPRYKER_MAINTENANCE_MODE_ENABLED":
            variable["value"] = "1"
    registered = aws(
        rehearsal, ROLE, step, "ecs", "register-task-definition", "--family", FRONTEND,
        "--task-role-arn", definition["taskRoleArn"],
        "--execution-role-arn", definition["executionRoleArn"],
        "--container-definitions", json.dumps([container]),
    )  # fmt: skip
    assert registered.returncode == 0, registered.stderr
    for service, extra in ((FRONTEND, ["--task-definition", f"{FRONTEND}:2"]), (YVES, [])):
        updated = aws(rehearsal, ROLE, step, "ecs", "update-service", "--cluster", CLUSTER,
                      "--service", service, *extra, "--force-new-deployment")  # fmt: skip
        assert updated.returncode == 0, updated.stderr
    stable = aws(rehearsal, ROLE, step, "ecs", "wait", "services-stable", "--cluster", CLUSTER,
                 "--services", FRONTEND, YVES)  # fmt: skip
    assert stable.returncode == 0, stable.stderr
    service_arn = "arn:aws:ecs:eu-central-1:123456789012:service/spryker-demo-staging/"
    assert asked(rehearsal, step) == [
        ("ecs:DescribeServices", service_arn + FRONTEND, "Allowed"),
        ("ecs:DescribeTaskDefinition", "*", "Allowed"),
        ("ecs:RegisterTaskDefinition",
         f"arn:aws:ecs:eu-central-1:123456789012:task-definition/{FRONTEND}:2", "Allowed"),
        ("iam:PassRole", f"{ACCOUNT}:role/{FRONTEND}-task", "Allowed"),
        ("iam:PassRole", f"{ACCOUNT}:role/{FRONTEND}-execution", "Allowed"),
        ("ecs:UpdateService", service_arn + FRONTEND, "Allowed"),
        ("ecs:UpdateService", service_arn + YVES, "Allowed"),
        ("ecs:DescribeServices", service_arn + FRONTEND, "Allowed"),
        ("ecs:DescribeServices", service_arn + YVES, "Allowed"),
    ]  # fmt: skip
    after = rehearsal.state()["ecs_services"]
    assert after[FRONTEND] == {
        "taskDefinition": f"{FRONTEND}:2",
        "image": "bootstrap:none",
        "environment": {
            "SPRYKER_MAINTENANCE_MODE_ENABLED": "1",
            "SPRYKER_ZED_HOST": "zed.internal",
        },
        "secrets": {"SPRYKER_DB_PASSWORD": PASSWORD},
        "deployments": [
            {"step": step, "taskDefinition": f"{FRONTEND}:2", "forceNewDeployment": True}
        ],
    }
    assert after[YVES] == {
        **before[YVES],
        "deployments": [{"step": step, "taskDefinition": f"{YVES}:1", "forceNewDeployment": True}],
    }
    # What a maintenance scenario asserts: only the frontend's flag changed.
    changed = {
        (service, name, value)
        for service, details in after.items()
        for name, value in details["environment"].items()
        if before[service]["environment"].get(name) != value
    }
    assert changed == {(FRONTEND, "SPRYKER_MAINTENANCE_MODE_ENABLED", "1")}


def test_a_service_outside_the_environment_is_denied(rehearsal: Rehearsal) -> None:
    done = aws(rehearsal, ROLE, "Maintenance/Other@ecs", "ecs", "update-service", "--cluster",
               CLUSTER, "--service", "elsewhere", "--force-new-deployment")  # fmt: skip
    assert done.returncode != 0
    assert (
        "is not authorized to perform: ecs:UpdateService on resource: arn:aws:ecs:eu-central-1:"
        "123456789012:service/spryker-demo-staging/elsewhere with an explicit deny"
    ) in done.stderr


def test_a_secure_string_is_read_decrypted(rehearsal: Rehearsal) -> None:
    step = "Hooks/Install@ssm"
    done = aws(rehearsal, "EnvironmentHooksInstallRoleA72D7EA2", step, "ssm", "get-parameters",
               "--names", "/spryker-demo-staging/database/password", "--with-decryption")  # fmt: skip
    assert done.returncode == 0, done.stderr
    [parameter] = json.loads(done.stdout)["Parameters"]
    assert (parameter["Type"], parameter["Value"]) == ("SecureString", "rehearsal-value")
    assert asked(rehearsal, step) == [("ssm:GetParameters", PASSWORD, "Allowed")]


def test_parameters_by_path_are_authorized_on_the_path(rehearsal: Rehearsal) -> None:
    step = "Versions/Read@ssm"
    role = "EnvironmentSupportVersionsRole1F412C18"
    path = "/spryker-demo-staging"
    listed = aws(rehearsal, role, step, "ssm", "get-parameters-by-path", "--path", path)
    assert listed.returncode == 0, listed.stderr
    assert sorted(p["Name"] for p in json.loads(listed.stdout)["Parameters"]) == [
        "/spryker-demo-staging/desired_version",
        "/spryker-demo-staging/last_deployed_version",
        "/spryker-demo-staging/lastbuildversion",
    ]
    recursive = aws(rehearsal, role, step, "ssm", "get-parameters-by-path", "--path", path,
                    "--recursive", "--with-decryption")  # fmt: skip
    assert recursive.returncode != 0
    assert (
        f"is not authorized to perform: ssm:GetParametersByPath on resource: {PIPELINE_PATH} "
        "with an explicit deny"
    ) in recursive.stderr
    other = aws(rehearsal, role, step, "ssm", "get-parameters-by-path", "--path",
                "/spryker-demo-staging/database")  # fmt: skip
    assert "because no identity-based policy allows the ssm:GetParametersByPath action" in (
        other.stderr
    )
    assert asked(rehearsal, step) == [
        ("ssm:GetParametersByPath", PIPELINE_PATH, "Allowed"),
        ("ssm:GetParametersByPath", PIPELINE_PATH, "ExplicitlyDenied"),
        ("ssm:GetParametersByPath",
         "arn:aws:ssm:eu-central-1:123456789012:parameter/spryker-demo-staging/database",
         "ImplicitlyDenied"),
    ]  # fmt: skip
