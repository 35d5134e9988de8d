"""The app's environment settings, read once from cdk.json context into typed values.

Plain Python (no aws_cdk). The settings are checked against settings.schema.json first, then
for what a schema cannot say (names AWS would refuse, production guards); every problem is
reported with its key path as written in cdk.json, all at once, so synth fails with one clear
message instead of a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core import naming
from ..core.options import read_simple
from ..core.stages import PipelineKind, Stage
from .schema import CONTEXT_KEY, key_path, schema_problems

__all__ = ["CONTEXT_KEY", "EnvironmentSettings", "SettingsError", "read_settings"]


class SettingsError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid settings in cdk.json:\n" + "\n".join(f"  {p}" for p in problems))


@dataclass(frozen=True)
class SourceSettings:
    type: str  # codestar | codecommit | s3
    branch: str = "main"
    connection_arn: str = ""
    owner: str = ""
    repository: str = ""
    bucket: str = ""
    key: str = ""
    trigger_on_push: bool = True
    file_paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServiceSettings:
    name: str
    container: str
    task_family: str | None = None  # None: the service's name


@dataclass(frozen=True)
class SecretSettings:
    parameter: str | None = None
    secret_arn: str | None = None
    json_key: str | None = None


@dataclass(frozen=True)
class HookSettings:
    timeout_minutes: int | None = None
    compute_type: str | None = None
    privileged: bool | None = None


@dataclass(frozen=True)
class EnvironmentSettings:
    name: str
    account: str
    region: str
    deploy_file: str
    source: SourceSettings
    vpc_id: str
    availability_zones: tuple[str, ...]
    private_subnet_ids: tuple[str, ...]
    private_subnet_route_table_ids: tuple[str, ...]
    cluster_name: str
    services: Mapping[str, ServiceSettings]
    broker_api_url: str
    broker_admin_secret_arn: str
    broker_application_secret_arn: str
    project: str | None = None
    deploy_file_in_repository: str | None = None
    production: bool = False
    allow_destructive_in_production: bool = False
    destructive_on_push: bool = False
    deploy_on_push: bool | None = None  # None: not in production
    task_role_prefix: str | None = None  # None: `<clusterName>-`
    pipelines: tuple[PipelineKind, ...] | None = (
        None  # None: every one (no destructive in production)
    )
    zed_environment: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, SecretSettings] = field(default_factory=dict)
    hooks: Mapping[Stage, HookSettings] = field(default_factory=dict)
    approval_emails: tuple[str, ...] = ()
    keep_deployed_versions: int = naming.DEFAULT_KEEP_DEPLOYED_VERSIONS
    pre_deployment_commands: tuple[str, ...] = ()
    post_deployment_commands: tuple[str, ...] = ()


def read_settings(context: Any) -> list[EnvironmentSettings]:
    """All environments of the context value; raises SettingsError listing every problem."""
    problems = schema_problems(context)
    if problems:
        raise SettingsError(problems)
    environments = [_environment(name, data) for name, data in context.items()]
    problems = [p for e in environments for p in _problems(e)]
    if problems:
        raise SettingsError(problems)
    return environments


def _problems(e: EnvironmentSettings) -> list[str]:
    """What the schema cannot say: names AWS would refuse, production guards, VPC shape."""
    at = f"{key_path([e.name])}."
    problems = []
    if e.project is not None and (problem := naming.project_name_problem(e.project)):
        rule = naming.PROJECT_RULE
        problems.append(f"{at}project: {problem}; allowed: {rule}")
    destructive = e.pipelines is not None and PipelineKind.DESTRUCTIVE in e.pipelines
    if e.production and destructive and not e.allow_destructive_in_production:
        problems.append(
            f"{at}pipelines: a destructive pipeline resets all data of a production environment "
            '("production": true); allowed: the list without "destructive" (or no "pipelines": '
            'every one but destructive), or "allowDestructiveInProduction": true'
        )
    if e.production and destructive and e.destructive_on_push:
        problems.append(
            f"{at}destructiveOnPush: a push would reset the data of a production environment; "
            "allowed: false, the destructive pipeline is started by hand"
        )
    for index, zone in enumerate(e.availability_zones):
        if not zone.startswith(e.region):
            problems.append(
                f"{at}vpc.availabilityZones[{index}]: {zone} is not in {e.region}; "
                f"allowed: zones of the environment's region, e.g. {e.region}a"
            )
    zones, subnets = len(e.availability_zones), len(e.private_subnet_ids)
    if subnets % zones:
        problems.append(
            f"{at}vpc.privateSubnetIds: {subnets} subnets for {zones} availability zones; "
            "allowed: the same number of subnets in each availability zone"
        )
    tables = len(e.private_subnet_route_table_ids)
    if tables and tables != subnets:
        problems.append(
            f"{at}vpc.privateSubnetRouteTableIds: {tables} route tables for {subnets} subnets; "
            "allowed: one per private subnet, in the same order"
        )
    containers: dict[tuple[str, str], str] = {}
    for key, service in e.services.items():
        first = containers.setdefault((service.name, service.container), key)
        if first != key:
            problems.append(
                f"{at}services.{key}.container: is {json.dumps(service.container)}, the "
                f"container of {at}services.{first} in the same ECS service {service.name}: "
                "one deployment would give it two images; allowed: each application's own "
                "container"
            )
    return problems


def _environment(name: str, data: dict[str, Any]) -> EnvironmentSettings:
    """Typed settings from data the schema has accepted, defaults filled in (the simple options
    as core.options declares them)."""
    source, vpc, broker = data["source"], data["vpc"], data["broker"]
    return EnvironmentSettings(
        name=name,
        **read_simple(data),
        pipelines=(
            tuple(PipelineKind(v) for v in data["pipelines"]) if "pipelines" in data else None
        ),
        source=SourceSettings(
            type=source["type"],
            branch=source.get("branch", "main"),
            connection_arn=source.get("connectionArn", ""),
            owner=source.get("owner", ""),
            repository=source.get("repository", ""),
            bucket=source.get("bucket", ""),
            key=source.get("key", ""),
            trigger_on_push=source.get("triggerOnPush", source["type"] != "s3"),
            file_paths=tuple(source.get("filePaths", ())),
        ),
        vpc_id=vpc["id"],
        availability_zones=tuple(vpc["availabilityZones"]),
        private_subnet_ids=tuple(vpc["privateSubnetIds"]),
        private_subnet_route_table_ids=tuple(vpc.get("privateSubnetRouteTableIds", ())),
        services={
            key: ServiceSettings(
                service["name"], service.get("container", key), service.get("taskFamily")
            )
            for key, service in data["services"].items()
        },
        broker_api_url=broker["apiUrl"],
        broker_admin_secret_arn=broker["adminSecretArn"],
        broker_application_secret_arn=broker["applicationSecretArn"],
        zed_environment=dict(data.get("zedEnvironment", {})),
        secrets={
            key: SecretSettings(s.get("parameter"), s.get("secretArn"), s.get("jsonKey"))
            for key, s in data.get("secrets", {}).items()
        },
        hooks={
            Stage(stage): HookSettings(
                hook.get("timeoutMinutes"), hook.get("computeType"), hook.get("privileged")
            )
            for stage, hook in data.get("hooks", {}).items()
        },
    )
