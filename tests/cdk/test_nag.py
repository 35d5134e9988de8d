"""cdk-nag acknowledgements: only findings that nothing but reviewed statements yield."""

from __future__ import annotations

from typing import Any

from sccos_pipeline.cdk.nag import Own, acknowledgements

BUCKET = {"Fn::GetAtt": ["Artifacts", "Arn"]}
OBJECTS = {"Fn::Join": ["", [{"Fn::GetAtt": ["Artifacts", "Arn"]}, "/*"]]}
KEY = {"Fn::GetAtt": ["Key", "Arn"]}
OWN = Own(buckets=frozenset({"<Artifacts.Arn>"}), keys=frozenset({"<Key.Arn>"}))

S3 = {"Action": ["s3:GetObject*", "s3:List*"], "Effect": "Allow", "Resource": [BUCKET, OBJECTS]}
KMS = {"Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Effect": "Allow", "Resource": KEY}
ECS = {
    "Action": ["ecs:RegisterTaskDefinition", "ecs:TagResource", "ecs:UpdateService"],
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
    "Action": "ecs:UpdateService",
    "Effect": "Deny",
    "NotResource": ["arn:aws:ecs:r:1:service/c/a", "arn:aws:ecs:r:1:service/c/b"],
}
DENY_TAG = {
    "Action": "ecs:TagResource",
    "Effect": "Deny",
    "NotResource": "arn:aws:ecs:r:1:task-definition/*",
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
        "AwsSolutions-IAM5[Resource::*]": "ecs:RegisterTaskDefinition: no resource-level "
        "permissions; ecs:TagResource: an explicit Deny refuses it on anything but the task "
        "definitions it names; ecs:UpdateService: an explicit Deny refuses it on anything but "
        "the services it names; iam:PassRole: ECS only: an explicit Deny refuses any "
        "iam:PassedToService but ecs-tasks.amazonaws.com",
    }


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
    elsewhere = {**DENY_TAG, "NotResource": ["arn:aws:ecs:r:1:task-definition/*", "*"]}
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
