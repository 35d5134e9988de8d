"""cdk-nag acknowledgements for the wildcards aws-cdk-lib's own grants write, each with its reason.

cdk-nag v3 asks for every finding to be acknowledged one by one (`AwsSolutions-IAM5[...]`), per
policy. We acknowledge late, when the app is validated, from each policy as it then stands:
every Allow statement is checked against the shapes reviewed below, and a finding is
acknowledged only when every statement yielding it is reviewed in full. A wildcard added after
construction, even one whose finding id a reviewed statement shares, stays a finding, and
cdk-nag fails. No cdk_nag import: acknowledgements are aws-cdk-lib's Validations metadata.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jsii
from aws_cdk import Acknowledgment, Stack, Validations
from aws_cdk import aws_iam as iam
from constructs import IConstruct, IValidation

from ._privilege import ECS_TASKS_ONLY

# Matched by action name; acknowledged only where the statement names nothing but `own`.
_S3_ACTION = re.compile(r"s3:(GetObject|GetBucket|List|DeleteObject|Abort)\*")
_KMS_ACTION = re.compile(r"kms:(GenerateDataKey|ReEncrypt|Decrypt|Encrypt)\*")

_SEG = r"(?:<[^>]+>|[^:<]+)"  # one ARN segment: text, or a token such as <AWS::Partition>
_CODEBUILD_LOGS = re.compile(rf"arn:{_SEG}:logs:{_SEG}:{_SEG}:log-group:/aws/codebuild/<[^>]+>:\*")
_NETWORK_INTERFACES = re.compile(rf"arn:{_SEG}:ec2:{_SEG}:{_SEG}:network-interface/\*")
_SECRET = re.compile(rf"arn:{_SEG}:secretsmanager:{_SEG}:{_SEG}:secret:[^*]+\*")
_NAMED_ROLES = re.compile(rf"arn:{_SEG}:iam::{_SEG}:role/[^*]+\*")  # a prefix, never role/*
_FAMILY = re.compile(rf"arn:{_SEG}:ecs:{_SEG}:{_SEG}:task-definition/[^*:]+:\*")
_READ_TREE = {"ssm:GetParametersByPath", "ssm:GetParameters"}

# Acknowledged on "*" as they are: IAM cannot scope them, or they only read.
_WITHOUT_RESOURCE_LEVEL: dict[str, str] = {
    "ecr:GetAuthorizationToken": "no resource-level permissions",
    "ec2:CreateNetworkInterface": "CodeBuild VPC access (documented policy)",
    "ec2:DeleteNetworkInterface": "CodeBuild VPC access (documented policy)",
    "ec2:DescribeDhcpOptions": "no resource-level permissions",
    "ec2:DescribeNetworkInterfaces": "no resource-level permissions",
    "ec2:DescribeSecurityGroups": "no resource-level permissions",
    "ec2:DescribeSubnets": "no resource-level permissions",
    "ec2:DescribeVpcs": "no resource-level permissions",
    "ecs:DescribeTaskDefinition": "no resource-level permissions",
    "ecs:DescribeTasks": "read-only, ECS deploy action",
    "ecs:ListTasks": "read-only, ECS deploy action",
}
# Acknowledged on "*" only when the policy holds the explicit Deny described here.
_LIMITED_BY_DENY: dict[str, str] = {
    "ecs:DescribeServices": "an explicit Deny refuses it on anything but the services it names",
    "ecs:RegisterTaskDefinition": "an explicit Deny refuses it on anything but the task "
    "definitions it names",
    "ecs:TagResource": "an explicit Deny refuses it on anything but the task definitions it names",
    "ecs:UpdateService": "an explicit Deny refuses it on anything but the services it names",
    "iam:PassRole": "ECS only: an explicit Deny refuses any iam:PassedToService but "
    "ecs-tasks.amazonaws.com",
}
_DENIED_OUTSIDE = {
    "ecs:DescribeServices": ":service/",
    "ecs:RegisterTaskDefinition": ":task-definition/",
    "ecs:TagResource": ":task-definition/",
    "ecs:UpdateService": ":service/",
}
# TagResource on a task family is acknowledged only with the condition that keeps it to the
# revision a registration creates.
_ON_CREATION = {"StringEquals": {"ecs:CreateAction": "RegisterTaskDefinition"}}


@dataclass(frozen=True)
class Own:
    """The environment's own resources, flattened as cdk-nag writes them."""

    buckets: frozenset[str]
    keys: frozenset[str]
    trees: frozenset[str] = frozenset()  # `<Spryker variable tree ARN>/*`


