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

Stdlib-only (Python 3.8+): it calls the AWS CLI, v1 or v2, since the system python of
CodeBuild's standard image has no boto3. Buildspecs embed script_text(), which inlines the
sibling modules it imports.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from .ecs_service import container_definition, service_task_definition, ssm_name
from .parameter_store import ENV_NAME, ScriptError, aws, tree_prefix, tree_variables

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
