"""The app's environment settings, read once from cdk.json context into typed values.

Plain Python (no aws_cdk): every wrong or missing setting is reported with its full key, all at
once, so `make synth` fails with one clear message instead of a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core.stages import PipelineType, Stage

CONTEXT_KEY = "sccos-pipeline:environments"
_ACCOUNT = re.compile(r"\d{12}")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d")


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
    pipelines: tuple[PipelineType, ...] = (PipelineType.NORMAL, PipelineType.DESTRUCTIVE)
    zed_environment: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, SecretSettings] = field(default_factory=dict)
    hooks: Mapping[Stage, HookSettings] = field(default_factory=dict)
    approval_emails: tuple[str, ...] = ()
    pre_deployment_commands: tuple[str, ...] = ()
    post_deployment_commands: tuple[str, ...] = ()


class _Reader:
    """Typed reads from nested JSON, collecting problems under their dotted key."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def get(
        self, data: Mapping[str, Any], key: str, where: str, kind: type, default: Any = ...
    ) -> Any:
        if key not in data:
            if default is ...:
                self.problems.append(f"{where}.{key}: missing ({kind.__name__} required)")
                return kind()
            return default
        value = data[key]
        if kind is float and isinstance(value, int):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.problems.append(f"{where}.{key}: expected {kind.__name__}, got {value!r}")
            return kind() if default is ... else default
        return value

    def strings(self, data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        values = self.get(data, key, where, list, [])
        bad = [v for v in values if not isinstance(v, str)]
        if bad:
            self.problems.append(f"{where}.{key}: expected a list of strings, got {bad!r}")
        return tuple(v for v in values if isinstance(v, str))

    def mapping(
        self, data: Mapping[str, Any], key: str, where: str, required: bool = False
    ) -> dict[str, Any]:
        value: dict[str, Any] = self.get(data, key, where, dict, ... if required else {})
        return value


def read_settings(context: Any) -> list[EnvironmentSettings]:
    """All environments of the context value; raises SettingsError listing every problem."""
    reader = _Reader()
    if not isinstance(context, dict) or not context:
        raise SettingsError([f"{CONTEXT_KEY}: expected a mapping of environment name to settings"])
    environments = [_environment(reader, name, data) for name, data in context.items()]
    if reader.problems:
        raise SettingsError(reader.problems)
    return [e for e in environments if e is not None]


def _environment(r: _Reader, name: str, data: Any) -> EnvironmentSettings | None:
    where = f"{CONTEXT_KEY}.{name}"
    if not isinstance(data, dict):
        r.problems.append(f"{where}: expected a mapping, got {data!r}")
        return None
    account = r.get(data, "account", where, str)
    region = r.get(data, "region", where, str)
    if account and not _ACCOUNT.fullmatch(account):
        r.problems.append(f"{where}.account: expected 12 digits, got {account!r}")
    if region and not _REGION.fullmatch(region):
        r.problems.append(f"{where}.region: expected a region such as eu-central-1, got {region!r}")
    source = r.mapping(data, "source", where, required=True)
    source_type = r.get(source, "type", f"{where}.source", str)
    needs = {
        "codestar": ("connectionArn", "owner", "repository"),
        "codecommit": ("repository",),
        "s3": ("bucket", "key"),
    }
    if source_type not in needs:
        r.problems.append(
            f"{where}.source.type: expected codestar, codecommit or s3, got {source_type!r}"
        )
    for key in needs.get(source_type, ()):
        r.get(source, key, f"{where}.source", str)
    vpc = r.mapping(data, "vpc", where, required=True)
    broker = r.mapping(data, "broker", where, required=True)
    services: dict[str, ServiceSettings] = {}
    for key, service in r.mapping(data, "services", where, required=True).items():
        at = f"{where}.services.{key}"
        if not isinstance(service, dict):
            r.problems.append(f"{at}: expected {{name, container}}, got {service!r}")
            continue
        services[key] = ServiceSettings(
            r.get(service, "name", at, str), r.get(service, "container", at, str, key)
        )
    secrets: dict[str, SecretSettings] = {}
    for key, secret in r.mapping(data, "secrets", where).items():
        at = f"{where}.secrets.{key}"
        if not isinstance(secret, dict) or ("parameter" in secret) == ("secretArn" in secret):
            r.problems.append(
                f"{at}: expected {{parameter: NAME}} or {{secretArn: ARN, jsonKey: KEY}}, "
                f"got {secret!r}"
            )
            continue
        secrets[key] = SecretSettings(
            secret.get("parameter"), secret.get("secretArn"), secret.get("jsonKey")
        )
    hooks: dict[Stage, HookSettings] = {}
    for key, hook in r.mapping(data, "hooks", where).items():
        at = f"{where}.hooks.{key}"
        if key not in {s.value for s in Stage} or not isinstance(hook, dict):
            r.problems.append(
                f"{at}: expected a stage (pre-deploy, install, post-deploy) with settings"
            )
            continue
        hooks[Stage(key)] = HookSettings(
            r.get(hook, "timeoutMinutes", at, int, None),
            r.get(hook, "computeType", at, str, None),
            r.get(hook, "privileged", at, bool, None),
        )
    pipelines = []
    for value in r.strings(data, "pipelines", where) or ("normal", "destructive"):
        if value in {t.value for t in PipelineType}:
            pipelines.append(PipelineType(value))
        else:
            r.problems.append(f"{where}.pipelines: {value!r} is not normal or destructive")
    zed = r.mapping(data, "zedEnvironment", where)
    bad = {k: v for k, v in zed.items() if not isinstance(v, str)}
    if bad:
        r.problems.append(f"{where}.zedEnvironment: values must be strings, got {bad!r}")
    return EnvironmentSettings(
        name=name,
        account=account,
        region=region,
        deploy_file=r.get(data, "deployFile", where, str),
        project=r.get(data, "project", where, str, None),
        deploy_file_in_repository=r.get(data, "deployFileInRepository", where, str, None),
        production=r.get(data, "production", where, bool, False),
        allow_destructive_in_production=r.get(
            data, "allowDestructiveInProduction", where, bool, False
        ),
        destructive_on_push=r.get(data, "destructiveOnPush", where, bool, False),
        pipelines=tuple(pipelines),
        source=SourceSettings(
            type=source_type,
            branch=r.get(source, "branch", f"{where}.source", str, "main"),
            connection_arn=source.get("connectionArn", ""),
            owner=source.get("owner", ""),
            repository=source.get("repository", ""),
            bucket=source.get("bucket", ""),
            key=source.get("key", ""),
            trigger_on_push=r.get(
                source, "triggerOnPush", f"{where}.source", bool, source_type != "s3"
            ),
            file_paths=r.strings(source, "filePaths", f"{where}.source"),
        ),
        vpc_id=r.get(vpc, "id", f"{where}.vpc", str),
        availability_zones=r.strings(vpc, "availabilityZones", f"{where}.vpc"),
        private_subnet_ids=r.strings(vpc, "privateSubnetIds", f"{where}.vpc"),
        private_subnet_route_table_ids=r.strings(vpc, "privateSubnetRouteTableIds", f"{where}.vpc"),
        cluster_name=r.get(data, "clusterName", where, str),
        services=services,
        broker_api_url=r.get(broker, "apiUrl", f"{where}.broker", str),
        broker_admin_secret_arn=r.get(broker, "adminSecretArn", f"{where}.broker", str),
        broker_application_secret_arn=r.get(broker, "applicationSecretArn", f"{where}.broker", str),
        zed_environment={k: v for k, v in zed.items() if isinstance(v, str)},
        secrets=secrets,
        hooks=hooks,
        approval_emails=r.strings(data, "approvalEmails", where),
        pre_deployment_commands=r.strings(data, "preDeploymentCommands", where),
        post_deployment_commands=r.strings(data, "postDeploymentCommands", where),
    )
