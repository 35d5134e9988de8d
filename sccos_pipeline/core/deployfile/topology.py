"""The deploy file's topology: the applications of `groups` (each its own image and ECS
service) and the stores and regions of `regions` (their broker vhosts), as the Docker SDK's
generator reads them."""

from __future__ import annotations

from typing import Any

from .. import naming
from .findings import Finding
from .model import Application, RegionBroker, Store
from .values import env_text
from .yamlsafe import YamlDocument


def shape_error(doc: YamlDocument, path: tuple[str, ...], expected: str) -> Finding:
    dotted = ".".join(path)
    return Finding.of("SCC027", f"`{dotted}` must be {expected}", doc.position(path))


def applications(
    doc: YamlDocument, project: str, findings: list[Finding]
) -> tuple[Application, ...]:
    groups = doc.data.get("groups")
    if groups is None:
        return ()
    if not isinstance(groups, dict):
        findings.append(shape_error(doc, ("groups",), "a mapping of groups"))
        return ()
    found: list[Application] = []
    for group_name, group in groups.items():
        if not isinstance(group, dict):
            findings.append(shape_error(doc, ("groups", group_name), "a mapping"))
            continue
        apps = group.get("applications") or {}
        if not isinstance(apps, dict):
            findings.append(shape_error(doc, ("groups", group_name, "applications"), "a mapping"))
            continue
        region = group.get("region")
        for app_name, app in apps.items():
            path = ("groups", group_name, "applications", app_name)
            kind = app.get("application") if isinstance(app, dict) else None
            if not isinstance(kind, str):
                findings.append(shape_error(doc, path, "a mapping with an `application:` type"))
                continue
            problem = naming.application_name_problem(project, app_name)
            if problem:  # the name lands in build scripts and ECR repository names
                findings.append(
                    Finding.of(
                        "SCC028",
                        f"application {app_name!r} {problem}",
                        doc.position(path, key=True),
                        "rename it, e.g. yves_eu: letters, digits, single '_' or '-' between",
                    )
                )
                continue
            if kind != "static":
                found.append(
                    Application(
                        app_name, kind, group_name, region if isinstance(region, str) else None
                    )
                )
    return tuple(found)


def _broker_namespace(node: Any) -> str | None:
    """`services.broker.namespace` of a store or region, as the Docker SDK reads it."""
    services = node.get("services") if isinstance(node, dict) else None
    broker = services.get("broker") if isinstance(services, dict) else None
    namespace = broker.get("namespace") if isinstance(broker, dict) else None
    return None if namespace is None else env_text(namespace)


def regions(
    doc: YamlDocument, findings: list[Finding]
) -> tuple[tuple[str, ...], tuple[Store, ...], tuple[RegionBroker, ...]]:
    regions = doc.data.get("regions")
    if regions is None:
        return (), (), ()
    if not isinstance(regions, dict):
        findings.append(shape_error(doc, ("regions",), "a mapping of regions"))
        return (), (), ()
    stores: list[Store] = []
    region_brokers: list[RegionBroker] = []
    for region_name, region in regions.items():
        # Dynamic-store files name the broker per region (the Docker SDK connects per region).
        region_namespace = _broker_namespace(region)
        if region_namespace is not None:
            region_brokers.append(RegionBroker(region_name, region_namespace))
        region_stores = region.get("stores") if isinstance(region, dict) else None
        if region is not None and not isinstance(region, dict):
            findings.append(shape_error(doc, ("regions", region_name), "a mapping"))
            continue
        if region_stores is None:
            continue
        if not isinstance(region_stores, dict):
            findings.append(
                shape_error(doc, ("regions", region_name, "stores"), "a mapping of stores")
            )
            continue
        for store_name, store in region_stores.items():
            stores.append(Store(store_name, region_name, _broker_namespace(store)))
    return tuple(regions), tuple(stores), tuple(region_brokers)
