"""No environment reaches another: two environments of different projects in one account, and
every role of each simulated against the other's resources with the rehearsal's own evaluator
(@cloud-copilot/iam-simulate through rehearsal.iam)."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sccos_pipeline.rehearsal.aws.iam import Authorizer, IamRequest
from sccos_pipeline.rehearsal.cloudformation.template import StackTemplate, load_stack
from tests.conftest import EXAMPLE
from tests.rehearsal.conftest import example_context, synthesize

ACCOUNT, REGION = "123456789012", "eu-central-1"
STAGING, PRODUCTION = "spryker-demo-staging", "demo-shop-production"
# Every request carries the context that would satisfy our conditions, so that a condition never
# hides an allow; keys an action does not know are ignored.
CONTEXT = {
    "iam:PassedToService": "ecs-tasks.amazonaws.com",
    "ecs:CreateAction": "RegisterTaskDefinition",
    "aws:SecureTransport": "true",
}

MISMATCHED = re.compile(r"is not a well-formed ARN of a resource \S+ acts on$")


def referenced(project: str, settings: dict[str, Any]) -> list[tuple[str, str]]:
    """(action, ARN) on what an environment only references, as the rehearsal's world names it
    (rehearsal.world.create_existing): services, their task families (the service's name) and
    their task and execution roles (`<service>-task`, `<service>-execution`), its variables."""
    head, _, tail = project.rpartition("-")
    tree = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/{head}/{tail}"
    requests = [
        ("ssm:GetParametersByPath", tree),
        ("ssm:GetParameters", f"{tree}/SPRYKER_ANYTHING"),
        ("ssm:GetParameter", f"{tree}/SPRYKER_ANYTHING"),
    ]
    cluster = settings["clusterName"]
    for service in (s["name"] for s in settings["services"].values()):
        arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{cluster}/{service}"
        family = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{service}:7"
        requests += [
            ("ecs:DescribeServices", arn),
            ("ecs:UpdateService", arn),
            ("ecs:RegisterTaskDefinition", family),
            ("ecs:TagResource", family),
            ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/{service}-task"),
            ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/{service}-execution"),
        ]
    return requests


def owned(stack: StackTemplate) -> list[tuple[str, str]]:
    """(action, ARN) for every action the stack's own roles are allowed on a named resource
    (no wildcard): what the environment may do to itself, and no other may."""
    found: dict[tuple[str, str], None] = {}
    for role in stack.resources("AWS::IAM::Role"):
        for document in stack.role_policies(role):
            for statement in as_list(document.get("Statement")):
                if statement.get("Effect") != "Allow" or "Action" not in statement:
                    continue
                for action in as_list(statement["Action"]):
                    for arn in as_list(statement.get("Resource")):
                        if "*" not in action and "*" not in arn and "?" not in arn:
                            found[(action, arn)] = None
    return list(found)


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def two_environments() -> dict[str, Any]:
    """cdk.json's staging environment and a production one of another project, same account
    and region, each with its own cluster, connection, broker secrets and variables."""
    context = example_context()
    key = "sccos-pipeline:environments"
    staging = context[key][STAGING]
    staging["deployFile"] = str(EXAMPLE / Path(staging["deployFile"]).name)
    production = copy.deepcopy(staging)
    production.update(
        project=PRODUCTION,
        production=True,
        pipelines=[p for p in staging["pipelines"] if p != "destructive"],
        clusterName=PRODUCTION,
        services={
            k: {"name": f"{PRODUCTION}-{v['container']}", "container": v["container"]}
            for k, v in staging["services"].items()
        },
        secrets={"SPRYKER_DB_PASSWORD": {"parameter": f"/{PRODUCTION}/database/password"}},
    )
    production["source"]["connectionArn"] = (
        f"arn:aws:codeconnections:{REGION}:{ACCOUNT}:connection/11111111-1111-1111-1111-111111111111"
    )
    production["broker"] = {
        "apiUrl": "https://b-11111111-1111-1111-1111-111111111111.mq.eu-central-1.amazonaws.com",
        "adminSecretArn": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{PRODUCTION}/broker-admin-MnOpQr",
        "applicationSecretArn": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{PRODUCTION}/broker-app-StUvWx",
    }
    context[key] = {STAGING: staging, PRODUCTION: production}
    return context


SETTINGS = two_environments()["sccos-pipeline:environments"]


@pytest.fixture(scope="module")
def stacks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, StackTemplate]:
    out = synthesize(tmp_path_factory.mktemp("two-environments.out"), two_environments())
    return {name: load_stack(out, f"sccos-{name}") for name in (STAGING, PRODUCTION)}


@pytest.fixture(scope="module")
def authorizer() -> Iterator[Authorizer]:
    with Authorizer() as shared:
        yield shared


def test_the_probe_names_the_other_environments_own_resources(
    stacks: dict[str, StackTemplate],
) -> None:
    """The probe is only as good as its targets: production's own resources are in it."""
    targets = dict.fromkeys(owned(stacks[PRODUCTION]))
    prefix = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{PRODUCTION}-"
    assert (
        "ssm:PutParameter",
        f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/{PRODUCTION}/last_deployed_version",
    ) in targets
    assert ("ecr:PutImage", f"{prefix}boffice_eu") in targets
    assert (
        "codepipeline:GetPipelineExecution",
        f"arn:aws:codepipeline:{REGION}:{ACCOUNT}:ECS-updater-{PRODUCTION}",
    ) in targets


@pytest.mark.parametrize(("caller", "other"), [(STAGING, PRODUCTION), (PRODUCTION, STAGING)])
def test_no_role_of_one_environment_reaches_the_other(
    stacks: dict[str, StackTemplate], authorizer: Authorizer, caller: str, other: str
) -> None:
    stack = stacks[caller]
    targets = list(dict.fromkeys(owned(stacks[other]) + referenced(other, SETTINGS[other])))
    reached = []
    roles = stack.resources("AWS::IAM::Role")
    assert len(roles) >= 20  # pipelines, actions, projects: every role of the environment
    for role in roles:
        principal = stack.get_att(role, "Arn")
        policies = stack.role_policies(role)
        for action, resource in targets:
            decision = authorizer.authorize(
                IamRequest(principal, action, resource, policies, context=CONTEXT)
            )
            if decision.result == "Error" and MISMATCHED.search(decision.explanation):
                continue  # a statement's other resource type (a bucket for object actions)
            assert decision.result != "Error", (role, action, resource, decision.explanation)
            if decision.allowed:
                reached.append(f"{role} {action} {re.sub(r'^arn:aws:', '', resource)}")
    assert not reached, "\n".join(reached)
