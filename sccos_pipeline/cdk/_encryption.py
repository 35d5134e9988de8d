"""The environment's customer-managed key, and who besides its principals may use it."""

from __future__ import annotations

from aws_cdk import ArnFormat, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from ..core import naming


def environment_key(scope: Construct, project: str) -> kms.Key:
    return kms.Key(
        scope,
        "Key",
        enable_key_rotation=True,
        alias=naming.kms_alias(project),
        description=f"Encrypts the SCCOS pipeline artifacts, logs and topic of {project}",
        removal_policy=RemovalPolicy.RETAIN,
    )


def allow_logs(scope: Construct, key: kms.IKey) -> None:
    """CloudWatch Logs may use the key for the log groups under `scope` only."""
    stack = Stack.of(scope)
    groups = [
        stack.format_arn(
            service="logs",
            resource="log-group",
            resource_name=node.log_group_name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        for node in scope.node.find_all()
        if isinstance(node, logs.CfnLogGroup) and isinstance(node.log_group_name, str)
    ]
    key.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
            actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*",
                     "kms:GenerateDataKey*", "kms:Describe*"],
            resources=["*"],
            conditions={"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": groups}},
        )
    )  # fmt: skip
