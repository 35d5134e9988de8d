"""What the environment records beyond its resources: long service ARNs, and the cloud
assembly metadata `sccos-pipeline rehearse` reads (never part of the template)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_ecs as ecs

from ..core.naming import REHEARSAL_METADATA
from ..core.plan.model import EnvironmentPlan
from . import props as p

if TYPE_CHECKING:
    from .environment import SprykerEnvironment


def long_service_arn(service: ecs.IBaseService) -> tuple[str, str]:
    """(`<cluster>/<service>`, the service's ARN in the long format ECS uses since 2021)."""
    name = f"{service.cluster.cluster_name}/{service.service_name}"
    arn = Stack.of(service).format_arn(
        service="ecs",
        resource="service",
        resource_name=name,
        arn_format=ArnFormat.SLASH_RESOURCE_NAME,
    )
    return name, arn


def describe_for_rehearsal(
    environment: SprykerEnvironment,
    *,
    deploy_file: str | Path,
    in_repository: str | None,
    services: Mapping[str, p.ServiceTarget],
    broker: p.BrokerSettings,
    app_dir: str,
    plan: EnvironmentPlan,
) -> None:
    """What `sccos-pipeline rehearse` needs beyond the template, in the cloud assembly's
    metadata (never in the template): where the deploy file is, and the existing parts."""
    environment.node.add_metadata(
        REHEARSAL_METADATA,
        {
            "project": environment.model.project,
            "deployFile": str(Path(deploy_file).resolve()),
            "deployFileInRepository": in_repository or Path(deploy_file).name,
            "appDir": app_dir,
            "pipelines": {p.kind.value: p.name for p in plan.pipelines},
            "plan": plan.to_json(buildspecs=False),
            "brokerApiUrl": broker.api_url,
            "services": {
                key: {
                    "cluster": target.service.cluster.cluster_name,
                    "service": target.service.service_name,
                    "container": target.container_name,
                }
                for key, target in services.items()
            },
        },
    )