def flatten(value: Any) -> str:
    """A resolved CloudFormation value as cdk-nag writes it in finding ids."""
    if isinstance(value, str):
        return value.replace("${", "<").replace("}", ">")
    if isinstance(value, dict):
        if value.get("Fn::Join"):
            separator, parts = value["Fn::Join"]
            return str(separator).join(flatten(part) for part in parts)
        if value.get("Fn::Sub"):
            return flatten(value["Fn::Sub"])
        if value.get("Fn::GetAtt"):
            logical, attribute = value["Fn::GetAtt"]
            return f"<{flatten(logical)}.{flatten(attribute)}>"
        if value.get("Fn::ImportValue"):
            return flatten(value["Fn::ImportValue"])
        if value.get("Ref"):
            return f"<{flatten(value['Ref'])}>"
    return json.dumps(value, separators=(",", ":"))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _denied(statements: list[dict[str, Any]]) -> set[str]:
    """The actions of `_LIMITED_BY_DENY` whose explicit Deny the policy holds."""
    limited: set[str] = set()
    for statement in statements:
        if statement.get("Effect") != "Deny":
            continue
        actions = _as_list(statement.get("Action", []))
        if actions == ["iam:PassRole"] and statement.get("Condition") == ECS_TASKS_ONLY:
            limited.update(actions if statement.get("Resource") == "*" else [])
        elif "NotResource" in statement and "Condition" not in statement:
            kept = [flatten(r) for r in _as_list(statement["NotResource"])]
            for action, kind in _DENIED_OUTSIDE.items():
                if action in actions and all(kind in r for r in kept):
                    limited.add(action)
    return limited


def _review(statement: dict[str, Any], own: Own, denied: set[str]) -> dict[str, str | None]:
    """Each finding cdk-nag makes of one Allow statement, with its reason, or None if unreviewed."""
    actions = [str(a) for a in _as_list(statement.get("Action", []))]
    resources = [flatten(r) for r in _as_list(statement.get("Resource", []))]
    found: dict[str, str | None] = {}
    for action in (a for a in actions if "*" in a):
        found[f"AwsSolutions-IAM5[Action::{action}]"] = _action_reason(action, resources, own)
    condition = statement.get("Condition", {})
    for resource in (r for r in resources if "*" in r):
        found[f"AwsSolutions-IAM5[Resource::{resource}]"] = _resource_reason(
            resource, actions, condition, own, denied
        )
    return found


def _action_reason(action: str, resources: list[str], own: Own) -> str | None:
    """Why a wildcard action is acceptable, or None if it is not reviewed."""
    objects = {f"{b}/*" for b in own.buckets}
    reason = None
    if _S3_ACTION.fullmatch(action) and set(resources) <= own.buckets | objects:
        reason = (
            "aws-cdk-lib's grant; matched by action name, and its statement names only the "
            "artifact bucket and its objects"
        )
    elif _KMS_ACTION.fullmatch(action) and set(resources) <= own.keys:
        reason = (
            "aws-cdk-lib's grant; matched by action name, and its statement names only the "
            "environment's key"
        )
    return reason


