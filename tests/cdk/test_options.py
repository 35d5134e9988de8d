"""SprykerEnvironment's keyword defaults and `:param` entries are core.options' declarations,
and so are PlanOptions' defaults of the values the construct hands on as they are."""

from __future__ import annotations

import dataclasses
import inspect
import re

from sccos_pipeline.cdk.environment import SprykerEnvironment
from sccos_pipeline.core.options import OPTIONS
from sccos_pipeline.core.plan.model import PlanOptions

SIGNATURE = inspect.signature(SprykerEnvironment.__init__)
DOC = inspect.getdoc(SprykerEnvironment.__init__) or ""


def param_doc(prop: str) -> str:
    """The `:param` entry of a keyword, on one line."""
    found = re.search(rf"^:param {prop}:(.*?)(?=^:param |\Z)", DOC, re.M | re.S)
    assert found, f"no :param {prop}"
    return " ".join(found.group(1).split())


def test_the_construct_takes_each_option_with_its_declared_default() -> None:
    for o in OPTIONS:
        if o.prop:
            default = SIGNATURE.parameters[o.prop].default
            if o.required:
                assert default is inspect.Parameter.empty, o.prop
            else:
                assert default == o.default, o.prop


def test_the_docstring_says_each_declared_default() -> None:
    for o in OPTIONS:
        if o.prop:
            entry = param_doc(o.prop)
            if o.required:
                assert "Default:" not in entry, o.prop
            elif o.type == "array" and o.default == ():
                # an empty list of commands or addresses: "Default: none" or "left out"
                assert "Default: none" in entry or "left out when empty" in entry, o.prop
            else:
                assert f"Default: {o.default_doc}" in entry, o.prop


def test_plan_options_defaults_are_the_declared_ones() -> None:
    fields = {f.name: f for f in dataclasses.fields(PlanOptions)}
    for o in OPTIONS:
        if o.in_plan:
            assert o.prop in fields, o.key
            assert fields[o.prop or ""].default == o.default, o.key
