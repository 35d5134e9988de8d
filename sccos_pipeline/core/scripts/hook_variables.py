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

Stdlib-only (Python 3.8+): it calls the AWS CLI, v1 or v2, since the system python of
CodeBuild's standard image has no boto3. Buildspecs embed script_text(), which inlines the
sibling modules it imports.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from .ecs_service import container_definition, service_task_definition, ssm_name
from .parameter_store import ENV_NAME, ScriptError, aws, tree_prefix, tree_variables

# Never taken from the task definition, by prefix: what the image sets (the hooks, the build
# hash a hook checks), and what CodeBuild sets for the build (its region, credentials, paths).
FROM_IMAGE = ("SPRYKER_BUILD_HASH", "SPRYKER_HOOK_", "AWS_", "CODEBUILD_")
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