def _resource_reason(
    resource: str, actions: list[str], condition: dict[str, Any], own: Own, denied: set[str]
) -> str | None:
    """Why a wildcard resource is acceptable for these actions, or None if it is not reviewed."""
    objects = {f"{b}/*" for b in own.buckets}
    reason = None
    if resource == "*":
        allowed = {**_WITHOUT_RESOURCE_LEVEL, **{a: _LIMITED_BY_DENY[a] for a in denied}}
        if set(actions) <= allowed.keys():
            reason = "; ".join(f"{a}: {allowed[a]}" for a in sorted(actions))
    elif resource in objects:
        reason = "objects of the environment's own artifact bucket"
    elif _CODEBUILD_LOGS.fullmatch(resource) and set(actions) <= {
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    }:
        reason = (
            "aws-cdk-lib's unconditional grant on /aws/codebuild/<this project>, a log group "
            "the project never uses (it logs to its own); confined to that name"
        )
    elif (
        _NETWORK_INTERFACES.fullmatch(resource)
        and actions == ["ec2:CreateNetworkInterfacePermission"]
        and "ec2:Subnet" in condition.get("StringEquals", {})
    ):
        reason = "CodeBuild makes a network interface per build, in the listed subnets only"
    elif _SECRET.fullmatch(resource) and actions == ["secretsmanager:GetSecretValue"]:
        reason = "one named secret; CodeBuild reads it by ARN with the suffix wildcarded"
    elif resource in own.trees and set(actions) <= _READ_TREE:
        reason = (
            "reads the environment's own Spryker variables, which Spryker's convention puts "
            "under /{project}/{environment}/ with names nobody lists in advance"
        )
    elif (
        _NAMED_ROLES.fullmatch(resource)
        and actions == ["iam:PassRole"]
        and condition == {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
    ):
        reason = (
            "passes to ECS tasks only the roles named with the environment's task-role "
            "prefix; a service referenced by name does not tell its task and execution roles"
        )
    elif _FAMILY.fullmatch(resource) and (
        actions == ["ecs:RegisterTaskDefinition"]
        or (actions == ["ecs:TagResource"] and condition == _ON_CREATION)
    ):
        reason = (
            "tags of a revision being registered (ecs:CreateAction) in one of the "
            "environment's task families"
            if condition
            else "revisions of one of the environment's task families (a registration is "
            "asked about the revision it is about to make)"
        )
    return reason


def acknowledgements(document: dict[str, Any], own: Own) -> dict[str, str]:
    """Finding id to reason, for the findings of a policy that only reviewed statements yield."""
    statements = [s for s in _as_list(document.get("Statement", [])) if isinstance(s, dict)]
    denied = _denied(statements)
    reasons: dict[str, set[str]] = {}
    refused: set[str] = set()
    for statement in statements:
        if statement.get("Effect") != "Allow":
            continue
        found = _review(statement, own, denied)
        if all(found.values()):
            for finding, reason in found.items():
                reasons.setdefault(finding, set()).add(str(reason))
        else:
            refused.update(found)
    return {f: "; ".join(sorted(r)) for f, r in reasons.items() if f not in refused}


@jsii.implements(IValidation)
class ReviewedWildcards:
    """Acknowledges, when the app is validated, the reviewed wildcards of every IAM policy
    under `scope` as it then stands. Reports nothing itself: cdk-nag reports what is left.
    (One pass at validation instead of an Aspect: an Aspect costs a call per construct.)"""

    def __init__(
        self,
        scope: IConstruct,
        buckets: Sequence[str],
        keys: Sequence[str],
        trees: Sequence[str] = (),
    ) -> None:
        self.scope = scope
        self.buckets = list(buckets)
        self.keys = list(keys)
        self.trees = list(trees)
        self.done: set[tuple[str, str]] = set()  # validation may run once per synth

    def validate(self) -> list[str]:
        stack = Stack.of(self.scope)
        own = Own(
            buckets=frozenset(flatten(stack.resolve(b)) for b in self.buckets),
            keys=frozenset(flatten(stack.resolve(k)) for k in self.keys),
            trees=frozenset(flatten(stack.resolve(t)) for t in self.trees),
        )
        for node in self.scope.node.find_all():
            if isinstance(node, iam.CfnPolicy):
                found = acknowledgements(stack.resolve(node.policy_document), own)
                new = {f: r for f, r in found.items() if (node.node.path, f) not in self.done}
                if new:  # one call per policy: each jsii call costs about half a millisecond
                    self.done.update((node.node.path, f) for f in new)
                    Validations.of(node).acknowledge(
                        *(Acknowledgment(id=f, reason=r) for f, r in new.items())
                    )
        return []
