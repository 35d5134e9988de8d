"""What an AWS API request asks of IAM: its action, the resources, and the request context.

Only the operations the pipelines' steps make are mapped; anything else fails closed, so a new
call in a buildspec gets its mapping here before it can pass a rehearsal. Resource ARNs follow
each service's "Actions, resources, and condition keys" page of the Service Authorization
Reference.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...core.naming import partition_of

# JSON-protocol services: the X-Amz-Target prefix and the IAM service prefix.
JSON_TARGETS: dict[str, str] = {
    "AmazonEC2ContainerRegistry_V20150921": "ecr",
    "AmazonSSM": "ssm",
    "secretsmanager": "secretsmanager",
    "AmazonEC2ContainerServiceV20141113": "ecs",
    "CodePipeline_20150709": "codepipeline",
    "CodeBuild_20161006": "codebuild",
    "Logs_20140328": "logs",
    "TrentService": "kms",
}


@dataclass(frozen=True)
class Access:
    """One IAM question a request asks: may the caller do `action` on `resource`?"""

    action: str
    resource: str
    context: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    service: str  # the IAM service prefix, e.g. "ecr"
    operation: str  # the API operation, e.g. "BatchGetImage"
    params: Mapping[str, Any]
    region: str
    account: str


class UnmappedError(Exception):
    """The rehearsal does not know which IAM action and resource this request needs."""


def _arn(request: Request, service: str, resource: str) -> str:
    partition = partition_of(request.region)
    return f"arn:{partition}:{service}:{request.region}:{request.account}:{resource}"


def _repository(request: Request) -> list[Access]:
    name = request.params.get("repositoryName")
    if not isinstance(name, str):
        raise UnmappedError("no repositoryName")
    return [Access(f"ecr:{request.operation}", _arn(request, "ecr", f"repository/{name}"))]


def _ecr(request: Request) -> list[Access]:
    if request.operation in ("GetAuthorizationToken", "DescribeRegistry"):
        return [Access(f"ecr:{request.operation}", "*")]
    return _repository(request)


def parameter_arn(request: Request, name: str) -> str:
    if name.startswith("arn:"):
        return name
    return _arn(request, "ssm", f"parameter/{name.lstrip('/')}")


def _ssm(request: Request) -> list[Access]:
    action = f"ssm:{request.operation}"
    params = request.params
    if request.operation in ("GetParameters", "DeleteParameters"):
        names = params.get("Names")
        if not isinstance(names, list) or not names:
            raise UnmappedError("no Names")
        return [Access(action, parameter_arn(request, str(n))) for n in names]
    # Whoever may read a path reads every level below it; ssm:Recursive and ssm:Overwrite
    # say how (https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-access.html,
    # .../parameter-store-policy-conditions.html).
    if request.operation == "GetParametersByPath":
        recursive = {"ssm:Recursive": str(bool(params.get("Recursive"))).lower()}
        return [Access(action, parameter_arn(request, str(params.get("Path", ""))), recursive)]
    if request.operation == "DescribeParameters":
        return [Access(action, "*")]
    name = params.get("Name")
    if not isinstance(name, str):
        raise UnmappedError("no Name")
    if request.operation == "PutParameter":
        overwrite = {"ssm:Overwrite": str(bool(params.get("Overwrite"))).lower()}
        return [Access(action, parameter_arn(request, name), overwrite)]
    return [Access(action, parameter_arn(request, name))]


def service_arn(request: Request, cluster: str, service: str) -> str:
    """The long ARN format, `service/<cluster>/<name>`, of every service created since 2021."""
    if service.startswith("arn:"):
        return service
    cluster_name = cluster.rsplit("/", 1)[-1] if cluster else "default"
    return _arn(request, "ecs", f"service/{cluster_name}/{service}")


def _ecs(request: Request) -> list[Access]:
    action = f"ecs:{request.operation}"
    params = request.params
    cluster = str(params.get("cluster", "default"))
    if request.operation == "UpdateService":
        return [Access(action, service_arn(request, cluster, str(params.get("service", ""))))]
    if request.operation == "DescribeServices":
        services = params.get("services")
        if not isinstance(services, list) or not services:
            raise UnmappedError("no services")
        return [Access(action, service_arn(request, cluster, str(s))) for s in services]
    if request.operation in ("DescribeTaskDefinition", "ListTaskDefinitions"):
        return [Access(action, "*")]
    if request.operation == "RegisterTaskDefinition":
        # IAM asks about the revision ECS is about to give (the proxy adds it as _revision).
        family, revision = params.get("family", ""), params.get("_revision", 1)
        accesses = [Access(action, _arn(request, "ecs", f"task-definition/{family}:{revision}"))]
        if params.get("tags"):  # tagging on create is a second question (ECS developer guide)
            accesses.append(
                Access(
                    "ecs:TagResource",
                    accesses[0].resource,
                    {"ecs:CreateAction": "RegisterTaskDefinition"},
                )
            )
        # Passing the task's roles to ECS is a second question, asked per role.
        for key in ("taskRoleArn", "executionRoleArn"):
            role = params.get(key)
            if isinstance(role, str) and role:
                accesses.append(
                    Access("iam:PassRole", role, {"iam:PassedToService": "ecs-tasks.amazonaws.com"})
                )
        return accesses
    if request.operation == "TagResource":
        return [Access(action, str(params.get("resourceArn", "")))]
    raise UnmappedError(f"ECS {request.operation}")


def _codepipeline(request: Request) -> list[Access]:
    name = request.params.get("pipelineName", request.params.get("name"))
    if not isinstance(name, str):
        raise UnmappedError("no pipelineName")
    return [Access(f"codepipeline:{request.operation}", _arn(request, "codepipeline", name))]


def _secretsmanager(request: Request) -> list[Access]:
    secret = request.params.get("SecretId")
    if not isinstance(secret, str):
        raise UnmappedError("no SecretId")
    arn = (
        secret if secret.startswith("arn:") else _arn(request, "secretsmanager", f"secret:{secret}")
    )
    return [Access(f"secretsmanager:{request.operation}", arn)]


def _sns(request: Request) -> list[Access]:
    topic = request.params.get("TopicArn")
    if request.operation != "Publish" or not isinstance(topic, str):
        raise UnmappedError(f"SNS {request.operation}")
    return [Access("sns:Publish", topic)]


def _sts(request: Request) -> list[Access]:
    if request.operation == "GetCallerIdentity":
        return []  # needs no permission (STS API reference)
    raise UnmappedError(f"STS {request.operation}")


MAPPERS: dict[str, Callable[[Request], list[Access]]] = {
    "ecr": _ecr,
    "ssm": _ssm,
    "ecs": _ecs,
    "codepipeline": _codepipeline,
    "secretsmanager": _secretsmanager,
    "sns": _sns,
    "sts": _sts,
}


def accesses(request: Request) -> list[Access]:
    """The IAM questions of a request; raises UnmappedError when the rehearsal cannot tell."""
    mapper = MAPPERS.get(request.service)
    if mapper is None:
        raise UnmappedError(f"service {request.service!r}")
    return mapper(request)
