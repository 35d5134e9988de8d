"""cdk-nag acknowledgements: only findings that nothing but reviewed statements yield."""

from __future__ import annotations

from typing import Any

from sccos_pipeline.cdk._nag import Own, acknowledgements

BUCKET = {"Fn::GetAtt": ["Artifacts", "Arn"]}
OBJECTS = {"Fn::Join": ["", [{"Fn::GetAtt": ["Artifacts", "Arn"]}, "/*"]]}
KEY = {"Fn::GetAtt": ["Key", "Arn"]}
OWN = Own(buckets=frozenset({"<Artifacts.Arn>"}), keys=frozenset({"<Key.Arn>"}))

S3 = {"Action": ["s3:GetObject*", "s3:List*"], "Effect": "Allow", "Resource": [BUCKET, OBJECTS]}
KMS = {"Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Effect": "Allow", "Resource": KEY}
ECS = {
    "Action": [
        "ecs:DescribeServices",
        "ecs:RegisterTaskDefinition",
        "ecs:TagResource",
        "ecs:UpdateService",
    ],
    "Effect": "Allow",
    "Resource": "*",
}
PASS_ROLE = {
    "Action": "iam:PassRole",
    "Condition": {
        "StringEqualsIfExists": {
            "iam:PassedToService": ["ec2.amazonaws.com", "ecs-tasks.amazonaws.com"]
        }
    },
    "Effect": "Allow",
    "Resource": "*",
}
DENY_UPDATE = {
    "Action": ["ecs:UpdateService", "ecs:DescribeServices"],
    "Effect": "Deny",
    "NotResource": ["arn:aws:ecs:r:1:service/c/a", "arn:aws:ecs:r:1:service/c/b"],
}
DENY_TAG = {
    "Action": ["ecs:RegisterTaskDefinition", "ecs:TagResource"],
    "Effect": "Deny",
    "NotResource": ["arn:aws:ecs:r:1:task-definition/a:*", "arn:aws:ecs:r:1:task-definition/b:*"],
}
DENY_PASS = {
    "Action": "iam:PassRole",
    "Condition": {"StringNotEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
    "Effect": "Deny",
    "Resource": "*",
}
REVIEWED: list[dict[str, Any]] = [S3, KMS, ECS, PASS_ROLE, DENY_UPDATE, DENY_TAG, DENY_PASS]


def acks(*statements: dict[str, Any]) -> dict[str, str]:
    return acknowledgements({"Statement": list(statements)}, OWN)


def test_reviewed_policy_is_acknowledged_with_true_reasons() -> None:
    assert acks(*REVIEWED) == {
        "AwsSolutions-IAM5[Action::s3:GetObject*]": "aws-cdk-lib's grant; matched by action "
        "name, and its statement names only the artifact bucket and its objects",
        "AwsSolutions-IAM5[Action::s3:List*]": "aws-cdk-lib's grant; matched by action name, "
        "and its statement names only the artifact bucket and its objects",
        "AwsSolutions-IAM5[Resource::<Artifacts.Arn>/*]": "objects of the environment's own "
        "artifact bucket",
        "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]": "aws-cdk-lib's grant; matched by "
        "action name, and its statement names only the environment's key",
        "AwsSolutions-IAM5[Resource::*]": "ecs:DescribeServices: an explicit Deny refuses it "
        "on anything but the services it names; ecs:RegisterTaskDefinition: an explicit Deny "
        "refuses it on anything but the task definitions it names; ecs:TagResource: an explicit "
        "Deny refuses it on anything but the task definitions it names; ecs:UpdateService: an "
        "explicit Deny refuses it on anything but the services it names; iam:PassRole: ECS "
        "only: an explicit Deny refuses any iam:PassedToService but ecs-tasks.amazonaws.com",
    }


FAMILY = "arn:aws:ecs:r:1:task-definition/shop-frontend:*"
ON_CREATION = {"StringEquals": {"ecs:CreateAction": "RegisterTaskDefinition"}}
TO_ECS_TASKS = {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}


def test_task_families_and_named_roles_are_acknowledged_in_their_exact_shape() -> None:
    register = {"Action": "ecs:RegisterTaskDefinition", "Effect": "Allow", "Resource": FAMILY}
    tag = {**register, "Action": "ecs:TagResource", "Condition": ON_CREATION}
    passing = {
        "Action": "iam:PassRole",
        "Condition": TO_ECS_TASKS,
        "Effect": "Allow",
        "Resource": "arn:aws:iam::1:role/shop-staging-*",
    }
    assert acks(register, tag, passing) == {
        f"AwsSolutions-IAM5[Resource::{FAMILY}]": "revisions of one of the environment's task "
        "families (a registration is asked about the revision it is about to make); tags of a "
        "revision being registered (ecs:CreateAction) in one of the environment's task families",
        "AwsSolutions-IAM5[Resource::arn:aws:iam::1:role/shop-staging-*]": "passes to ECS tasks "
        "only the roles named with the environment's task-role prefix; a service referenced by "
        "name does not tell its task and execution roles",
    }
    assert acks({**tag, "Condition": {}}) == {}  # tagging any time, not only when registering
    assert acks({**tag, "Resource": "*"}) == {}  # tagging anything, even when registering
    assert acks({**passing, "Resource": "arn:aws:iam::1:role/*"}) == {}  # every role
    assert acks({**passing, "Condition": {}}) == {}  # to any service
    assert acks({**register, "Resource": "arn:aws:ecs:r:1:task-definition/*"}) == {}  # any family


def test_a_wildcard_added_later_takes_no_acknowledgement_it_shares() -> None:
    secrets = {"Action": "secretsmanager:GetSecretValue", "Effect": "Allow", "Resource": "*"}
    assert "AwsSolutions-IAM5[Resource::*]" not in acks(*REVIEWED, secrets)
    objects = {"Action": "s3:GetObject*", "Effect": "Allow", "Resource": "*"}
    found = acks(*REVIEWED, objects)
    assert "AwsSolutions-IAM5[Resource::*]" not in found
    assert "AwsSolutions-IAM5[Action::s3:GetObject*]" not in found
    assert "AwsSolutions-IAM5[Resource::<Artifacts.Arn>/*]" in found  # still only reviewed ones


def test_reviewed_actions_on_other_resources_are_not_acknowledged() -> None:
    other = {"Action": "s3:GetObject*", "Effect": "Allow", "Resource": "arn:aws:s3:::other/*"}
    assert acks(other) == {}
    key = {"Action": "kms:Decrypt*", "Effect": "Allow", "Resource": "arn:aws:kms:r:1:key/x"}
    assert acks(key) == {}


def test_limits_claimed_only_while_their_deny_is_there() -> None:
    for missing in (DENY_UPDATE, DENY_TAG, DENY_PASS):
        statements = [s for s in REVIEWED if s is not missing]
        assert "AwsSolutions-IAM5[Resource::*]" not in acks(*statements), missing
    loose = {**DENY_PASS, "Condition": {"StringNotEquals": {"iam:PassedToService": "x"}}}
    assert "AwsSolutions-IAM5[Resource::*]" not in acks(S3, KMS, ECS, PASS_ROLE, loose)
    elsewhere = {**DENY_TAG, "NotResource": ["arn:aws:ecs:r:1:task-definition/a:*", "*"]}
    assert "AwsSolutions-IAM5[Resource::*]" not in acks(
        S3, KMS, ECS, PASS_ROLE, DENY_UPDATE, elsewhere, DENY_PASS
    )


def test_codebuild_defaults_need_their_exact_shape() -> None:
    logs = "arn:<AWS::Partition>:logs:eu-central-1:1:log-group:/aws/codebuild/<Project>:*"
    grant = {
        "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        "Effect": "Allow",
        "Resource": {
            "Fn::Join": [
                "",
                [
                    "arn:",
                    {"Ref": "AWS::Partition"},
                    ":logs:eu-central-1:1:log-group:/aws/codebuild/",
                    {"Ref": "Project"},
                    ":*",
                ],
            ]
        },
    }
    assert list(acks(grant)) == [f"AwsSolutions-IAM5[Resource::{logs}]"]
    assert acks({**grant, "Action": "logs:DeleteLogGroup"}) == {}
    interfaces = {
        "Action": "ec2:CreateNetworkInterfacePermission",
        "Effect": "Allow",
        "Resource": "arn:aws:ec2:r:1:network-interface/*",
    }
    assert acks(interfaces) == {}  # without its ec2:Subnet condition
    subnets = {"StringEquals": {"ec2:Subnet": ["arn:aws:ec2:r:1:subnet/s"]}}
    assert len(acks({**interfaces, "Condition": subnets})) == 1
