"""Writes what a hook sees at run time as a POSIX sh file of `export NAME='value'` lines.

A hook runs on CodeBuild from the back-office image, outside ECS, so it gets the variables the
back-office container would: its task definition's environment and secrets (SSM parameters,
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html,
and Secrets Manager secrets with an optional :json-key:version-stage:version-id suffix,
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html),
then the Parameter Store tree for the bucket app, which wins for the same name
(https://docs.spryker.com/docs/ca/dev/add-variables-in-the-parameter-store.html).
SPRYKER_BUILD_HASH and SPRYKER_HOOK_* never come from the task definition: the hook and the
build hash that checks its image come from the image itself.

Usage: python3 -c "$(text)" --cluster C --service S --container N --tree TREE --out FILE
Writes FILE with mode 0600 and prints the names it exported, never a value.

Self-contained and stdlib-only (Python 3.8+): it calls the AWS CLI, v1 or v2, since the
system python of CodeBuild's standard image has no boto3.
"""

from __future__ import annotations

import argparse
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

FROM_IMAGE = ("SPRYKER_BUILD_HASH", "SPRYKER_HOOK_")  # names the image sets, by prefix
BATCH = 10  # GetParameters takes at most 10 names


def from_image(name: str) -> bool:
    return name.startswith(FROM_IMAGE)


