"""Authorize each AWS call of the rehearsal against the template's IAM policies.

The evaluation is @cloud-copilot/iam-simulate's, run by one long-lived Node process
(iam_simulate.mjs, JSON lines over stdin/stdout); this module only builds its requests and words
its answers. Anything the simulator cannot judge is denied (fail closed).
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
import tempfile
import threading
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..errors import RehearsalError

PACKAGE = "@cloud-copilot/iam-simulate"
BRIDGE = Path(__file__).with_name("iam_simulate.mjs")
# Long enough for the first call, which loads the action catalogue (tens of milliseconds).
ANSWER_TIMEOUT = 30.0
# The session name in messages; the rehearsal has no real STS session.
SESSION_NAME = "rehearsal"
SETUP_HINT = "run `make setup` in the project root"

# How AWS names each policy type in AccessDenied messages.
POLICY_KINDS = {
    "identity": "identity-based policy",
    "resource": "resource-based policy",
    "scp": "service control policy",
    "rcp": "resource control policy",
    "pb": "permissions boundary",
    "vpce": "VPC endpoint policy",
}

# The simulator's error codes (runSimulation's errors.message), worded for the user.
SIMULATOR_ERRORS = {
    "invalid.principal": "the principal {principal} is not an ARN",
    "invalid.service": "{action} names no known AWS service",
    "invalid.action": "{action} is not a known IAM action",
    "must.use.wildcard": "{action} has no resource-level permissions, so its resource must be *",
    "no.resource.types": "{resource} is not a well-formed ARN of a resource {action} acts on",
    "multiple.resource.types": "{resource} matches several resource types of {action}",
    "wildcard.resource": "{resource} contains a wildcard, but {action} acts on named resources",
}


@dataclass(frozen=True)
class IamRequest:
    """One AWS call: who, what, on which resource, under which policies and request context."""

    principal: str
    action: str
    resource: str
    identity_policies: Sequence[Mapping[str, Any]]
    resource_policy: Mapping[str, Any] | None = None
    context: Mapping[str, str | Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """The verdict on one request. `policy_type` is the kind of policy that decided a denial
    ("identity" or "resource"), which AWS names in its AccessDenied message."""

    allowed: bool
    result: str
    explanation: str
    policy_type: str = "identity"


def account_of(arn: str) -> str:
    """The account field of an ARN, or "" (S3 buckets, "*", malformed input)."""
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 and parts[0] == "arn" else ""


def simulation_of(request: IamRequest) -> dict[str, Any]:
    """The request as runSimulation's `Simulation` input."""
    # Same account: resources whose ARN carries no account (S3, "*") are the principal's.
    account = account_of(request.resource) or account_of(request.principal)
    context = {
        key: value if isinstance(value, str) else list(value)
        for key, value in request.context.items()
    }
    simulation: dict[str, Any] = {
        "request": {
            "principal": request.principal,
            "action": request.action,
            "resource": {"resource": request.resource, "accountId": account},
            "contextVariables": context,
        },
        "identityPolicies": [
            {"name": f"identity policy #{number}", "policy": dict(policy)}
            for number, policy in enumerate(request.identity_policies, start=1)
        ],
        "serviceControlPolicies": [],
        "resourceControlPolicies": [],
    }
    if request.resource_policy is not None:
        simulation["resourcePolicy"] = dict(request.resource_policy)
    return simulation


def _failed(reason: str) -> Decision:
    return Decision(False, "Error", " ".join(reason.split()))


def _statement(reason: Mapping[str, Any]) -> str:
    sid = reason.get("statementId")
    label = f'statement "{sid}"' if sid else f"statement {reason.get('statementIndex')}"
    if reason.get("policyType") == "resource":
        return f"{label} of the resource policy"
    where = reason.get("policyIdentifier") or POLICY_KINDS.get(str(reason.get("policyType")), "")
    return f"{label} of {where}"


