"""Brings variables to one ECS service's container: a new task definition revision, deployed.

`--set NAME=VALUE` goes into the container's environment; `--tree` puts the tree's variables
for the bucket into its secrets as parameter ARNs, which ECS reads when a task starts
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html).
Parameter Store changes reach running containers only through such an update, Spryker's
ECS-updater pipeline: https://docs.spryker.com/docs/ca/dev/add-variables-in-the-parameter-store.html

Usage: python3 -c "$(text)" --cluster C --service S --container N [--set NAME=VALUE ...]
       [--tree /{project}/{environment} --bucket app|scheduler] [--force-new-deployment]
Prints one line per change, never a secret's value. An unchanged container registers nothing
(a second run is harmless); --force-new-deployment still restarts the tasks then, so they
read the parameters' current values.

Self-contained and stdlib-only (Python 3.8+): it calls the AWS CLI, v1 or v2, since the
system python of CodeBuild's standard image has no boto3.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

# --- shared: parameter store (identical in variables.py, update_service.py, hook_variables.py)
# Spryker's naming convention and priority rules, and the AWS CLI call; see the module docstring.
TYPES = ("config", "secret")  # in ascending priority
BUCKETS = ("common", "app", "scheduler", "pipeline")
GRANTS = ("limited", "public")  # in ascending priority
RESERVED_PREFIX = "SPRYKER_"
RESERVED = frozenset(
    """
    ALLOWED_IP BLACKFIRE_AGENT_SOCKET BLACKFIRE_SERVER_ID BLACKFIRE_SERVER_TOKEN
    DATA_IMPORT_S3_BUCKET DATA_IMPORT_S3_KEY DATA_IMPORT_S3_SECRET DUMMY_INIT ENABLE_NRI_ECS
    JAVA_OPTS JENKINS_URL NEWRELIC_APPNAME NEWRELIC_ENABLED NEWRELIC_LICENSE
    NRIA_CUSTOM_ATTRIBUTES NRIA_LICENSE_KEY NRIA_OVERRIDE_HOST_ROOT NRIA_PASSTHROUGH_ENVIRONMENT
    NRIA_VERBOSE ONEAGENT_INSTALLER_DOWNLOAD_TOKEN ONEAGENT_INSTALLER_SCRIPT_URL
    RABBITMQ_DEFAULT_PASS RABBITMQ_DEFAULT_USER RABBITMQ_DEFAULT_VHOST RABBITMQ_ENDPOINT
    RABBITMQ_EXCHANGE_REGEXES RABBITMQ_INTEGRATIONS_INTERVAL RABBITMQ_NODENAME RABBITMQ_PASSWORD
    RABBITMQ_PORT RABBITMQ_QUEUES_REGEXES RABBITMQ_USE_SSL RABBITMQ_USERNAME TIDEWAYS_APIKEY
    TIDEWAYS_CLI_ENABLED TIDEWAYS_DAEMON_URI TIDEWAYS_ENVIRONMENT
    """.split()  # noqa: SIM905 - Spryker's list, compact
)
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")  # what POSIX sh can export


class ScriptError(Exception):
    """What stops a script: every problem found, one a line."""


class Variable(NamedTuple):
    type: str
    bucket: str
    grant: str
    name: str


def tree_prefix(tree: str) -> str:
    """TREE without a trailing slash; it must be an absolute path below the root."""
    prefix = tree.rstrip("/")
    if not prefix.startswith("/"):
        raise ScriptError(f"the tree {tree!r} is not a path like /{{project}}/{{environment}}")
    return prefix


def parse_path(path: str, tree: str) -> Variable:
    """(type, bucket, grant, name) of a parameter path under the tree."""
    prefix = tree_prefix(tree)
    form = f"{prefix}/{{{'|'.join(TYPES)}}}/{{{'|'.join(BUCKETS)}}}/{{{'|'.join(GRANTS)}}}/NAME"
    if not path.startswith(prefix + "/"):
        raise ScriptError(f"{path}: not under the tree {prefix}")
    parts = path[len(prefix) + 1 :].split("/")
    if len(parts) != 4 or not parts[3]:
        raise ScriptError(f"{path}: does not follow Spryker's convention {form}")
    for what, allowed, part in (
        ("type", TYPES, parts[0]),
        ("bucket", BUCKETS, parts[1]),
        ("grant", GRANTS, parts[2]),
    ):
        if part not in allowed:
            raise ScriptError(f"{path}: {what} {part!r} is none of {', '.join(allowed)} ({form})")
    return Variable(*parts)


def priority(variable: Variable) -> tuple[int, int, int]:
    """Higher wins: secret > config, then a service's bucket > common, then public > limited."""
    specific = 0 if variable.bucket == "common" else 1
    return (TYPES.index(variable.type), specific, GRANTS.index(variable.grant))


def name_problem(name: str) -> str | None:
    """Why a name cannot be a customer variable, if it cannot."""
    if not ENV_NAME.match(name):
        return f"{name!r} is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)"
    if name.startswith(RESERVED_PREFIX):
        return f"{name} is reserved by Spryker (every {RESERVED_PREFIX}* name)"
    if name in RESERVED:
        return f"{name} is reserved by Spryker"
    return None


