"""Each environment option said once: its cdk.json key, the construct's argument, type, default
and meaning.

Plain Python (no aws_cdk), so the app and the constructs read the same declarations. The rest
is derived from them or tested against them: the settings reader reads the simple options
from here; tests hold the JSON Schema's per-environment keys (`app/settings.schema.json`), the
keyword defaults and `:param` entries of `SprykerEnvironment`, the defaults of `PlanOptions`
and `EnvironmentSettings` to them; the table of docs/settings.md is `markdown_table()`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from . import naming

__all__ = ["OPTIONS", "REQUIRED", "Option", "markdown_table", "option", "read_simple"]


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: The default of an option cdk.json must give.
REQUIRED: Final = _Required()


@dataclass(frozen=True)
class Option:
    """One option of an environment."""

    #: The key in cdk.json, under `context."sccos-pipeline:environments".<name>`.
    key: str
    #: The attribute of the app's `EnvironmentSettings` (none: read into several).
    name: str | None
    #: The keyword argument of `SprykerEnvironment` (none: the app's own, or a reference the
    #: app makes from it).
    prop: str | None
    #: JSON type in cdk.json: string, boolean, array or object.
    type: str
    #: What it means, for the docs' table (Markdown).
    doc: str
    #: The value when cdk.json leaves it out, in the construct's and the settings' terms;
    #: REQUIRED when cdk.json must give it.
    default: Any = REQUIRED
    #: How the docs and the construct's docstring say the default ("Default: <default_doc>").
    default_doc: str = ""
    #: The same field of `PlanOptions` takes the construct's value as it is (same default).
    in_plan: bool = False
    #: What cdk.json allows, as the schema's description says it (the "allowed:" of its errors).
    allowed: str | None = None
    #: Read as `data.get(key, default)` (a tuple for an array) by the settings reader.
    simple: bool = False

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


_ONE_OF = "`codestar` (`connectionArn`, `owner`, `repository`), `codecommit` (`repository`)"

OPTIONS: tuple[Option, ...] = (
    Option(
        "account",
        "account",
        None,
        "string",
        "the AWS account, 12 digits",
        simple=True,
        allowed='12 digits as a string, e.g. "123456789012"',
    ),
    Option(
        "region",
        "region",
        None,
        "string",
        "the AWS region",
        simple=True,
        allowed='an AWS region, e.g. "eu-central-1"',
    ),
    Option(
        "deployFile",
        "deploy_file",
        "deploy_file",
        "string",
        "the Spryker deploy file, relative to cdk.json",
        simple=True,
        allowed="the Spryker deploy file, relative to cdk.json",
    ),
    Option(
        "project",
        "project",
        "project",
        "string",
        "the project name, which every resource name starts with",
        None,
        "from the deploy file's name, else its `namespace`",
        simple=True,
        allowed="the project name; default: from deploy.<name>.yml, else namespace",
    ),
    Option(
        "deployFileInRepository",
        "deploy_file_in_repository",
        "deploy_file_in_repository",
        "string",
        "the deploy file's path in the repository, for `docker/sdk boot`",
        None,
        "the deploy file's name",
        in_plan=True,
        simple=True,
        allowed="the deploy file's path in the repository; default: its name",
    ),
    Option(
        "production",
        "production",
        "production",
        "boolean",
        "the environment serves customers",
        False,
        "False",
        in_plan=True,
        simple=True,
        allowed="true or false (default)",
    ),
    Option(
        "allowDestructiveInProduction",
        "allow_destructive_in_production",
        "allow_destructive_in_production",
        "boolean",
        "a production environment may have the destructive pipeline",
        False,
        "False",
        simple=True,
        allowed="true or false (default)",
    ),
    Option(
        "destructiveOnPush",
        "destructive_on_push",
        "destructive_on_push",
        "boolean",
        "the destructive pipeline starts on push too (refused in production)",
        False,
        "False",
        in_plan=True,
        simple=True,
        allowed="true or false (default)",
    ),
    Option(
        "deployOnPush",
        "deploy_on_push",
        "deploy_on_push",
        "boolean",
        "NORMAL starts on push and deploys the pushed commit",
        None,
        "True, but False in production",
        in_plan=True,
        simple=True,
        allowed='true or false; default: true, but false when "production" is true',
    ),
    Option(
        "pipelines",
        "pipelines",
        "pipelines",
        "array",
        "which pipelines to create: `normal`, `destructive`, `build`, `maintenance-enable`, "
        "`maintenance-disable`, `rollout-scheduler`, `ecs-updater`",
        None,
        "every one this version plans",
        allowed=(
            'which pipelines to create; default: every one (without "destructive" in production)'
        ),
    ),
    Option(
        "source",
        "source",
        "source",
        "object",
        f"where the pipelines take the code from: `type` {_ONE_OF} or `s3` (`bucket`, `key`); "
        "`branch`, `triggerOnPush`, `filePaths`",
    ),
    Option(
        "vpc",
        None,
        "vpc",
        "object",
        "the existing VPC: `id`, `availabilityZones`, `privateSubnetIds`, "
        "`privateSubnetRouteTableIds`",
        allowed=(
            "the existing VPC: id, availabilityZones, privateSubnetIds, privateSubnetRouteTableIds"
        ),
    ),
    Option(
        "clusterName",
        "cluster_name",
        None,
        "string",
        "the existing ECS cluster's name",
        simple=True,
        allowed="the existing ECS cluster's name: letters, digits, '-' and '_'",
    ),
    Option(
        "taskRolePrefix",
        "task_role_prefix",
        "task_role_prefix",
        "string",
        "the pipelines pass to ECS tasks only the roles whose names start with it; environments "
        "of one account need prefixes that do not start one another",
        None,
        "the services' own task and execution roles when every service is defined in this app, "
        "else `<cluster name>-`",
        simple=True,
        allowed=(
            "the pipelines pass to ECS tasks only the roles whose names start with "
            'it (the services\' task and execution roles), e.g. "shop-staging-"; '
            "default: clusterName and '-'; environments of one account need "
            "prefixes that do not start one another"
        ),
    ),
    Option(
        "services",
        "services",
        "services",
        "object",
        "`{key: {name, container, taskFamily}}` for every application of the deploy file, "
        "`frontend` and `jenkins`; `container` defaults to the key, `taskFamily` to the "
        "service's name",
        allowed=(
            '{key: {"name": SERVICE, "container": CONTAINER}} for every application '
            "of the deploy file, frontend and jenkins"
        ),
    ),
    Option(
        "broker",
        None,
        "broker",
        "object",
        "the RabbitMQ management API and its credentials: `apiUrl`, `adminSecretArn`, "
        "`applicationSecretArn`",
        allowed='{"apiUrl", "adminSecretArn", "applicationSecretArn"}',
    ),
    Option(
        "zedEnvironment",
        "zed_environment",
        "zed_environment",
        "object",
        "`{NAME: value}`, plain back-office variables of the hooks",
        None,
        "none",
        allowed='{NAME: "value"}, plain back-office variables of the hooks',
    ),
    Option(
        "secrets",
        "secrets",
        "secrets",
        "object",
        "secret variables of the hooks: `{NAME: {parameter}}` (SSM) or "
        "`{NAME: {secretArn, jsonKey}}` (Secrets Manager)",
        None,
        "none",
        allowed='{NAME: {"parameter": PATH}} or {NAME: {"secretArn": ARN, "jsonKey": KEY}}',
    ),
    Option(
        "hooks",
        "hooks",
        "hook_settings",
        "object",
        "`{stage: {timeoutMinutes, computeType, privileged}}` for the stages `pre-deploy`, "
        "`install`, `post-deploy`; compute types `SMALL`, `MEDIUM`, `LARGE`, `XLARGE`, "
        "`2XLARGE`",
        None,
        "Spryker's (20 min; MEDIUM, LARGE, MEDIUM; not privileged)",
        allowed=(
            '{stage: {"timeoutMinutes", "computeType", "privileged"}} for '
            "pre-deploy, install, post-deploy"
        ),
    ),
    Option(
        "approvalEmails",
        "approval_emails",
        "approval_emails",
        "array",
        "e-mail addresses subscribed to the approval topic",
        (),
        "none",
        simple=True,
        allowed="a list of distinct e-mail addresses",
    ),
    Option(
        "preDeploymentCommands",
        "pre_deployment_commands",
        "pre_deployment_commands",
        "array",
        "shell commands of Pre_Deployment_Configuration",
        (),
        "none",
        in_plan=True,
        simple=True,
        allowed="a list of shell commands",
    ),
    Option(
        "postDeploymentCommands",
        "post_deployment_commands",
        "post_deployment_commands",
        "array",
        "shell commands of Post_Deployment_Configuration",
        (),
        "none",
        in_plan=True,
        simple=True,
        allowed="a list of shell commands",
    ),
    Option(
        "keepDeployedVersions",
        "keep_deployed_versions",
        "keep_deployed_versions",
        "integer",
        "how many of the last deployed versions the ECR lifecycle policy keeps, beside the "
        "running one ([Which images are kept](operating.md#which-images-are-kept))",
        naming.DEFAULT_KEEP_DEPLOYED_VERSIONS,
        str(naming.DEFAULT_KEEP_DEPLOYED_VERSIONS),
        simple=True,
        allowed="a whole number from 1 to 1000 of deployed versions whose images are never "
        "expired; default: 20",
    ),
)

_BY_KEY: Mapping[str, Option] = {o.key: o for o in OPTIONS}


def option(key: str) -> Option:
    """The option of a cdk.json key."""
    return _BY_KEY[key]


def read_simple(data: Mapping[str, Any]) -> dict[str, Any]:
    """The simple options of one environment's settings, by attribute name, defaults filled in
    (arrays as tuples)."""
    values: dict[str, Any] = {}
    for o in OPTIONS:
        if o.simple and o.name:
            value = data[o.key] if o.required else data.get(o.key, o.default)
            values[o.name] = tuple(value) if o.type == "array" else value
    return values


def markdown_table() -> str:
    """The table of docs/settings.md: one row per option."""
    rows = [
        "| cdk.json key | `SprykerEnvironment` argument | type | default | what it is |",
        "| --- | --- | --- | --- | --- |",
    ]
    for o in OPTIONS:
        prop = f"`{o.prop}`" if o.prop else "(the app's)"
        default = "required" if o.required else o.default_doc
        rows.append(f"| `{o.key}` | {prop} | {o.type} | {default} | {o.doc} |")
    return "\n".join(rows) + "\n"
