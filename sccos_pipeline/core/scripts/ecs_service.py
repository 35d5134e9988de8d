"""An ECS service's task definition and container, which update_service and hook_variables share.

A container's secrets name SSM parameters or Secrets Manager secrets in valueFrom:
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html

Stdlib-only: script_text() inlines this module (and parameter_store) into the scripts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .parameter_store import ScriptError, aws


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
