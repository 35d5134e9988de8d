"""The pipelines' artifact bucket, and how long the artifact that holds secret values lives.

The `Variables` artifact (core.plan.hook_variables) holds the back office's variables, secrets
included, for the hooks of one execution. CodePipeline stores an artifact under
`<pipeline name, first 20 characters>/<artifact name, first 20 characters>/` (the keys of
https://docs.aws.amazon.com/codepipeline/latest/userguide/welcome-introducing-artifacts.html;
the truncation: https://repost.aws/questions/QUI91tw7A9SUOMohJurNqmgA), so one lifecycle rule
per pipeline expires those objects and their older versions after a day (S3 rounds up to the
next midnight UTC:
https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-expire-general-considerations.html).
"""

from __future__ import annotations

from aws_cdk import Annotations, Duration, RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from ..core.plan.hook_variables import VARIABLES_ARTIFACT
from ..core.plan.model import EnvironmentPlan

SECRET_ARTIFACT_DAYS = 1


def artifact_bucket(scope: Construct, key: kms.IKey) -> tuple[s3.Bucket, s3.Bucket]:
    """(artifacts, their access logs): KMS-encrypted, versioned, public access blocked."""
    access_logs = s3.Bucket(
        scope,
        "AccessLogs",
        encryption=s3.BucketEncryption.S3_MANAGED,  # log delivery cannot use a KMS key
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        removal_policy=RemovalPolicy.RETAIN,
    )
    bucket = s3.Bucket(
        scope,
        "Artifacts",
        encryption=s3.BucketEncryption.KMS,
        encryption_key=key,
        bucket_key_enabled=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        versioned=True,
        lifecycle_rules=[
            s3.LifecycleRule(
                noncurrent_version_expiration=Duration.days(90),
                abort_incomplete_multipart_upload_after=Duration.days(7),
            )
        ],
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix="artifacts/",
        removal_policy=RemovalPolicy.RETAIN,
    )
    return bucket, access_logs


def secret_artifact_prefixes(plan: EnvironmentPlan) -> list[str]:
    """Where CodePipeline stores the Variables artifact of each pipeline that makes one."""
    return [
        f"{pipeline.name[:20]}/{VARIABLES_ARTIFACT[:20]}/"
        for pipeline in plan.pipelines
        if any(VARIABLES_ARTIFACT in a.outputs for s in pipeline.stages for a in s.actions)
    ]


def expire_secret_artifacts(
    scope: Construct, bucket: s3.IBucket, plan: EnvironmentPlan, *, own: bool
) -> None:
    """A day after it was written, the Variables artifact is gone, older versions included. A
    bucket the user gave is not ours to change: a warning says what to add."""
    prefixes = secret_artifact_prefixes(plan)
    if not prefixes:
        return
    if own and isinstance(bucket, s3.Bucket):
        for prefix in prefixes:
            bucket.add_lifecycle_rule(
                prefix=prefix,
                expiration=Duration.days(SECRET_ARTIFACT_DAYS),
                noncurrent_version_expiration=Duration.days(SECRET_ARTIFACT_DAYS),
            )
        return
    Annotations.of(scope).add_warning_v2(
        "sccos-pipeline:secret-artifact-lifetime",
        f"The {VARIABLES_ARTIFACT} artifact holds the back office's secret values for the "
        "hooks. Expire it in the artifact bucket you gave: a lifecycle rule for each of the "
        f"prefixes {', '.join(prefixes)} (current and noncurrent versions, "
        f"{SECRET_ARTIFACT_DAYS} day).",
    )
