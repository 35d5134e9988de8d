"""The permissions the plan's projects ask for, named once (core.plan.model.Permission says how the
`on` references map to resources)."""

from __future__ import annotations

from .model import Permission

LOGIN = Permission(("ecr:GetAuthorizationToken",), ("*",), "docker login to ECR")
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
    ("repositories",),
    "push the images the Docker SDK builds",
)
FIND_IMAGES = Permission(
    ("ecr:DescribeImages",),
    ("repositories",),
    "tell a missing image (ImageNotFoundException) from any other answer",
)
DESCRIBE_TASK_DEFINITIONS = Permission(
    ("ecs:DescribeTaskDefinition",), ("*",), "read what a service runs (no resource type)"
)
PASS_TASK_ROLES = Permission(
    ("iam:PassRole",), ("task-roles",), "register a task definition with the service's roles"
)


def register_task_definitions(on: str = "task-definitions") -> Permission:
    return Permission(
        ("ecs:RegisterTaskDefinition",),
        (on,),
        "register a revision in the services' task families (IAM asks about family:revision)",
    )


def tag_new_task_definitions(on: str = "task-definitions") -> Permission:
    return Permission(
        ("ecs:TagResource",),
        (on,),
        "keep a task definition's tags on the revision it registers (only when registering one)",
        ("StringEquals", "ecs:CreateAction", "RegisterTaskDefinition"),
    )


def retag(image: str) -> Permission:
    return Permission(
        ("ecr:BatchGetImage", "ecr:DescribeImages", "ecr:PutImage"),
        (f"repository:{image}",),
        "move a tag of the hook image: read the manifest, put it under the new tag",
    )


RETAG_EVERYWHERE = Permission(
    ("ecr:BatchGetImage", "ecr:PutImage"),
    ("repositories",),
    "tag the version in every repository (read the manifest, put it under the new tag), so "
    "that the lifecycle policy keeps it",
)


def read_parameters(*names: str) -> Permission:
    return Permission(
        ("ssm:GetParameter", "ssm:GetParameters"),
        tuple(f"parameter:{n}" for n in names),
        "read the versions",
    )


def write_parameter(name: str) -> Permission:
    return Permission(("ssm:PutParameter",), (f"parameter:{name}",), f"record {name}")


def describe_services(on: str = "services") -> Permission:
    return Permission(("ecs:DescribeServices",), (on,), "ask ECS what the services run")


def update_services(on: str = "services") -> Permission:
    return Permission(("ecs:UpdateService",), (on,), "roll the services to a new revision")


def trigger_of(*kinds: str) -> Permission:
    return Permission(
        ("codepipeline:GetPipelineExecution",),
        tuple(f"pipeline:{k}" for k in kinds),
        "read how this execution was started",
    )


def list_executions(*kinds: str) -> Permission:
    return Permission(
        ("codepipeline:ListPipelineExecutions",),
        tuple(f"pipeline:{k}" for k in kinds),
        "see whether another deployment of the environment runs",
    )


READ_VARIABLES = Permission(
    ("ssm:GetParametersByPath", "ssm:GetParameters"),
    ("variable-tree",),
    "read the environment's Spryker variables",
)


def stop_execution(*kinds: str) -> Permission:
    return Permission(
        ("codepipeline:StopPipelineExecution",),
        tuple(f"pipeline:{k}" for k in kinds),
        "stop this execution when the pipeline's creation started it",
    )


def find_image(image: str) -> Permission:
    return Permission(
        ("ecr:DescribeImages",),
        (f"repository:{image}",),
        f"tell a missing {image} image (ImageNotFoundException) from any other answer",
    )
