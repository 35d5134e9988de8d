"""The JSON Schema of the app's settings, and its errors worded for cdk.json's readers.

Plain Python (no aws_cdk). Each error becomes one line: the key path as written in cdk.json,
what is wrong, and what is allowed there.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, ValidationError

CONTEXT_KEY = "sccos-pipeline:environments"
SCHEMA_PATH = Path(__file__).with_name("settings.schema.json")


@cache
def schema() -> dict[str, Any]:
    """The whole schema: of cdk.json, with the environments under `$defs`."""
    data: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return data


@cache
def _validator() -> Draft202012Validator:
    root = schema()
    environments = {"$schema": root["$schema"], "$defs": root["$defs"]}
    return Draft202012Validator({**environments, "$ref": "#/$defs/environments"})


def key_path(path: Sequence[str | int]) -> str:
    """`sccos-pipeline:environments.staging.pipelines[0]`, as one finds it in cdk.json."""
    return CONTEXT_KEY + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


def shown(value: Any) -> str:
    """A value as cdk.json spells it (`true`, `null`, `"x"`), cut when long."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else f"{text[:77]}..."


def schema_problems(context: Any) -> list[str]:
    """Every problem of the context value against the schema, one line each, in cdk.json order."""
    found = [line for error in _validator().iter_errors(context) for line in _lines(error)]
    found.sort(key=lambda item: _rank(context, item[0]))
    lines: dict[str, str] = {}  # one problem per key path, the first found
    for path, line in found:
        lines.setdefault(key_path(path), f"{key_path(path)}: {line}")
    return list(lines.values())


def _rank(value: Any, path: list[str | int]) -> list[int]:
    """Where a key path is in cdk.json: by the order of its keys; missing keys come last."""
    rank = []
    for step in path:
        keys = list(value) if isinstance(value, dict | list) else []
        index = keys.index(step) if isinstance(value, dict) and step in keys else step
        rank.append(index if isinstance(index, int) else len(keys))
        value = value[step] if isinstance(value, dict) and step in value else None
    return rank


def _lines(error: ValidationError) -> Iterator[tuple[list[str | int], str]]:
    path: list[str | int] = list(error.path)
    trail = _trail(error)
    node, instance = trail[-1][1], error.instance  # the schema holding the failed keyword
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        allowed = list(node.get("properties", {}))
        removed = node.get("x-removed", {})  # keys that were settings: what to do instead
        for key in instance:
            if key in removed:
                yield [*path, key], removed[key]
            elif key not in allowed:
                yield [*path, key], _unknown(key, allowed)
    elif error.validator == "required" and isinstance(instance, dict):
        for key in node["required"]:
            if key not in instance:
                yield [*path, key], f"missing; allowed: {_allowed(_property(trail, key))}"
    elif "propertyNames" in error.schema_path:
        message = node.get("errorMessage", f"{shown(instance)} is not allowed")
        yield [*path, str(instance)], f"{message}; allowed: {_allowed(trail)}"
    else:
        yield path, f"got {shown(instance)}; allowed: {_allowed(trail)}"


def _unknown(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f" (did you mean {shown(close[0])}?)" if close else ""
    return f"unknown key{hint}; allowed: {', '.join(shown(k) for k in allowed)}"


def _trail(error: ValidationError) -> list[tuple[str | int, dict[str, Any]]]:
    """The schemas the error's schema path walks through, each with the step into it; the
    path leaves out each `$ref` it follows, so the walk follows them where a step is missing."""
    node: Any = {"$defs": schema()["$defs"], "$ref": "#/$defs/environments"}
    trail: list[tuple[str | int, dict[str, Any]]] = [("", node)]
    steps = list(error.schema_path)
    for index, step in enumerate(steps):
        while isinstance(node, dict) and step not in node and "$ref" in node:
            node = _resolve(node["$ref"])
            trail.append(("$ref", node))
        if index == len(steps) - 1:
            break
        node = node[step]
        if isinstance(node, dict):
            trail.append((step, node))
    return trail


def _resolve(reference: str) -> dict[str, Any]:
    node: Any = schema()
    for part in reference.removeprefix("#/").split("/"):
        node = node[part]
    return dict(node)


def _property(trail: list[tuple[str | int, dict[str, Any]]], key: str) -> list[Any]:
    """The trail into the schema of `key`, from the nearest schema that names it."""
    for _, node in reversed(trail):
        if key in node.get("properties", {}):
            found = node["properties"][key]
            if "$ref" in found:
                return [(key, found), ("$ref", _resolve(found["$ref"]))]
            return [(key, found)]
    return []


def _allowed(trail: list[Any]) -> str:
    """What the innermost schema allows: its values, else the outermost description of the
    schemas reached from each other through `$ref`."""
    if not trail:
        return "see the schema"
    node = trail[-1][1]
    if "enum" in node:
        return ", ".join(shown(v) for v in node["enum"])
    descriptions = [node.get("description")]
    for index in range(len(trail) - 1, 0, -1):
        if trail[index][0] != "$ref":
            break
        descriptions.append(trail[index - 1][1].get("description"))
    found = [d for d in descriptions if d]
    return found[-1] if found else "see the schema"