def resolve(parameters: Mapping[str, Variable], bucket: str) -> dict[str, str]:
    """{name: path} for the buckets common and `bucket`, by priority; refuses bad names."""
    if bucket not in BUCKETS:
        raise ScriptError(f"bucket {bucket!r} is none of {', '.join(BUCKETS)}")
    chosen: dict[str, tuple[tuple[int, int, int], str]] = {}
    problems = []
    for path, variable in sorted(parameters.items()):
        if variable.bucket not in ("common", bucket):
            continue
        problem = name_problem(variable.name)
        if problem:
            problems.append(f"{path}: {problem}")
            continue
        rank = priority(variable)
        if variable.name not in chosen or rank > chosen[variable.name][0]:
            chosen[variable.name] = (rank, path)
    if problems:
        raise ScriptError("\n".join(problems))
    return {name: path for name, (_, path) in sorted(chosen.items())}


def resolve_paths(paths: Iterable[str], tree: str, bucket: str) -> dict[str, str]:
    """resolve() of the parameter paths under the tree; refuses every path off the convention."""
    parsed, problems = {}, []
    for path in paths:
        try:
            parsed[path] = parse_path(path, tree)
        except ScriptError as exc:
            problems.append(str(exc))
    try:
        resolved = resolve(parsed, bucket)
    except ScriptError as exc:
        problems.append(str(exc))
    if problems:
        raise ScriptError("\n".join(problems))
    return resolved


def aws(*args: str) -> Any:
    """The AWS CLI's JSON answer (v1 and v2 alike); a failure is ScriptError with its message."""
    env = dict(os.environ, AWS_PAGER="", PYTHONIOENCODING="UTF-8")  # v2 pages; v1 is python
    try:
        done = subprocess.run(
            ["aws", *args, "--output", "json"],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=env,
            check=False,
        )
    except FileNotFoundError:
        raise ScriptError("the AWS CLI (aws) is not on PATH") from None
    if done.returncode != 0:
        raise ScriptError(f"aws {' '.join(args[:2])} failed: {done.stderr.strip()}")
    return json.loads(done.stdout) if done.stdout.strip() else {}


def tree_variables(tree: str, bucket: str) -> dict[str, str]:
    """{name: parameter ARN} of the tree for a bucket (the CLI fetches every page)."""
    prefix = tree_prefix(tree)
    if bucket not in BUCKETS:
        raise ScriptError(f"bucket {bucket!r} is none of {', '.join(BUCKETS)}")
    found = aws("ssm", "get-parameters-by-path", "--path", prefix, "--recursive")
    arns = {p["Name"]: p.get("ARN") or p["Name"] for p in found.get("Parameters", [])}
    return {name: arns[path] for name, path in resolve_paths(arns, prefix, bucket).items()}


# --- end shared


# --- shared: ecs service (identical in update_service.py, hook_variables.py)
# A container's secrets name SSM parameters or Secrets Manager secrets in valueFrom:
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html
def service_task_definition(cluster: str, service: str) -> tuple[dict[str, Any], list[Any]]:
    """The task definition a service runs, and its tags."""
    found = aws("ecs", "describe-services", "--cluster", cluster, "--services", service)
    active = [s for s in found.get("services", []) if s.get("status") == "ACTIVE"]
    if not active:
        failures = json.dumps(found.get("failures", []))
        raise ScriptError(f"no active service {service} in the cluster {cluster}: {failures}")
    arn = active[0]["taskDefinition"]
    described = aws(
        "ecs", "describe-task-definition", "--task-definition", arn, "--include", "TAGS"
    )
    return described["taskDefinition"], described.get("tags") or []


