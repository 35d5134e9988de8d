"""Who may do what in a rehearsal: each access key is a role within a step, and every IAM
question a step's call asks is answered by the authorizer and recorded, in order."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any

from ..cloudformation.template import StackTemplate
from .calls import Access
from .iam import Authorizer, Decision, IamRequest, access_denied_message

# The real CLI talks TLS; resource policies (bucket, topic) deny requests without it.
BASE_CONTEXT = {"aws:SecureTransport": "true"}


@dataclass(frozen=True)
class Call:
    """One IAM question a step's call asked, and the answer."""

    step: str
    principal: str
    operation: str  # e.g. "ecr BatchGetImage", or what the rehearsal did for the service
    action: str
    resource: str
    decision: str  # Allowed, ImplicitlyDenied, ExplicitlyDenied, Error, Unmapped
    explanation: str = ""

    def to_json(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class Caller:
    role_arn: str
    step: str


class Gate:
    """Who may do what: access keys to roles, and every decision recorded in order."""

    def __init__(self, template: StackTemplate, authorizer: Authorizer) -> None:
        self.template = template
        self.authorizer = authorizer
        self.calls: list[Call] = []
        self._callers: dict[str, Caller] = {}
        self._policies: dict[str, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def credentials(self, role_arn: str, step: str) -> dict[str, str]:
        """Environment variables that make the AWS CLI call as `role_arn` within `step`."""
        with self._lock:
            key = f"ASIAREHEARSAL{len(self._callers):07d}"
            self._callers[key] = Caller(role_arn, step)
        return {"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": "rehearsal"}

    def caller(self, access_key: str) -> Caller | None:
        return self._callers.get(access_key)

    def policies(self, role_arn: str) -> list[dict[str, Any]]:
        if role_arn not in self._policies:
            logical = self.template.role_by_arn(role_arn)
            self._policies[role_arn] = self.template.role_policies(logical) if logical else []
        return self._policies[role_arn]

    def record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def authorize(self, step: str, role_arn: str, operation: str, access: Access) -> Decision:
        request = IamRequest(
            principal=role_arn,
            action=access.action,
            resource=access.resource,
            identity_policies=self.policies(role_arn),
            resource_policy=self.template.resource_policy(access.resource),
            context={**BASE_CONTEXT, **access.context},
        )
        decision = self.authorizer.authorize(request)
        explanation = decision.explanation
        if not decision.allowed:
            explanation = access_denied_message(request, decision)
        self.record(
            Call(step, role_arn, operation, access.action, access.resource, decision.result,
                 explanation)
        )  # fmt: skip
        return Decision(decision.allowed, decision.result, explanation)

    def require(self, step: str, role_arn: str, operation: str, access: Access) -> None:
        """Authorize a call the rehearsal makes for a service (CodeBuild, CodePipeline)."""
        decision = self.authorize(step, role_arn, operation, access)
        if not decision.allowed:
            raise AccessDeniedError(decision.explanation)

    def require_any(self, step: str, role_arn: str, operation: str, options: list[Access]) -> None:
        """Authorize a call IAM knows under several names (renamed services): one must pass."""
        explanation = ""
        for access in options:
            decision = self.authorize(step, role_arn, operation, access)
            if decision.allowed:
                return
            explanation = explanation or decision.explanation
        raise AccessDeniedError(explanation)


class AccessDeniedError(Exception):
    """A step's call was denied; the message is AWS's."""
