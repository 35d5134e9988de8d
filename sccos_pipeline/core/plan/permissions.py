"""The permissions the plan's projects ask for, named once (core.plan.references says what each
`on` reference names)."""

from __future__ import annotations

from ..stages import PipelineKind
from .model import Permission
from .references import (
    Parameter,
    Pipeline,
    Reference,
    Repository,
    Resources,
)

LOGIN = Permission(("ecr:GetAuthorizationToken",), (Resources.ANY,), "docker login to ECR")
PUSH = Permission(
    (
        "ecr:BatchCheckLayerAvailability",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchGetImage",
        "ecr:CompleteLayerUpload",
        "ecr:UploadLayerPart",
        "ecr:InitiateLayerUpload",
        "ecr:PutImage",
    ),
    (Resources.REPOSITORIES,),
    "push the images the Docker SDK builds",
)
FIND_IMAGES = Permission(
    ("ecr:DescribeImages",),
    (Resources.REPOSITORIES,),
    "tell a missing image (ImageNotFoundException) from any other answer",
)
DESCRIBE_TASK_DEFINITIONS = Permission(
    ("ecs:DescribeTaskDefinition",), (Resources.ANY,), "read what a service runs (no resource type)"
)
PASS_TASK_ROLES = Permission(
    ("iam:PassRole",),
    (Resources.TASK_ROLES,),
    "register a task definition with the service's roles",
)


def register_task_definitions(on: Reference = Resources.TASK_DEFINITIONS) -> Permission:
    return Permission(
        ("ecs:RegisterTaskDefinition",),
        (on,),
        "register a revision in the services' task families (IAM asks about family:revision)",
    )


def tag_new_task_definitions(on: Reference = Resources.TASK_DEFINITIONS) -> Permission:
    return Permission(
        ("ecs:TagResource",),
        (on,),
        "keep a task definition's tags on the revision it registers (only when registering one)",
        ("StringEquals", "ecs:CreateAction", "RegisterTaskDefinition"),
    )


def retag(image: str) -> Permission:
    return Permission(
        ("ecr:BatchGetImage", "ecr:DescribeImages", "ecr:PutImage"),
        (Repository(image),),
        "move a tag of the hook image: read the manifest, put it under the new tag",
    )


RETAG_EVERYWHERE = Permission(
    ("ecr:BatchGetImage", "ecr:PutImage"),
    (Resources.REPOSITORIES,),
    "tag the version in every repository (read the manifest, put it under the new tag), so "
    "that the lifecycle policy keeps it",
)


def read_parameters(*names: str) -> Permission:
    return Permission(
        ("ssm:GetParameter", "ssm:GetParameters"),
        tuple(Parameter(n) for n in names),
        "read the versions",
    )


def write_parameter(name: str) -> Permission:
    return Permission(("ssm:PutParameter",), (Parameter(name),), f"record {name}")


def describe_services(on: Reference = Resources.SERVICES) -> Permission:
    return Permission(("ecs:DescribeServices",), (on,), "ask ECS what the services run")


def update_services(on: Reference = Resources.SERVICES) -> Permission:
    return Permission(("ecs:UpdateService",), (on,), "roll the services to a new revision")


def trigger_of(*kinds: PipelineKind) -> Permission:
    return Permission(
        ("codepipeline:GetPipelineExecution",),
        tuple(Pipeline(k) for k in kinds),
        "read how this execution was started",
    )


def list_executions(*kinds: PipelineKind) -> Permission:
    return Permission(
        ("codepipeline:ListPipelineExecutions",),
        tuple(Pipeline(k) for k in kinds),
        "see whether another deployment of the environment runs",
    )


READ_VARIABLES = Permission(
    ("ssm:GetParametersByPath", "ssm:GetParameters"),
    (Resources.VARIABLE_TREE,),
    "read the environment's Spryker variables",
)


def stop_execution(*kinds: PipelineKind) -> Permission:
    return Permission(
        ("codepipeline:StopPipelineExecution",),
        tuple(Pipeline(k) for k in kinds),
        "stop this execution when the pipeline's creation started it",
    )


def find_image(image: str) -> Permission:
    return Permission(
        ("ecr:DescribeImages",),
        (Repository(image),),
        f"tell a missing {image} image (ImageNotFoundException) from any other answer",
    )