def _error_text(request: IamRequest, errors: Mapping[str, Any]) -> str:
    code = str(errors.get("message", ""))
    if code in SIMULATOR_ERRORS:
        return SIMULATOR_ERRORS[code].format(
            principal=request.principal, action=request.action, resource=request.resource
        )
    if code == "policy.errors":
        groups = dict(errors.get("identityPolicyErrors", {}))
        if "resourcePolicyErrors" in errors:
            groups["the resource policy"] = errors["resourcePolicyErrors"]
        problems = [
            f"{name} {e['path']}: {e['message']}" for name, found in groups.items() for e in found
        ]
        return "invalid policy: " + "; ".join(problems)
    # An exception inside the simulator: its first line, not the stack.
    detail = str(errors.get("detail") or code).strip().splitlines()
    return f"the IAM simulator failed: {detail[0] if detail else 'no reason given'}"


def decision_of(request: IamRequest, answer: Mapping[str, Any]) -> Decision:
    """Word the bridge's answer for one request."""
    if "error" in answer:
        return _failed(_error_text(request, answer["error"]))
    result = str(answer["result"])
    denials: list[Mapping[str, Any]] = answer.get("denials", [])
    grants: list[Mapping[str, Any]] = answer.get("grants", [])
    if result == "Allowed":
        text = f"allowed by {_statement(grants[0])}" if grants else "allowed"
        policy_type = "identity"
    elif result == "ExplicitlyDenied":
        explicit = [d for d in denials if d.get("denialType") == "Explicit"]
        decisive = explicit[0] if explicit else {"policyType": "identity"}
        text = f"explicitly denied by {_statement(decisive)}" if explicit else "explicitly denied"
        policy_type = str(decisive.get("policyType"))
    else:
        policy_type = str(denials[0].get("policyType")) if denials else "identity"
        if policy_type == "identity" and not request.identity_policies:
            text = f"the role has no identity policy, so nothing allows {request.action}"
        else:
            kind = "resource policy" if policy_type == "resource" else "identity policies"
            text = f"no statement of the {kind} allows {request.action} on {request.resource}"
    ignored = answer.get("ignoredContextKeys") or []
    if ignored:
        text += f" (context keys ignored, they do not apply to {request.action}: "
        text += ", ".join(ignored) + ")"
    return Decision(result == "Allowed", result, text, policy_type)


def assumed_role_arn(principal: str) -> str:
    """The caller as AWS shows it: a role acts through an STS session of the same name."""
    parts = principal.split(":", 5)
    if len(parts) == 6 and parts[2] == "iam" and parts[5].startswith("role/"):
        name = parts[5].rsplit("/", 1)[-1]  # the role path is not part of the session ARN
        return f"arn:{parts[1]}:sts::{parts[4]}:assumed-role/{name}/{SESSION_NAME}"
    return principal


def access_denied_message(request: IamRequest, decision: Decision) -> str:
    """AWS's AccessDenied wording for a denied request (an Error is denied as implicitly)."""
    if decision.allowed:
        raise ValueError(f"{request.action} on {request.resource} was allowed, not denied")
    kind = POLICY_KINDS.get(decision.policy_type, POLICY_KINDS["identity"])
    head = (
        f"User: {assumed_role_arn(request.principal)} is not authorized to perform: "
        f"{request.action} on resource: {request.resource}"
    )
    if decision.result == "ExplicitlyDenied":
        article = "an" if kind[0] in "aeiou" else "a"
        return f"{head} with an explicit deny in {article} {kind}"
    return f"{head} because no {kind} allows the {request.action} action"


def default_node_modules() -> Path:
    """The nearest node_modules holding the simulator at or above this package, else ./."""
    here = Path(__file__).resolve().parent
    for directory in (here, *here.parents):
        if (directory / "node_modules" / PACKAGE / "package.json").is_file():
            return directory / "node_modules"
    return Path.cwd() / "node_modules"


def node_executable(node_modules: Path) -> str | None:
    """The Node.js installed beside the simulator (package.json pins one: node_modules/.bin/node),
    else the one on PATH, else None."""
    pinned = node_modules / ".bin" / "node"
    if pinned.is_file() and os.access(pinned, os.X_OK):
        return str(pinned)
    return shutil.which("node")


