"""The environment's ECR repositories, one per image the Docker SDK pushes."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_kms as kms
from constructs import Construct

from ..core import naming
from ..core.deployfile.applications import image_names
from ..core.deployfile.model import DeployModel


def create_repositories(
    scope: Construct, model: DeployModel, key: kms.IKey
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
            lifecycle_rules=[ecr.LifecycleRule(max_image_count=200)],
            removal_policy=RemovalPolicy.RETAIN,
        )
        for name in image_names(model)
    }
