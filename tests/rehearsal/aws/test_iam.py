"""The IAM authorizer: @cloud-copilot/iam-simulate's verdicts, worded for the rehearsal."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sccos_pipeline.rehearsal.aws import iam
from sccos_pipeline.rehearsal.aws.iam import (
    Authorizer,
    Decision,
    IamRequest,
    access_denied_message,
)
from sccos_pipeline.rehearsal.errors import RehearsalError

ROOT = Path(__file__).resolve().parents[3]
ROLE = "arn:aws:iam::123456789012:role/deploy"
REPO = "arn:aws:ecr:eu-central-1:123456789012:repository/app"
SERVICE_A = "arn:aws:ecs:eu-central-1:123456789012:service/demo/a"
SERVICE_B = "arn:aws:ecs:eu-central-1:123456789012:service/demo/b"
TASK_ROLE = "arn:aws:iam::123456789012:role/task"


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


ALLOW_ALL = policy({"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"})
PULL = policy({"Sid": "Pull", "Effect": "Allow", "Action": "ecr:BatchGetImage", "Resource": REPO})
ONLY_SERVICE_A = policy(
    {"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"},
    {"Sid": "OnlyA", "Effect": "Deny", "Action": "ecs:UpdateService", "NotResource": [SERVICE_A]},
)
PASS_TO_ECS = policy(
    {
        "Sid": "PassToEcs",
        "Effect": "Allow",
        "Action": "iam:PassRole",
        "Resource": TASK_ROLE,
        "Condition": {"StringEqualsIfExists": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
    }
)
TLS_ONLY = policy(
    {
        "Sid": "TLS",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::artifacts", "arn:aws:s3:::artifacts/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
)


@pytest.fixture(scope="module")
def authorizer() -> Iterator[Authorizer]:
    with Authorizer() as shared:
        yield shared


def test_allow_by_exact_arn(authorizer: Authorizer) -> None:
    decision = authorizer.authorize(IamRequest(ROLE, "ecr:BatchGetImage", REPO, [PULL]))
    assert decision == Decision(
        True, "Allowed", 'allowed by statement "Pull" of identity policy #1'
    )


def test_wildcard_resource(authorizer: Authorizer) -> None:
    repos = policy(
        {
            "Effect": "Allow",
            "Action": "ecr:BatchGetImage",
            "Resource": "arn:aws:ecr:eu-central-1:123456789012:repository/*",
        }
    )
    decision = authorizer.authorize(IamRequest(ROLE, "ecr:BatchGetImage", REPO, [repos]))
    assert decision == Decision(True, "Allowed", "allowed by statement 1 of identity policy #1")


def test_action_without_resource_level_permissions_takes_star(authorizer: Authorizer) -> None:
    decision = authorizer.authorize(IamRequest(ROLE, "ecr:GetAuthorizationToken", "*", [ALLOW_ALL]))
    assert decision == Decision(True, "Allowed", 'allowed by statement "All" of identity policy #1')


def test_implicit_deny(authorizer: Authorizer) -> None:
    other = "arn:aws:ecr:eu-central-1:123456789012:repository/other"
    decision = authorizer.authorize(IamRequest(ROLE, "ecr:BatchGetImage", other, [PULL]))
    assert decision == Decision(
        False,
        "ImplicitlyDenied",
        "no statement of the identity policies allows ecr:BatchGetImage on arn:aws:ecr:eu-central-1:123456789012:repository/other",
    )


def test_role_without_policies_is_denied(authorizer: Authorizer) -> None:
    decision = authorizer.authorize(IamRequest(ROLE, "ecr:BatchGetImage", REPO, []))
    assert decision == Decision(
        False,
        "ImplicitlyDenied",
        "the role has no identity policy, so nothing allows ecr:BatchGetImage",
    )


def test_explicit_deny_beats_allow(authorizer: Authorizer) -> None:
    deny = policy({"Sid": "NoPull", "Effect": "Deny", "Action": "ecr:*", "Resource": "*"})
    decision = authorizer.authorize(IamRequest(ROLE, "ecr:BatchGetImage", REPO, [PULL, deny]))
    assert decision == Decision(
        False, "ExplicitlyDenied", 'explicitly denied by statement "NoPull" of identity policy #2'
    )


def test_deny_with_not_resource_spares_only_the_named_service(authorizer: Authorizer) -> None:
    other = authorizer.authorize(IamRequest(ROLE, "ecs:UpdateService", SERVICE_B, [ONLY_SERVICE_A]))
    named = authorizer.authorize(IamRequest(ROLE, "ecs:UpdateService", SERVICE_A, [ONLY_SERVICE_A]))
    assert other == Decision(
        False, "ExplicitlyDenied", 'explicitly denied by statement "OnlyA" of identity policy #1'
    )
    assert named == Decision(True, "Allowed", 'allowed by statement "All" of identity policy #1')


def test_short_service_arn_in_not_resource_does_not_match_the_long_form(
    authorizer: Authorizer,
) -> None:
    short = policy(
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {
            "Effect": "Deny",
            "Action": "ecs:UpdateService",
            "NotResource": ["arn:aws:ecs:eu-central-1:123456789012:service/a"],
        },
    )
    decision = authorizer.authorize(IamRequest(ROLE, "ecs:UpdateService", SERVICE_A, [short]))
    assert decision == Decision(
        False, "ExplicitlyDenied", "explicitly denied by statement 2 of identity policy #1"
    )


def test_not_action(authorizer: Authorizer) -> None:
    no_iam = policy({"Sid": "NotIam", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    ecr = authorizer.authorize(IamRequest(ROLE, "ecr:BatchGetImage", REPO, [no_iam]))
    passing = authorizer.authorize(IamRequest(ROLE, "iam:PassRole", TASK_ROLE, [no_iam]))
    assert ecr == Decision(True, "Allowed", 'allowed by statement "NotIam" of identity policy #1')
    assert passing == Decision(
        False,
        "ImplicitlyDenied",
        "no statement of the identity policies allows iam:PassRole on arn:aws:iam::123456789012:role/task",
    )


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        (
            {"iam:PassedToService": "ecs-tasks.amazonaws.com"},
            Decision(True, "Allowed", 'allowed by statement "PassToEcs" of identity policy #1'),
        ),
        (
            {"iam:PassedToService": "ec2.amazonaws.com"},
            Decision(
                False,
                "ImplicitlyDenied",
                "no statement of the identity policies allows iam:PassRole on arn:aws:iam::123456789012:role/task",
            ),
        ),
        # IfExists: a request without the key passes the condition.
        ({}, Decision(True, "Allowed", 'allowed by statement "PassToEcs" of identity policy #1')),
    ],
)
def test_pass_role_condition(
    authorizer: Authorizer, context: dict[str, str], expected: Decision
) -> None:
    request = IamRequest(ROLE, "iam:PassRole", TASK_ROLE, [PASS_TO_ECS], context=context)
    assert authorizer.authorize(request) == expected


def test_context_keys_the_action_ignores_are_named(authorizer: Authorizer) -> None:
    context = {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
    request = IamRequest(ROLE, "ecr:BatchGetImage", REPO, [PULL], context=context)
    assert authorizer.authorize(request) == Decision(
        True,
        "Allowed",
        'allowed by statement "Pull" of identity policy #1 (context keys ignored, they do not apply to ecr:BatchGetImage: iam:PassedToService)',
    )


@pytest.mark.parametrize(
    ("secure", "expected"),
    [
        (
            "false",
            Decision(
                False,
                "ExplicitlyDenied",
                'explicitly denied by statement "TLS" of the resource policy',
                "resource",
            ),
        ),
        ("true", Decision(True, "Allowed", 'allowed by statement "All" of identity policy #1')),
    ],
)
def test_bucket_policy_denies_plain_http(
    authorizer: Authorizer, secure: str, expected: Decision
) -> None:
    request = IamRequest(
        ROLE,
        "s3:GetObject",
        "arn:aws:s3:::artifacts/build.zip",
        [ALLOW_ALL],
        resource_policy=TLS_ONLY,
        context={"aws:SecureTransport": secure},
    )
    assert authorizer.authorize(request) == expected


@pytest.mark.parametrize(
    ("action", "resource", "policies", "explanation"),
    [
        (
            "ecr:BatchGetImage",
            "not-an-arn",
            [ALLOW_ALL],
            "not-an-arn is not a well-formed ARN of a resource ecr:BatchGetImage acts on",
        ),
        (
            "ecr:BatchGetImage",
            "arn:aws:ecr:eu-central-1:123456789012",
            [ALLOW_ALL],
            "arn:aws:ecr:eu-central-1:123456789012 is not a well-formed ARN of a resource ecr:BatchGetImage acts on",
        ),
        (
            "ecr:BatchGetImage",
            "arn:aws:s3:::artifacts",
            [ALLOW_ALL],
            "arn:aws:s3:::artifacts is not a well-formed ARN of a resource ecr:BatchGetImage acts on",
        ),
        ("ecr:PullEverything", "*", [ALLOW_ALL], "ecr:PullEverything is not a known IAM action"),
        ("nosuch:GetThing", "*", [ALLOW_ALL], "nosuch:GetThing names no known AWS service"),
        (
            "ecr:GetAuthorizationToken",
            REPO,
            [ALLOW_ALL],
            "ecr:GetAuthorizationToken has no resource-level permissions, so its resource must be *",
        ),
        (
            "ecr:BatchGetImage",
            "*",
            [ALLOW_ALL],
            "* contains a wildcard, but ecr:BatchGetImage acts on named resources",
        ),
        (
            "ecr:BatchGetImage",
            REPO,
            [policy({"Effect": "Permit", "Action": "ecr:*", "Resource": "*"})],
            'invalid policy: identity policy #1 Statement[0].Effect: Effect must be present and exactly "Allow" or "Deny"',
        ),
    ],
)
def test_what_the_simulator_rejects_fails_closed(
    authorizer: Authorizer,
    action: str,
    resource: str,
    policies: list[dict[str, Any]],
    explanation: str,
) -> None:
    decision = authorizer.authorize(IamRequest(ROLE, action, resource, policies))
    assert decision == Decision(False, "Error", explanation)


def test_access_denied_messages_use_aws_wording() -> None:
    request = IamRequest(ROLE, "ecr:BatchGetImage", REPO, [])
    implicit = access_denied_message(request, Decision(False, "ImplicitlyDenied", ""))
    explicit = access_denied_message(request, Decision(False, "ExplicitlyDenied", ""))
    by_bucket = access_denied_message(
        IamRequest(ROLE, "s3:GetObject", "arn:aws:s3:::artifacts/build.zip", []),
        Decision(False, "ExplicitlyDenied", "", "resource"),
    )
    assert implicit == (
        "User: arn:aws:sts::123456789012:assumed-role/deploy/rehearsal is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:eu-central-1:123456789012:repository/app because no identity-based policy allows the ecr:BatchGetImage action"
    )
    assert explicit == (
        "User: arn:aws:sts::123456789012:assumed-role/deploy/rehearsal is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:eu-central-1:123456789012:repository/app with an explicit deny in an identity-based policy"
    )
    assert by_bucket == (
        "User: arn:aws:sts::123456789012:assumed-role/deploy/rehearsal is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::artifacts/build.zip with an explicit deny in a resource-based policy"
    )


def test_access_denied_message_drops_the_role_path() -> None:
    request = IamRequest(
        "arn:aws:iam::123456789012:role/cdk/deploy", "ecr:GetAuthorizationToken", "*", []
    )
    assert access_denied_message(request, Decision(False, "Error", "")) == (
        "User: arn:aws:sts::123456789012:assumed-role/deploy/rehearsal is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action"
    )


def test_access_denied_message_refuses_an_allowed_request() -> None:
    with pytest.raises(ValueError, match="was allowed"):
        access_denied_message(
            IamRequest(ROLE, "ecr:BatchGetImage", REPO, []), Decision(True, "Allowed", "")
        )


def test_one_process_serves_every_call(authorizer: Authorizer) -> None:
    authorizer.authorize(IamRequest(ROLE, "ecr:BatchGetImage", REPO, [PULL]))
    pid = authorizer.pid
    for _ in range(20):
        authorizer.authorize(IamRequest(ROLE, "ecr:BatchGetImage", REPO, [PULL]))
    assert pid is not None
    assert authorizer.pid == pid


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_close_kills_the_bridge() -> None:
    authorizer = Authorizer()
    assert authorizer.pid is None  # started lazily
    authorizer.authorize(IamRequest(ROLE, "ecr:BatchGetImage", REPO, [PULL]))
    pid = authorizer.pid
    assert pid is not None
    authorizer.close()
    assert gone(pid)
    assert authorizer.pid is None


def test_interpreter_exit_kills_the_bridge() -> None:
    script = (
        "from sccos_pipeline.rehearsal.aws.iam import Authorizer, IamRequest\n"
        "a = Authorizer()\n"
        f"a.authorize(IamRequest({ROLE!r}, 'ecr:GetAuthorizationToken', '*', []))\n"
        "print(a.pid)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert gone(int(done.stdout))


def test_a_bridge_crash_fails_closed_and_the_next_call_restarts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    crashing = tmp_path / "crashing.mjs"
    crashing.write_text(
        "console.log(JSON.stringify({ ready: true }))\n"
        "process.stdin.once('data', () => { console.error('boom'); process.exit(1) })\n"
    )
    real = iam.BRIDGE
    monkeypatch.setattr(iam, "BRIDGE", crashing)
    with Authorizer() as authorizer:
        crashed = authorizer.authorize(IamRequest(ROLE, "ecr:BatchGetImage", REPO, [PULL]))
        monkeypatch.setattr(iam, "BRIDGE", real)
        again = authorizer.authorize(IamRequest(ROLE, "ecr:BatchGetImage", REPO, [PULL]))
    assert crashed == Decision(
        False, "Error", "the IAM simulator failed: the bridge exited with code 1; boom"
    )
    assert again == Decision(True, "Allowed", 'allowed by statement "Pull" of identity policy #1')


def test_a_silent_bridge_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(iam, "ANSWER_TIMEOUT", 1.0)
    with Authorizer() as authorizer:
        authorizer.authorize(IamRequest(ROLE, "ecr:BatchGetImage", REPO, [PULL]))
        pid = authorizer.pid
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)
        decision = authorizer.authorize(IamRequest(ROLE, "ecr:BatchGetImage", REPO, [PULL]))
    assert decision == Decision(False, "Error", "the IAM simulator failed: no answer within 1 s")
    assert gone(pid)


def test_missing_node_asks_for_setup(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with (
        Authorizer(tmp_path) as authorizer,
        pytest.raises(RehearsalError, match=r"Node\.js is neither in .* nor on PATH.*make setup"),
    ):
        authorizer.authorize(IamRequest(ROLE, "ecr:BatchGetImage", REPO, [PULL]))


def test_the_bridge_runs_on_the_pinned_node_beside_the_simulator(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pinned = iam.default_node_modules() / ".bin" / "node"
    assert pinned.exists(), "package.json pins Node.js: run `make setup`"
    monkeypatch.setenv("PATH", str(tmp_path))  # not found on PATH: it comes from node_modules
    with Authorizer() as authorizer:
        authorizer.authorize(IamRequest(ROLE, "ecr:BatchGetImage", REPO, [PULL]))
        assert authorizer.pid is not None
        assert Path(f"/proc/{authorizer.pid}/exe").resolve() == pinned.resolve()


def test_node_beside_the_simulator_wins_over_path(tmp_path: Path) -> None:
    assert iam.node_executable(tmp_path) == shutil.which("node")
    (tmp_path / ".bin").mkdir()
    node = tmp_path / ".bin" / "node"
    node.write_text("#!/bin/sh\n")
    assert iam.node_executable(tmp_path) == shutil.which("node")  # not executable
    node.chmod(0o755)
    assert iam.node_executable(tmp_path) == str(node)


def test_missing_package_asks_for_setup(tmp_path: Path) -> None:
    with Authorizer(tmp_path) as authorizer, pytest.raises(RehearsalError) as raised:
        authorizer.authorize(IamRequest(ROLE, "ecr:BatchGetImage", REPO, [PULL]))
    assert str(raised.value) == (
        f"@cloud-copilot/iam-simulate is not installed in {tmp_path.resolve()}: run `make setup` in the project root"
    )
