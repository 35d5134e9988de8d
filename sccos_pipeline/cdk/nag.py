"""cdk-nag acknowledgements for the wildcards CDK's own grants write, each with its reason.

cdk-nag v3 asks for every finding to be acknowledged one by one (`AwsSolutions-IAM5[...]`).
The wildcards here come from aws-cdk-lib's grants (artifact bucket, key, CodeBuild's log and
report groups, VPC network interfaces), so we rebuild each finding's id from the policy as
synthesized and acknowledge it on that policy only when its shape is one we reviewed below.
A wildcard nobody reviewed stays a finding, and the cdk-nag test fails. No cdk_nag import:
acknowledgements are aws-cdk-lib's Validations metadata.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aws_cdk import Acknowledgment, Stack, Validations
from aws_cdk import aws_iam as iam
from constructs import IConstruct

_ACTION_REASONS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"s3:(GetObject|GetBucket|List|DeleteObject|Abort|PutObject)\*"),
        "aws-cdk-lib's grant on the pipeline artifact bucket; its statement names only that "
        "bucket and its objects",
    ),
    (
        re.compile(r"kms:(GenerateDataKey|ReEncrypt|Decrypt|Encrypt)\*"),
        "aws-cdk-lib's grant on the environment's own customer-managed key",
    ),
]

_SEG = r"(?:<[^>]+>|[^:<]+)"  # one ARN segment: text, or a token such as <AWS::Partition>
_RESOURCE_REASONS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(rf"arn:{_SEG}:logs:{_SEG}:{_SEG}:log-group:/aws/codebuild/<[^>]+>:\*"),
        "log streams of this project's own CodeBuild log group, created per build",
    ),
    (
        re.compile(rf"arn:{_SEG}:codebuild:{_SEG}:{_SEG}:report-group/<[^>]+>-\*"),
        "this project's own CodeBuild report groups, created per report",
    ),
    (
        re.compile(rf"arn:{_SEG}:ec2:{_SEG}:{_SEG}:network-interface/\*"),
        "CodeBuild creates a network interface per build in the VPC; its id is not known ahead",
    ),
    (
        re.compile(rf"arn:{_SEG}:secretsmanager:{_SEG}:{_SEG}:secret:[^*]+\*"),
        "one named secret; CodeBuild reads secrets by ARN with the version suffix wildcarded",
    ),
]

# Actions IAM cannot scope to a resource, or that we scope otherwise (noted per action).
_WITHOUT_RESOURCE_LEVEL: dict[str, str] = {
    "ecr:GetAuthorizationToken": "no resource-level permissions",
    "ec2:CreateNetworkInterface": "CodeBuild VPC access (documented policy)",
    "ec2:DeleteNetworkInterface": "CodeBuild VPC access (documented policy)",
    "ec2:DescribeDhcpOptions": "no resource-level permissions",
    "ec2:DescribeNetworkInterfaces": "no resource-level permissions",
    "ec2:DescribeSecurityGroups": "no resource-level permissions",
    "ec2:DescribeSubnets": "no resource-level permissions",
    "ec2:DescribeVpcs": "no resource-level permissions",
    "ecs:DescribeServices": "read-only, ECS deploy action",
    "ecs:DescribeTaskDefinition": "no resource-level permissions",
    "ecs:DescribeTasks": "read-only, ECS deploy action",
    "ecs:ListTasks": "read-only, ECS deploy action",
    "ecs:RegisterTaskDefinition": "no resource-level permissions",
    "ecs:TagResource": "tags the task definitions the deploy action registers",
    "ecs:UpdateService": "limited to the environment's services by an explicit Deny",
    "iam:PassRole": "only to ECS tasks (iam:PassedToService condition)",
}


def flatten(value: Any) -> str:
    """A resolved CloudFormation value as cdk-nag writes it in finding ids."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if "Ref" in value:
            return f"<{value['Ref']}>"
        if "Fn::GetAtt" in value:
            logical, attribute = value["Fn::GetAtt"]
            return f"<{logical}.{attribute}>"
        if "Fn::Join" in value:
            separator, parts = value["Fn::Join"]
            return str(separator).join(flatten(part) for part in parts)
    return json.dumps(value, sort_keys=True)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def acknowledgements(document: dict[str, Any], own_buckets: set[str]) -> dict[str, str]:
    """Finding id to reason, for each reviewed wildcard of an IAM policy document."""
    found: dict[str, str] = {}
    unscoped: set[str] = set()
    for statement in _as_list(document.get("Statement", [])):
        if statement.get("Effect") != "Allow":
            continue
        actions = [str(a) for a in _as_list(statement.get("Action", []))]
        resources = [flatten(r) for r in _as_list(statement.get("Resource", []))]
        for action in actions:
            if "*" in action:
                reason = next((r for p, r in _ACTION_REASONS if p.fullmatch(action)), None)
                if reason:
                    found[f"AwsSolutions-IAM5[Action::{action}]"] = reason
        for resource in resources:
            if resource == "*":
                unscoped.update(actions)
            elif "*" in resource:
                reason = next((r for p, r in _RESOURCE_REASONS if p.fullmatch(resource)), None)
                if resource.endswith("/*") and resource[:-2] in own_buckets:
                    reason = "objects of the environment's own artifact bucket"
                if reason:
                    found[f"AwsSolutions-IAM5[Resource::{resource}]"] = reason
    if unscoped and unscoped <= _WITHOUT_RESOURCE_LEVEL.keys():
        found["AwsSolutions-IAM5[Resource::*]"] = "; ".join(
            f"{a}: {_WITHOUT_RESOURCE_LEVEL[a]}" for a in sorted(unscoped)
        )
    return found


def acknowledge_reviewed_wildcards(scope: IConstruct, own_bucket_arns: list[str]) -> None:
    """Acknowledge the reviewed wildcards of every IAM policy under `scope`, as it stands now.

    Called once the scope is complete; grants added later are not acknowledged, so they get
    their own review. (One pass here instead of an Aspect: an Aspect costs a node-to-Python
    call per construct, about 0.15 s per environment.)
    """
    stack = Stack.of(scope)
    buckets = {flatten(stack.resolve(arn)) for arn in own_bucket_arns}
    for node in scope.node.find_all():
        if isinstance(node, iam.CfnPolicy):
            found = acknowledgements(stack.resolve(node.policy_document), buckets)
            if found:  # one call per policy: each jsii call costs about half a millisecond
                Validations.of(node).acknowledge(
                    *(
                        Acknowledgment(id=finding, reason=reason)
                        for finding, reason in found.items()
                    )
                )
