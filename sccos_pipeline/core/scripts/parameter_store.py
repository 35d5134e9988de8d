"""Spryker's Parameter Store convention, which the scripts share, and their AWS CLI call.

Customer variables live at /{project}/{environment}/{type}/{bucket}/{grant}/{name}; for a name
declared more than once the one of highest priority applies: secret over config, the service's
bucket over common, public over limited. Reserved names (SPRYKER_* and a fixed list) are never
customer variables. https://docs.spryker.com/docs/ca/dev/add-variables-in-the-parameter-store.html

Stdlib-only: script_text() inlines this module into the scripts that import it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

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
