"""What the constructs make of ECS-updater and the hooks' variables: the grants, the artifact
that holds secrets expiring, the note about the task execution role, and cdk-nag passing
(one synth of the test environment).
"""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import App, Stack, Validations
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks

from tests.cdk.support import environment, new_stack, resources

SSM = "arn:${AWS::Partition}:ssm:eu-central-1:123456789012:parameter"


@pytest.fixture(scope="module")
def synthesized() -> tuple[Stack, dict[str, Any]]:
    app = App(context={"@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True})
    stack = new_stack(app)
    environment(stack)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()  # raises ValidationFailed on any unacknowledged cdk-nag finding
    return stack, dict(Template.from_stack(stack).to_json())


def statements(template: dict[str, Any], role_part: str) -> list[dict[str, Any]]:
    [policy] = [
        r["Properties"]["PolicyDocument"]["Statement"]
        for k, r in resources(template, "AWS::IAM::Policy").items()
        if role_part in k
    ]
    return list(policy)


def flat(value: Any) -> Any:
    """Fn::Join of an ARN as one text, `${AWS::Partition}` for the partition."""
    if isinstance(value, list):
        return [flat(v) for v in value]
    if isinstance(value, dict) and "Fn::Join" in value:
        parts = value["Fn::Join"][1]
        return "".join(p if isinstance(p, str) else f"${{{p.get('Ref', p)}}}" for p in parts)
    return value


def test_the_updater_may_read_the_tree_and_tag_only_what_it_registers(
    synthesized: tuple[Stack, dict[str, Any]],
) -> None:
    found = statements(synthesized[1], "SupportUpdateServicesRoleDefaultPolicy")
    assert {
        "Action": ["ssm:GetParametersByPath", "ssm:GetParameters"],
        "Effect": "Allow",
        "Resource": [f"{SSM}/spryker-demo/staging", f"{SSM}/spryker-demo/staging/*"],
    } in [{**s, "Resource": flat(s["Resource"])} for s in found]
    assert {
        "Action": "ecs:TagResource",
        "Condition": {"StringEquals": {"ecs:CreateAction": "RegisterTaskDefinition"}},
        "Effect": "Allow",
        "Resource": [
            f"arn:${{AWS::Partition}}:ecs:eu-central-1:123456789012:task-definition/demo-{key}:*"
            for key in ("boffice_eu", "backgw_eu", "yves_eu", "glue_eu", "frontend", "jenkins")
        ],
    } in [{**s, "Resource": flat(s["Resource"])} for s in found]


def test_hook_variables_may_read_the_secrets_the_settings_name(
    synthesized: tuple[Stack, dict[str, Any]],
) -> None:
    found = [
        {**s, "Resource": flat(s["Resource"])}
        for s in statements(synthesized[1], "SupportHookVariablesRoleDefaultPolicy")
    ]
    assert {
        "Action": "ssm:GetParameters",
        "Effect": "Allow",
        "Resource": f"{SSM}/demo/db/password",
    } in found
    assert {
        "Action": "secretsmanager:GetSecretValue",
        "Effect": "Allow",
        "Resource": "arn:aws:secretsmanager:eu-central-1:123456789012:secret:demo/broker-AbCdEf",
    } in found


def test_the_variables_artifact_expires_after_a_day(
    synthesized: tuple[Stack, dict[str, Any]],
) -> None:
    [bucket] = [
        r["Properties"]
        for k, r in resources(synthesized[1], "AWS::S3::Bucket").items()
        if k.startswith("EnvironmentArtifacts")
    ]
    rules = bucket["LifecycleConfiguration"]["Rules"]
    assert [r for r in rules if "Prefix" in r] == [
        {
            "ExpirationInDays": 1,
            "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
            "Prefix": "NORMAL_Deploy_Spryke/Variables/",
            "Status": "Enabled",
        },
        {
            "ExpirationInDays": 1,
            "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
            "Prefix": "DESTRUCTIVE_Deploy_S/Variables/",
            "Status": "Enabled",
        },
        {
            "ExpirationInDays": 1,
            "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
            "Prefix": "Rollout_Scheduler_sp/Variables/",
            "Status": "Enabled",
        },
    ]


def test_the_task_execution_role_is_named_as_the_user_s_to_allow(
    synthesized: tuple[Stack, dict[str, Any]],
) -> None:
    stack, _ = synthesized
    notes = [
        str(m.data)
        for m in stack.node.find_child("Environment").node.metadata
        if m.type == "aws:cdk:info"
    ]
    assert notes == [
        "ECS-updater-spryker-demo-staging gives the services the parameters of "
        "/spryker-demo/staging as secrets; ECS reads them with each service's task execution "
        "role, which this construct does not own. Allow that role ssm:GetParameters on those "
        "parameters (and kms:Decrypt for a SecureString under a customer-managed key)."
    ]