def container_definition(task_definition: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The task definition's container called `name`."""
    containers = task_definition.get("containerDefinitions", [])
    for container in containers:
        if container.get("name") == name:
            return dict(container)
    names = ", ".join(str(c.get("name")) for c in containers)
    arn = task_definition.get("taskDefinitionArn")
    raise ScriptError(f"{arn} has no container {name} (it has {names})")


def ssm_name(value_from: str) -> str | None:
    """The parameter a secret's valueFrom names (ARN or name); None for other services' ARNs."""
    if not value_from.startswith("arn:"):
        return value_from
    parts = value_from.split(":", 5)
    if len(parts) == 6 and parts[2] == "ssm" and parts[5].startswith("parameter/"):
        return parts[5][len("parameter") :]  # the ARN of /p/e/x ends in parameter/p/e/x
    return None


# --- end shared

# What DescribeTaskDefinition returns that RegisterTaskDefinition does not take:
# https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html
READ_ONLY = frozenset(
    """
    taskDefinitionArn revision status requiresAttributes compatibilities
    registeredAt registeredBy deregisteredAt deleteRequestedAt
    """.split()  # noqa: SIM905 - compact
)


def parse_settings(items: Iterable[str]) -> dict[str, str]:
    """{NAME: VALUE} of --set NAME=VALUE items."""
    settings: dict[str, str] = {}
    for item in items:
        name, equals, value = item.partition("=")
        if not equals or not ENV_NAME.match(name):
            raise ScriptError(
                f"--set {item!r} is not NAME=VALUE with NAME like [A-Za-z_][A-Za-z0-9_]*"
            )
        if settings.get(name, value) != value:
            raise ScriptError(f"--set {name} is given two values")
        settings[name] = value
    return settings


def _shown(state: tuple[str, str]) -> str:
    kind, value = state
    return value if kind == "value" else f"from {ssm_name(value) or value}"


def merge_container(
    container: Mapping[str, Any],
    settings: Mapping[str, str],
    tree: str | None = None,
    tree_secrets: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """The container with settings in its environment and the tree's {name: ARN} in its secrets
    (replacing the tree's earlier entries), and one line per change; unchanged if no lines."""
    wanted = dict(tree_secrets or {}) if tree is not None else {}
    both = sorted(settings.keys() & wanted.keys())
    if both:
        raise ScriptError(f"{', '.join(both)}: both --set and in the tree; set each in one place")
    environment = container.get("environment", [])
    secrets = container.get("secrets", [])
    old: dict[str, tuple[str, str]] = {
        e["name"]: ("value", e.get("value", "")) for e in environment
    }
    old.update({s["name"]: ("secret", s["valueFrom"]) for s in secrets})
    new = dict(old)
    if tree is not None:
        prefix = tree_prefix(tree) + "/"
        for name, (kind, source) in old.items():
            if kind == "secret" and (ssm_name(source) or "").startswith(prefix):
                del new[name]  # the tree's earlier entry; back below if still in the tree
        for name, arn in wanted.items():
            kind, source = old.get(name, ("", ""))
            same = kind == "secret" and ssm_name(source) == ssm_name(arn)
            new[name] = ("secret", source if same else arn)  # no churn for an equal reference
    new.update((name, ("value", value)) for name, value in settings.items())
    changes = []
    for name in sorted(old.keys() | new.keys()):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if before is None and after is not None:
            changes.append(f"+ {name}{'=' if after[0] == 'value' else ' '}{_shown(after)}")
        elif after is None and before is not None:
            changes.append(f"- {name}{'=' if before[0] == 'value' else ' '}{_shown(before)}")
        elif before is not None and after is not None:
            changes.append(f"{name}: {_shown(before)} -> {_shown(after)}")
    merged = copy.deepcopy(dict(container))
    if not changes:
        return merged, []
    for key, kind, field in (("environment", "value", "value"), ("secrets", "secret", "valueFrom")):
        entries = [e for e in container.get(key, []) if new.get(e["name"], ("", ""))[0] == kind]
        listed = {e["name"] for e in entries}
        entries += [{"name": n} for n, s in sorted(new.items()) if s[0] == kind and n not in listed]
        entries = [{"name": e["name"], field: new[e["name"]][1]} for e in entries]
        if entries or key in container:
            merged[key] = list({e["name"]: e for e in entries}.values())  # one entry a name
    return merged, changes


def register_input(
    task_definition: Mapping[str, Any], tags: list[Any], container: Mapping[str, Any]
) -> dict[str, Any]:
    """RegisterTaskDefinition's input: the described revision, with `container` replaced."""
    registered = {k: v for k, v in task_definition.items() if k not in READ_ONLY}
    registered["containerDefinitions"] = [
        container if c.get("name") == container["name"] else c
        for c in task_definition.get("containerDefinitions", [])
    ]
    if tags:
        registered["tags"] = tags
    return registered


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="update_service.py", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--cluster", required=True)
    parser.add_argument("--service", required=True)
    parser.add_argument("--container", required=True)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--tree", help="/{project}/{environment}")
    parser.add_argument("--bucket", choices=("app", "scheduler"))
    parser.add_argument("--force-new-deployment", action="store_true")
    args = parser.parse_args(argv)
    if (args.tree is None) != (args.bucket is None):
        parser.error("--tree and --bucket go together")
    try:
        settings = parse_settings(args.set)
        task_definition, tags = service_task_definition(args.cluster, args.service)
        container = container_definition(task_definition, args.container)
        tree_secrets = tree_variables(args.tree, args.bucket) if args.tree else None
        merged, changes = merge_container(container, settings, args.tree, tree_secrets)
        update = ["ecs", "update-service", "--cluster", args.cluster, "--service", args.service]
        if args.force_new_deployment:
            update.append("--force-new-deployment")
        current = task_definition["taskDefinitionArn"]
        if not changes:
            print(f"{args.container}: unchanged, no new revision of {current}")
            if args.force_new_deployment:
                aws(*update)
                print(f"{args.service}: new deployment of {current}")
            return 0
        for line in changes:
            print(line)
        given = json.dumps(register_input(task_definition, tags, merged))
        registered = aws("ecs", "register-task-definition", "--cli-input-json", given)
        arn = registered["taskDefinition"]["taskDefinitionArn"]
        aws(*update, "--task-definition", arn)
        print(f"{args.service}: now runs {arn}")
    except ScriptError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
