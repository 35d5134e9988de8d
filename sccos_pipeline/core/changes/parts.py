"""What a change summary says of the deploy file itself: applications and their services,
regions, stores and broker vhosts, the image and its build settings, environment variables, and
any other setting (named, never shown)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from .. import naming
from ..deployfile.advice import looks_secret
from ..deployfile.model import DeployModel
from ..plan.broker import broker_vhosts
from ..stages import HOOK_VARIABLES
from .model import Category, Change, code, plural
from .snapshot import Snapshot

# Applications, regions and stores


def applications(old: DeployModel, new: DeployModel) -> Iterator[Change]:
    before = {a.name: a for a in old.applications}
    after = {a.name: a for a in new.applications}
    for name, app in after.items():
        key = name.lower()
        if name not in before:
            yield Change(
                Category.SERVICES,
                f"application {name} ({app.type}) added",
                (
                    f"needs the ECR repository {naming.ecr_repository(new.project, key)}: "
                    "deploy the environment's stack with this deploy file first",
                    f"needs an ECS service: services.{key} in cdk.json",
                ),
            )
        elif before[name].type != app.type:
            yield Change(
                Category.SERVICES,
                f"application {name} changed from {before[name].type} to {app.type}",
            )
    for name, app in before.items():
        if name not in after:
            yield Change(
                Category.SERVICES,
                f"application {name} ({app.type}) removed",
                (
                    f"its ECS service is no longer deployed: remove services.{name.lower()} "
                    "from cdk.json; the service and its repository stay until removed",
                ),
            )


def stores(old: DeployModel, new: DeployModel) -> Iterator[Change]:
    for region in new.regions:
        if region not in old.regions:
            stores = [s.name for s in new.stores if s.region == region]
            yield Change(
                Category.STORES,
                f"region {region} added",
                (f"stores: {', '.join(stores) or 'none'}",),
            )
    for region in old.regions:
        if region not in new.regions:
            yield Change(Category.STORES, f"region {region} removed")
    before = {(s.region, s.name): s for s in old.stores}
    after = {(s.region, s.name): s for s in new.stores}
    kept = set(broker_vhosts(old))
    for key, store in after.items():
        vhost = store.broker_namespace
        if key not in before:
            needs = _vhost_needs(vhost, kept)
            yield Change(
                Category.STORES, f"store {store.name} added in region {store.region}", needs
            )
        elif before[key].broker_namespace != vhost:
            yield Change(
                Category.STORES,
                f"store {store.name}: broker vhost {before[key].broker_namespace} -> {vhost}",
                (*_vhost_needs(vhost, kept), "messages queued in the old vhost are not moved"),
            )
    for key, store in before.items():
        if key not in after:
            yield Change(
                Category.STORES,
                f"store {store.name} removed from region {store.region}",
                ("its broker vhost is no longer configured; it is not deleted",),
            )
    for old_vhost, new_vhost in _region_vhosts(old, new):
        yield Change(Category.STORES, f"region broker vhost {old_vhost} -> {new_vhost}")


def _vhost_needs(vhost: str | None, existing: set[str]) -> tuple[str, ...]:
    if not vhost:
        return ("no broker namespace: no vhost",)
    if vhost in existing:
        return (f"broker vhost {vhost}, configured already",)
    return (f"broker vhost {vhost}: created by Configure_RabbitMQ_Vhosts_and_Permissions",)


def _region_vhosts(old: DeployModel, new: DeployModel) -> Iterator[tuple[str, str]]:
    before = {r.region: r.namespace for r in old.region_brokers}
    for broker in new.region_brokers:
        was = before.get(broker.region, "none")
        if was != broker.namespace:
            yield was, broker.namespace


# Image, environment and other settings

_PHP = re.compile(r"\d+(?:\.\d+)?")
_BUILD_SETTINGS = (("image", "php"), ("image", "node"), ("composer",))


def _php(tag: str) -> str:
    match = _PHP.match(tag)
    return match.group(0) if match else tag


def image(old: Snapshot, new: Snapshot) -> Iterator[Change]:
    if old.model.image != new.model.image:
        was, now = _php(old.model.image_tag), _php(new.model.image_tag)
        php = f"PHP {was} -> {now}" if was != now else f"PHP {now} on both"
        yield Change(
            Category.IMAGE,
            f"image {old.model.image} -> {new.model.image} ({php})",
            ("every application image is built on the new base image",),
        )
    for prefix in _BUILD_SETTINGS:
        for path, was, now in _differences(_at(old.settings, prefix), _at(new.settings, prefix)):
            name = ".".join(map(str, (*prefix, *path)))
            yield Change(Category.IMAGE, f"{name}: {_value(was)} -> {_value(now)}")


def environment(old: DeployModel, new: DeployModel) -> Iterator[Change]:
    before, after = old.environment, new.environment
    names = [n for n in (*after, *(n for n in before if n not in after)) if n not in HOOK_VARIABLES]
    details = []
    for name in names:
        was, now = before.get(name), after.get(name)
        if was == now:
            continue
        if looks_secret(name):
            shown = "added" if was is None else "removed" if now is None else "changed"
            details.append(f"{name} {shown} (value not shown: the name looks like a secret)")
        elif was is None:
            details.append(f"{name} added: {code(now or '')}")
        elif now is None:
            details.append(f"{name} removed (was {code(was)})")
        else:
            details.append(f"{name}: {code(was)} -> {code(now)}")
    if details:
        changed = ", ".join(d.split(" ")[0].rstrip(":") for d in details)
        yield Change(
            Category.ENVIRONMENT,
            f"{plural(len(details), 'variable')} added, removed or changed: {changed}",
            (*details, "baked into every image: they change with this deployment"),
        )


def _covered(path: tuple[Any, ...]) -> bool:
    """Paths the other parts of the summary speak of."""
    head = path[:2]
    if path[:1] in (("composer",), ("imports",)) or head in (
        ("image", "tag"),
        ("image", "environment"),
        *_BUILD_SETTINGS,
    ):
        return True
    if path[:1] == ("groups",) and len(path) >= 3 and path[2] == "applications":
        return len(path) <= 4 or path[4:] == ("application",)
    if path[:1] == ("regions",):
        store = path[2:3] == ("stores",) and len(path) <= 4
        return len(path) <= 2 or store or path[-3:] == ("services", "broker", "namespace")
    return False


_MAX_DEPTH = 16  # compared this deep (real files nest about 8 levels), named to 5 levels
_SHOWN_DEPTH = 5  # e.g. groups.EU.applications.yves_eu.endpoints


def settings(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Change]:
    found = (p for p, _, _ in _differences(old, new, depth=_MAX_DEPTH) if not _covered(p))
    paths = list(dict.fromkeys(".".join(map(str, p[:_SHOWN_DEPTH])) for p in found))
    if paths:
        yield Change(
            Category.SETTINGS,
            f"{plural(len(paths), 'setting')} changed: {', '.join(paths)}",
            ("values not shown: they may hold credentials",),
        )


_MISSING = object()


def _at(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        data = data.get(key, _MISSING) if isinstance(data, Mapping) else _MISSING
    return data


def _differences(
    old: Any, new: Any, path: tuple[Any, ...] = (), depth: int = 5
) -> Iterator[tuple[tuple[Any, ...], Any, Any]]:
    """(path, old, new) where two values differ, recursing into mappings `depth` levels."""
    if isinstance(old, Mapping) and isinstance(new, Mapping) and depth:
        for key in [*new, *(k for k in old if k not in new)]:
            yield from _differences(
                old.get(key, _MISSING), new.get(key, _MISSING), (*path, key), depth - 1
            )
    elif old != new:
        yield path, old, new


def _value(value: Any) -> str:
    return "unset" if value is _MISSING else code(str(value), 80)