def _stop(process: subprocess.Popen[bytes], stderr: IO[bytes]) -> None:
    # Also the finalizer: it must not refer to the Authorizer, or it would keep it alive.
    if process.poll() is None:
        process.kill()
    process.wait()
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            stream.close()
    stderr.close()


class Authorizer:
    """Judges IamRequests with one Node process, started on first use and reused."""

    def __init__(self, node_modules: Path | None = None) -> None:
        self.node_modules = (node_modules or default_node_modules()).resolve()
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None
        self._lock = threading.Lock()  # moto serves requests from several threads
        self._next_id = 0

    def __enter__(self) -> Authorizer:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        """The Node process's id while it runs."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def authorize(self, request: IamRequest) -> Decision:
        simulation = simulation_of(request)
        with self._lock:
            process = self._running()
            self._next_id += 1
            line = json.dumps({"id": self._next_id, "simulation": simulation})
            try:
                answer = self._exchange(process, line)
            except (OSError, ValueError, TimeoutError) as error:
                reason = f"{error}; {self._stderr_tail()}".rstrip("; ")
                self._close_locked()  # the next call starts a fresh bridge
                return _failed(f"the IAM simulator failed: {reason}")
            if answer.get("id") != self._next_id:
                self._close_locked()  # out of step: no later answer could be trusted
                return _failed(f"the IAM simulator answered request {answer.get('id')}")
        return decision_of(request, answer)

    def close(self) -> None:
        with self._lock:
            self._close_locked()

    def _close_locked(self) -> None:
        if self._finalizer is not None:
            self._finalizer()  # runs _stop once; also registered for interpreter exit
        self._process = self._stderr = self._finalizer = None

    def _running(self) -> subprocess.Popen[bytes]:
        if self._process is not None and self._process.poll() is None:
            return self._process
        self._close_locked()
        node = node_executable(self.node_modules)
        if node is None:
            raise RehearsalError(
                f"Node.js is neither in {self.node_modules / '.bin'} nor on PATH; the rehearsal's"
                f" IAM authorizer needs it: {SETUP_HINT}"
            )
        if not (self.node_modules / PACKAGE / "package.json").is_file():
            raise RehearsalError(f"{PACKAGE} is not installed in {self.node_modules}: {SETUP_HINT}")
        # Read only on failure (a pipe nobody reads could fill and block); _stop closes it.
        stderr = tempfile.TemporaryFile()  # noqa: SIM115
        process = subprocess.Popen(
            [node, str(BRIDGE), str(self.node_modules)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env={**os.environ, "NODE_NO_WARNINGS": "1"},
        )
        self._process, self._stderr = process, stderr
        self._finalizer = weakref.finalize(self, _stop, process, stderr)
        try:
            ready = self._read(process)
        except (OSError, ValueError, TimeoutError) as error:
            ready = {"fatal": f"{error}; {self._stderr_tail()}"}
        if not ready.get("ready"):
            self._close_locked()
            reason = ready.get("fatal")
            raise RehearsalError(f"the IAM simulator did not start ({reason}): {SETUP_HINT}")
        return process

    def _exchange(self, process: subprocess.Popen[bytes], line: str) -> dict[str, Any]:
        assert process.stdin is not None
        process.stdin.write(line.encode() + b"\n")
        process.stdin.flush()
        return self._read(process)

    def _read(self, process: subprocess.Popen[bytes]) -> dict[str, Any]:
        assert process.stdout is not None
        # The bridge writes each answer as one whole line, so nothing waits in Python's buffer
        # when select says the pipe is empty.
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            if not selector.select(ANSWER_TIMEOUT):
                raise TimeoutError(f"no answer within {ANSWER_TIMEOUT:.0f} s")
        raw = process.stdout.readline()
        if not raw:
            raise OSError(f"the bridge exited with code {process.wait()}")
        answer: dict[str, Any] = json.loads(raw)
        return answer

    def _stderr_tail(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        lines = self._stderr.read().decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else ""
