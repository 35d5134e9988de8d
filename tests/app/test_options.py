"""The schema's per-environment keys and the settings' defaults are core.options' declarations
(the schema file is hand-formatted, so it is compared parsed, not regenerated)."""

from __future__ import annotations

import dataclasses
from typing import Any

from sccos_pipeline.app.schema import schema
from sccos_pipeline.app.settings import EnvironmentSettings
from sccos_pipeline.core.options import OPTIONS

ENVIRONMENT: dict[str, Any] = schema()["$defs"]["environment"]


def test_the_schema_has_the_declared_keys_in_their_order() -> None:
    assert list(ENVIRONMENT["properties"]) == [o.key for o in OPTIONS]
    assert ENVIRONMENT["required"] == [o.key for o in OPTIONS if o.required]


def test_each_key_says_what_its_declaration_says() -> None:
    for o in OPTIONS:
        node = ENVIRONMENT["properties"][o.key]
        assert node.get("description") == o.allowed, o.key
        if "type" in node:
            assert node["type"] == o.type, o.key
        json_default = list(o.default) if isinstance(o.default, tuple) else o.default
        if isinstance(o.default, bool | int | tuple):  # JSON values; none for text or null
            assert node["default"] == json_default, o.key
        else:
            assert "default" not in node, o.key


def test_the_settings_defaults_are_the_declared_ones() -> None:
    fields = {f.name: f for f in dataclasses.fields(EnvironmentSettings)}
    for o in OPTIONS:
        if o.simple and o.name:
            field = fields[o.name]
            if o.required:
                assert field.default is dataclasses.MISSING, o.key
            else:
                assert field.default == o.default, o.key
