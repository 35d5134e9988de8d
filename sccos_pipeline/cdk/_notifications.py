"""Failed and succeeded executions of every pipeline, told to an SNS topic through CodeStar
notification rules (https://docs.aws.amazon.com/dtconsole/latest/userguide/notifications.html).
Who hears of them (e-mail, AWS Chatbot for Slack) is the user's choice: subscribe to the topic."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Annotations, Stack, Token
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_codestarnotifications as notifications
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from ..core.naming import partition_of
from ..core.stages import PipelineKind
from .pipeline import SprykerPipeline

EVENTS = [
    codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_FAILED,
    codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_SUCCEEDED,
]


def notify(
    scope: Construct, topic: sns.ITopic, pipelines: Mapping[PipelineKind, SprykerPipeline]
) -> dict[PipelineKind, notifications.INotificationRule]:
    """One rule per pipeline; none where CodeStar Notifications does not exist (China)."""
    region = Stack.of(scope).region
    if not Token.is_unresolved(region) and partition_of(region) == "aws-cn":
        Annotations.of(scope).add_warning_v2(
            "sccos-pipeline:no-notifications",
            f"CodeStar Notifications is not offered in {region}: no pipeline tells "
            "notification_topic of its executions there.",
        )
        return {}
    return {
        kind: pipeline.pipeline.notify_on(
            "Notifications",
            topic,
            events=EVENTS,
            notification_rule_name=f"{pipeline.plan.name}-executions"[:64],
        )
        for kind, pipeline in pipelines.items()
    }


def allow_notifications(key: kms.IKey) -> None:
    """CodeStar Notifications publishes to the encrypted topic: it may use the key, only
    through SNS of this account's region."""
    key.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("codestar-notifications.amazonaws.com")],
            actions=["kms:GenerateDataKey*", "kms:Decrypt"],
            resources=["*"],
            conditions={
                "StringEquals": {"kms:ViaService": f"sns.{Stack.of(key).region}.amazonaws.com"}
            },
        )
    )