def task_definition_sources(container: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """({name: value} of the environment, {name: valueFrom} of the secrets), less the image's."""
    environment = {
        e["name"]: e.get("value", "")
        for e in container.get("environment", [])
        if not from_image(e["name"])
    }
    secrets = {
        s["name"]: s["valueFrom"] for s in container.get("secrets", []) if not from_image(s["name"])
    }
    return environment, secrets


class SecretReference(NamedTuple):
    secret_id: str
    json_key: str
    version_stage: str
    version_id: str


def secret_reference(value_from: str) -> SecretReference | None:
    """A Secrets Manager valueFrom: the secret's ARN, then :json-key:version-stage:version-id."""
    parts = value_from.split(":")
    if len(parts) < 7 or parts[0] != "arn" or parts[2] != "secretsmanager" or len(parts) > 10:
        return None
    json_key, version_stage, version_id = [*parts[7:], "", "", ""][:3]
    return SecretReference(":".join(parts[:7]), json_key, version_stage, version_id)


def _region(value_from: str) -> list[str]:
    """--region of an ARN (ECS takes ARNs of other regions), else the CLI's own region."""
    parts = value_from.split(":")
    return ["--region", parts[3]] if parts[0] == "arn" and len(parts) > 3 and parts[3] else []


def parameter_values(references: Iterable[str]) -> dict[str, str]:
    """{reference: decrypted value} of SSM parameters given by name or ARN."""
    by_region: dict[tuple[str, ...], list[str]] = {}
    for reference in sorted(set(references)):
        by_region.setdefault(tuple(_region(reference)), []).append(reference)
    values: dict[str, str] = {}
    for region, names in sorted(by_region.items()):
        for start in range(0, len(names), BATCH):
            batch = names[start : start + BATCH]
            found = aws("ssm", "get-parameters", *region, "--with-decryption", "--names", *batch)
            index = {}  # GetParameters names a parameter asked for by ARN by its name or ARN
            for p in found.get("Parameters", []):
                for key in (p["Name"], p.get("ARN")):
                    if key:
                        index[key] = index[key.lstrip("/")] = p["Value"]
            for name in batch:
                for key in (name, (ssm_name(name) or name).lstrip("/")):
                    if key in index:
                        values[name] = index[key]
                        break
    missing = sorted(set(references) - values.keys())
    if missing:
        raise ScriptError(f"no such SSM parameters: {', '.join(missing)}")
    return values


def secret_value(reference: SecretReference, cache: dict[tuple[str, ...], Any]) -> str:
    """The value ECS would set for a Secrets Manager reference."""
    key = (reference.secret_id, reference.version_stage, reference.version_id)
    if key not in cache:
        call = ["secretsmanager", "get-secret-value", *_region(reference.secret_id)]
        call += ["--secret-id", reference.secret_id]
        if reference.version_stage:
            call += ["--version-stage", reference.version_stage]
        if reference.version_id:
            call += ["--version-id", reference.version_id]
        cache[key] = aws(*call)
    answer = cache[key]
    if "SecretString" not in answer:
        raise ScriptError(
            f"{reference.secret_id} has no SecretString (ECS takes text secrets only)"
        )
    text: str = answer["SecretString"]
    if not reference.json_key:
        return text
    try:
        value = json.loads(text)[reference.json_key]
    except (ValueError, TypeError, KeyError):
        raise ScriptError(f"{reference.secret_id} has no JSON key {reference.json_key}") from None
    return value if isinstance(value, str) else json.dumps(value)


def shell_quote(value: str) -> str:
    """value as one POSIX sh word: single quotes keep every byte but NUL as it is."""
    if "\0" in value:
        raise ScriptError("a value holds a NUL byte, which no environment variable can")
    return "'" + value.replace("'", "'\\''") + "'"


def export_lines(values: Mapping[str, str]) -> str:
    """`export NAME='value'` lines, sorted by name."""
    return "".join(f"export {name}={shell_quote(values[name])}\n" for name in sorted(values))


def write_private(path: str, text: str) -> None:
    """Write text to path with mode 0600, also over an older file, never through a symlink."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", errors="surrogatepass") as out:
        os.fchmod(out.fileno(), 0o600)
        out.write(text)


def hook_values(
    container: Mapping[str, Any], tree: str, tree_parameters: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """({name: value}, {name: where from}) of the container's variables and the tree's {name:
    ARN}. The container's secrets from the tree give way to it, as the ECS update would do."""
    environment, secrets = task_definition_sources(container)
    prefix = tree_prefix(tree) + "/"
    secrets = {n: s for n, s in secrets.items() if not (ssm_name(s) or "").startswith(prefix)}
    values = dict(environment)
    sources = {name: "the task definition" for name in environment}
    references = {name: secret_reference(source) for name, source in secrets.items()}
    ssm = {name: source for name, source in secrets.items() if references[name] is None}
    unknown = sorted(name for name, source in ssm.items() if ssm_name(source) is None)
    if unknown:
        raise ScriptError(f"secrets neither in SSM nor Secrets Manager: {', '.join(unknown)}")
    fetched = parameter_values([*ssm.values(), *tree_parameters.values()])
    cache: dict[tuple[str, ...], Any] = {}
    for name, source in secrets.items():
        reference = references[name]
        values[name] = fetched[source] if reference is None else secret_value(reference, cache)
        sources[name] = f"{ssm_name(source) or source} (task definition)"
    for name, source in tree_parameters.items():
        values[name] = fetched[source]
        sources[name] = ssm_name(source) or source
    skipped = sorted(name for name in values if not ENV_NAME.match(name))
    if skipped:
        print(f"not exportable from sh, skipped: {', '.join(skipped)}", file=sys.stderr)
    keep = [name for name in values if ENV_NAME.match(name)]
    return {n: values[n] for n in keep}, {n: sources[n] for n in keep}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="hook_variables.py", description=(__doc__ or "").split("\n")[0]
    )
    for option in ("--cluster", "--service", "--container", "--tree", "--out"):
        parser.add_argument(option, required=True)
    args = parser.parse_args(argv)
    try:
        tree_parameters = tree_variables(args.tree, "app")  # refuses reserved names first
        task_definition, _ = service_task_definition(args.cluster, args.service)
        container = container_definition(task_definition, args.container)
        values, sources = hook_values(container, args.tree, tree_parameters)
        write_private(args.out, export_lines(values))
    except (ScriptError, OSError) as exc:
        print(exc, file=sys.stderr)
        return 1
    for name in sorted(values):
        print(f"{name} from {sources[name]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
