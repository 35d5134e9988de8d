"""Intrinsic functions, names and policies on small hand-written templates."""

from __future__ import annotations

from typing import Any

import pytest

from sccos_pipeline.rehearsal.cloudformation.template import StackTemplate
from sccos_pipeline.rehearsal.errors import RehearsalError


def make(resources: dict[str, Any] | None = None, **sections: Any) -> StackTemplate:
    template = {"Resources": resources or {}, **sections}
    return StackTemplate("demo", "111122223333", "eu-west-1", "aws", template)


BUCKET = {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "my-bucket"}}
ROLE = {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "my-role"}}


def test_pseudo_parameters() -> None:
    stack = make()
    names = ["AccountId", "Region", "Partition", "URLSuffix", "StackName"]
    assert stack.resolve([{"Ref": f"AWS::{n}"} for n in names]) == [
        "111122223333",
        "eu-west-1",
        "aws",
        "amazonaws.com",
        "demo",
    ]
    stack_id = stack.resolve({"Ref": "AWS::StackId"})
    assert stack_id.startswith("arn:aws:cloudformation:eu-west-1:111122223333:stack/demo/")
    assert stack_id == make().resolve({"Ref": "AWS::StackId"})


def test_no_value_removes_the_key_or_item() -> None:
    stack = make()
    value = {"A": {"Ref": "AWS::NoValue"}, "B": ["x", {"Ref": "AWS::NoValue"}, "y"]}
    assert stack.resolve(value) == {"B": ["x", "y"]}


def test_sub_string_form() -> None:
    stack = make({"Bucket": BUCKET, "Role": ROLE})
    assert stack.resolve({"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/*"}) == (
        "arn:aws:s3:::my-bucket/*"
    )
    assert stack.resolve({"Fn::Sub": "${Role.Arn} in ${AWS::Region}, ${!Literal}"}) == (
        "arn:aws:iam::111122223333:role/my-role in eu-west-1, ${Literal}"
    )


def test_sub_list_form_variables_win() -> None:
    stack = make({"Bucket": BUCKET})
    value = {"Fn::Sub": ["${Bucket}-${Suffix}", {"Suffix": {"Ref": "AWS::AccountId"}}]}
    assert stack.resolve(value) == "my-bucket-111122223333"
    shadowed = {"Fn::Sub": ["${Bucket}", {"Bucket": "other"}]}
    assert stack.resolve(shadowed) == "other"


def test_select_split_join() -> None:
    stack = make()
    assert stack.resolve({"Fn::Select": [1, {"Fn::Split": [",", "a,b,c"]}]}) == "b"
    assert stack.resolve({"Fn::Select": ["2", ["x", "y", "z"]]}) == "z"
    assert stack.resolve({"Fn::Join": ["-", {"Fn::Split": [":", "a:b"]}]}) == "a-b"
    with pytest.raises(RehearsalError, match=r"Fn::Select at /Fn::Select: index 3"):
        stack.resolve({"Fn::Select": [3, ["x"]]})


def test_if_with_conditions() -> None:
    conditions = {
        "InIreland": {"Fn::Equals": [{"Ref": "AWS::Region"}, "eu-west-1"]},
        "Prod": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
        "IrelandNotProd": {
            "Fn::And": [{"Condition": "InIreland"}, {"Fn::Not": [{"Condition": "Prod"}]}]
        },
        "Either": {"Fn::Or": [{"Condition": "Prod"}, {"Condition": "InIreland"}]},
    }
    parameters = {"Stage": {"Type": "String", "Default": "staging"}}
    stack = make(Conditions=conditions, Parameters=parameters)
    assert stack.resolve({"Fn::If": ["IrelandNotProd", "yes", "no"]}) == "yes"
    assert stack.resolve({"Fn::If": ["Prod", "yes", {"Ref": "AWS::NoValue"}]}) is None
    assert stack.resolve({"Fn::If": ["Either", 1, 2]}) == 1
    overridden = StackTemplate(
        "demo",
        "111122223333",
        "eu-west-1",
        "aws",
        {"Resources": {}, "Conditions": conditions, "Parameters": parameters},
        parameters={"Stage": "prod"},
    )
    assert overridden.resolve({"Fn::If": ["IrelandNotProd", "yes", "no"]}) == "no"


def test_base64_getazs_find_in_map() -> None:
    stack = make(Mappings={"Sizes": {"eu-west-1": {"Small": "t3.micro"}}})
    assert stack.resolve({"Fn::Base64": "hello"}) == "aGVsbG8="
    assert stack.resolve({"Fn::GetAZs": ""}) == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    lookup = {"Fn::FindInMap": ["Sizes", {"Ref": "AWS::Region"}, "Small"]}
    assert stack.resolve(lookup) == "t3.micro"


def test_parameter_default_and_lists() -> None:
    parameters = {
        "BootstrapVersion": {
            "Type": "AWS::SSM::Parameter::Value<String>",
            "Default": "/cdk-bootstrap/hnb659fds/version",
        },
        "Zones": {"Type": "CommaDelimitedList", "Default": "a,b"},
        "Missing": {"Type": "String"},
    }
    stack = make(Parameters=parameters)
    assert stack.resolve({"Ref": "BootstrapVersion"}) == "/cdk-bootstrap/hnb659fds/version"
    assert stack.resolve({"Ref": "Zones"}) == ["a", "b"]
    with pytest.raises(RehearsalError, match="parameter Missing of stack demo has no value"):
        stack.resolve({"Ref": "Missing"})


