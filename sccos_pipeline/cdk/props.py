"""Typed settings the constructs take. Each field documents its default."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_codecommit as codecommit
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager

from ..core.plan.model import DEFAULT_HOOK_SIZES, HookSize
from ..core.stages import Stage

# The plan speaks CodeBuild's API values.
COMPUTE = {
    "BUILD_GENERAL1_SMALL": codebuild.ComputeType.SMALL,
    "BUILD_GENERAL1_MEDIUM": codebuild.ComputeType.MEDIUM,
    "BUILD_GENERAL1_LARGE": codebuild.ComputeType.LARGE,
    "BUILD_GENERAL1_XLARGE": codebuild.ComputeType.X_LARGE,
    "BUILD_GENERAL1_2XLARGE": codebuild.ComputeType.X2_LARGE,
}
COMPUTE_NAME = {member: name for name, member in COMPUTE.items()}
_SIZE = HookSize()  # the plan's defaults, said once there


@dataclass(frozen=True)
class HookProjectSettings:
    """Size of one hook stage's CodeBuild project.

    Defaults are those of the hook projects SCCOS creates itself: 20 minutes; MEDIUM for pre-
    and post-deploy, LARGE for install (see DEFAULT_HOOK_SETTINGS).
    """

    timeout_minutes: int = _SIZE.timeout_minutes
    compute_type: codebuild.ComputeType = COMPUTE[_SIZE.compute]
    #: Docker-in-Docker for hooks that run containers. Default: False (least privilege).
    privileged: bool = _SIZE.privileged


#: The plan's DEFAULT_HOOK_SIZES in the construct's terms.
DEFAULT_HOOK_SETTINGS: dict[Stage, HookProjectSettings] = {
    stage: HookProjectSettings(size.timeout_minutes, COMPUTE[size.compute], size.privileged)
    for stage, size in DEFAULT_HOOK_SIZES.items()
}


@dataclass(frozen=True)
class ServiceTarget:
    """An existing ECS service the pipeline redeploys, and the container that gets the image.

    A service defined in the same app also tells its task definition: the pipelines may then
    pass only its task and execution roles, and register and tag revisions only in its family.
    """

    service: ecs.IBaseService
    container_name: str
    #: The task-definition family the service runs: the pipelines register revisions in it and
    #: in no other. Default: its task definition's family when the service is defined in this
    #: app, else the service's name.
    task_family: str | None = None


@dataclass(frozen=True)
class SecretSource:
    """A secret environment variable of the hook projects; never a plain-text value.

    Give exactly one of `parameter_name` (an SSM Parameter Store SecureString) or `secret`
    (a Secrets Manager secret, optionally one `json_key` of it).
    """

    parameter_name: str | None = None
    secret: secretsmanager.ISecret | None = None
    json_key: str | None = None


@dataclass(frozen=True)
class BrokerSettings:
    """How Configure_RabbitMQ_Vhosts_and_Permissions reaches the broker's management API."""

    api_url: str  # e.g. https://b-1234.mq.eu-central-1.amazonaws.com
    #: Secrets Manager secret with JSON keys `username` and `password` of a broker admin.
    admin_secret: secretsmanager.ISecret
    #: Secrets Manager secret with JSON keys `username` and `password` of the application user.
    application_secret: secretsmanager.ISecret


@dataclass(frozen=True)
class CodeStarConnectionSource:
    """GitHub, Bitbucket or GitLab through a CodeStar connection (CodeConnections)."""

    connection_arn: str
    owner: str
    repository: str
    branch: str = "main"
    #: Start on push to `branch`. Default: True (never for a destructive production pipeline).
    trigger_on_push: bool = True
    #: Push filter of the pipeline V2 trigger: only pushes touching these paths start it.
    #: Default: empty, every push.
    file_paths: Sequence[str] = field(default_factory=tuple)
    #: Extra branch globs the trigger accepts besides `branch`. Default: none.
    extra_branches: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class CodeCommitSource:
    """A branch of a CodeCommit repository."""

    repository: codecommit.IRepository
    branch: str = "main"
    trigger_on_push: bool = True  # Default: True (never for a destructive production pipeline)


@dataclass(frozen=True)
class S3Source:
    """A zipped source in a versioned S3 bucket; the object version is the deployed version."""

    bucket: s3.IBucket
    key: str
    trigger_on_push: bool = False  # Default: False; True needs a CloudTrail trail for the bucket


PipelineSource = CodeStarConnectionSource | CodeCommitSource | S3Source


#: A problem's text, or (prop, text): the prop it is about as a dotted path, e.g.
#: "zed_environment.SPRYKER_DB_PASSWORD", so that apps can name their own setting instead.
Problem = str | tuple[str, str]


class PropsError(ValueError):
    """Invalid construct props; lists every problem with the value received and the fix."""

    def __init__(self, construct: str, problems: Sequence[Problem]) -> None:
        self.located = [p if isinstance(p, tuple) else ("", p) for p in problems]
        self.problems = [f"{prop}: {text}" if prop else text for prop, text in self.located]
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{construct}: {len(problems)} invalid prop(s):\n{lines}")
