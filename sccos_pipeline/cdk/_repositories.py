"""The environment's ECR repositories, one per image the Docker SDK pushes, and what their
lifecycle policy keeps.

ECR evaluates a policy's rules by priority, and an image that matches the tag selection of a
higher-priority rule is never expired by a lower-priority one ("Lifecycle policy evaluation
rules", https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html). The
pipeline tags, in every repository (core.plan.images and core.plan.versions):

1. `sccos-deployed`, the version running: one image carries it, so a count of 1 never expires it;
2. `sccos-desired`, the version a deployment last prepared (Build_and_Prepare, after the
   approval), as long as it is not superseded: a failed deployment can be retried;
3. `sccos-deployed-<version>` on each deployed version: the last `keep_deployed_versions` of
   them are kept (ECR counts by push time, so "last" is the newest built of them), older ones
   expire;
4. then any other image: the newest 200 (this keeps `lastbuildversion`, the newest build, and
   with it a `desired_version` of `latest`).
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_kms as kms
from constructs import Construct

from ..core import naming
from ..core.deployfile.applications import image_names
from ..core.deployfile.model import DeployModel


def lifecycle_rules(keep_deployed_versions: int) -> list[ecr.LifecycleRule]:
    return [
        ecr.LifecycleRule(
            rule_priority=1,
            description=f"the running version ({naming.IMAGE_TAG_DEPLOYED}): never expired",
            tag_pattern_list=[naming.IMAGE_TAG_DEPLOYED],
            max_image_count=1,
        ),
        ecr.LifecycleRule(
            rule_priority=2,
            description=f"the version last prepared for deployment ({naming.IMAGE_TAG_DESIRED}): "
            "never expired",
            tag_pattern_list=[naming.IMAGE_TAG_DESIRED],
            max_image_count=1,
        ),
        ecr.LifecycleRule(
            rule_priority=3,
            description=f"the last {keep_deployed_versions} deployed versions "
            f"({naming.IMAGE_TAG_DEPLOYED_PREFIX}<version>)",
            tag_prefix_list=[naming.IMAGE_TAG_DEPLOYED_PREFIX],
            max_image_count=keep_deployed_versions,
        ),
        ecr.LifecycleRule(
            rule_priority=4,
            description=f"any other image: the last {naming.KEEP_ANY_IMAGES}",
            tag_status=ecr.TagStatus.ANY,
            max_image_count=naming.KEEP_ANY_IMAGES,
        ),
    ]


def create_repositories(
    scope: Construct,
    model: DeployModel,
    key: kms.IKey,
    keep_deployed_versions: int = naming.DEFAULT_KEEP_DEPLOYED_VERSIONS,
) -> dict[str, ecr.IRepository]:
    return {
        name: ecr.Repository(
            scope,
            f"Repository-{name}",
            repository_name=naming.ecr_repository(model.project, name),
            image_scan_on_push=True,
            encryption=ecr.RepositoryEncryption.KMS,
            encryption_key=key,
            # MUTABLE: the Docker SDK pushes :latest, the pipeline moves sccos-* tags.
            image_tag_mutability=ecr.TagMutability.MUTABLE,
            # Kept for rollbacks: a version can be deployed again while its images exist.
            lifecycle_rules=lifecycle_rules(keep_deployed_versions),
            removal_policy=RemovalPolicy.RETAIN,
        )
        for name in image_names(model)
    }