def test_unsupported_intrinsic_names_itself_and_where() -> None:
    stack = make(
        {
            "Bucket": {
                "Type": "AWS::S3::Bucket",
                "Properties": {"BucketName": {"Fn::ImportValue": "shared-name"}},
            }
        }
    )
    with pytest.raises(
        RehearsalError,
        match=r"Fn::ImportValue at Resources/Bucket/Properties/BucketName/Fn::ImportValue is not supported",
    ):
        stack.ref("Bucket")
    with pytest.raises(RehearsalError, match=r"Fn::Transform at /x/Fn::Transform is not supported"):
        stack.resolve({"x": {"Fn::Transform": {"Name": "AWS::Include"}}})
    with pytest.raises(RehearsalError, match="Ref at /Ref names 'Nowhere'"):
        stack.resolve({"Ref": "Nowhere"})


def test_generated_names_are_deterministic_and_fit() -> None:
    long_id = "VeryLongLogicalIdentifierForARoleThatGoesOnAndOn0123ABCD"
    stack = make({"Artifacts": {"Type": "AWS::S3::Bucket"}, long_id: {"Type": "AWS::IAM::Role"}})
    assert stack.physical_name("Artifacts") == "demo-artifacts-mnllgmzty1zk"
    role = stack.physical_name(long_id)
    assert role == "demo-VeryLongLogicalIdentifierForARoleThatGoesOnAnd-G3GT21R9MZP1"
    assert len(role) == 64
    assert make({long_id: {"Type": "AWS::IAM::Role"}}).physical_name(long_id) == role


def test_ref_and_get_att_per_type() -> None:
    stack = make(
        {
            "Key": {"Type": "AWS::KMS::Key"},
            "Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {"Name": "app"}},
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t"}},
            "Sub": {"Type": "AWS::SNS::Subscription", "Properties": {"TopicArn": {"Ref": "Topic"}}},
            "Rule": {"Type": "AWS::Events::Rule", "Properties": {"Name": "r"}},
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "f"}},
            "Managed": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {"ManagedPolicyName": "m", "Path": "/team/"},
            },
            "Notify": {
                "Type": "AWS::CodeStarNotifications::NotificationRule",
                "Properties": {"Name": "n"},
            },
            "Role": ROLE,
        }
    )
    key_id = stack.ref("Key")
    assert len(key_id) == 36
    assert stack.get_att("Key", "Arn") == f"arn:aws:kms:eu-west-1:111122223333:key/{key_id}"
    assert stack.ref("Secret").startswith(
        "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app-"
    )
    assert (
        len(stack.ref("Secret"))
        == len("arn:aws:secretsmanager:eu-west-1:111122223333:secret:app-") + 6
    )
    assert stack.ref("Sub").startswith("arn:aws:sns:eu-west-1:111122223333:t:")
    assert stack.get_att("Rule", "Arn") == "arn:aws:events:eu-west-1:111122223333:rule/r"
    assert stack.ref("Rule") == "r"
    assert stack.get_att("Fn", "Arn") == "arn:aws:lambda:eu-west-1:111122223333:function:f"
    assert stack.ref("Managed") == "arn:aws:iam::111122223333:policy/team/m"
    assert stack.ref("Notify").startswith(
        "arn:aws:codestar-notifications:eu-west-1:111122223333:notificationrule/"
    )
    assert stack.get_att("Role", "RoleId").startswith("AROA")
    with pytest.raises(RehearsalError, match="knows no attribute 'Nope' of AWS::IAM::Role"):
        stack.get_att("Role", "Nope")


def test_role_policies_from_every_source() -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": {"Fn::Sub": "${Bucket.Arn}/*"},
            }
        ],
    }
    stack = make(
        {
            "Bucket": BUCKET,
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": "my-role",
                    "Policies": [{"PolicyName": "inline", "PolicyDocument": document}],
                    "ManagedPolicyArns": [{"Ref": "Managed"}],
                },
            },
            "Attached": {
                "Type": "AWS::IAM::Policy",
                "Properties": {
                    "PolicyName": "p",
                    "PolicyDocument": document,
                    "Roles": [{"Ref": "Role"}],
                },
            },
            "Managed": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {"PolicyDocument": document, "Roles": ["my-role"]},
            },
            "Other": {
                "Type": "AWS::IAM::Policy",
                "Properties": {
                    "PolicyName": "o",
                    "PolicyDocument": document,
                    "Roles": ["other-role"],
                },
            },
        }
    )
    documents = stack.role_policies("Role")
    assert len(documents) == 3
    assert documents[0]["Statement"][0]["Resource"] == "arn:aws:s3:::my-bucket/*"


def test_aws_managed_policy_is_refused() -> None:
    role = {
        "Type": "AWS::IAM::Role",
        "Properties": {"ManagedPolicyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]},
    }
    with pytest.raises(
        RehearsalError,
        match="arn:aws:iam::aws:policy/ReadOnlyAccess, whose document the rehearsal does not know",
    ):
        make({"Role": role}).role_policies("Role")


def test_two_policies_on_one_bucket_are_refused() -> None:
    policy = {
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {"Bucket": {"Ref": "Bucket"}, "PolicyDocument": {}},
    }
    stack = make({"Bucket": BUCKET, "P1": policy, "P2": policy})
    with pytest.raises(RehearsalError, match="P1, P2 all set the policy of Bucket"):
        stack.resource_policy("arn:aws:s3:::my-bucket")
