"""Whatever the input, the loader answers with findings, never another exception, and soon.

Each example has a deadline and each test a timeout: a slow path is a failure, not a wait.
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from functools import reduce
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sccos_pipeline.core.deployfile.findings import DeployFileError
from sccos_pipeline.core.deployfile.imports import merge, merge_many
from sccos_pipeline.core.deployfile.loader import load_deploy_file, validate_deploy_file

# Generous for a loaded CI machine (an example takes milliseconds), tight against a hang.
DEADLINE = timedelta(seconds=3)

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20))
trees = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=12), children, max_size=4),
    ),
    max_leaves=30,
)
yaml_words = st.sampled_from(
    ["image:", "  tag:", "  environment:", "    A:", "&a", "*a", "<<:", "- ", "{", "}", "[", "]",
     ":", "'", '"', "|", ">", "!!str", "!x", "%", "---", "#", "\t", "\n", "imports:", "NO", "~"]
)  # fmt: skip


def check(text: str | bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "deploy.yml"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
        result = validate_deploy_file(path)
        assert result.valid == (result.model is not None)
        try:
            load_deploy_file(path)
        except DeployFileError as exc:
            assert exc.findings and all(f.position.line >= 1 for f in exc.findings)


@pytest.mark.timeout(120)
@settings(max_examples=150, deadline=DEADLINE, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_arbitrary_bytes(data: bytes) -> None:
    check(data)


@pytest.mark.timeout(120)
@settings(max_examples=150, deadline=DEADLINE)
@given(st.lists(yaml_words, max_size=40).map("".join))
def test_yaml_like_fragments(text: str) -> None:
    check(text)


@pytest.mark.timeout(120)
@settings(max_examples=150, deadline=DEADLINE)
@given(
    st.dictionaries(st.sampled_from(["image", "groups", "regions", "imports", "namespace"]), trees)
)
def test_well_formed_yaml_of_any_shape(data: dict[str, object]) -> None:
    check(yaml.safe_dump(data, allow_unicode=True))


# Few keys and small lists, so that merged trees overlap, and nulls that delete.
overlapping = st.recursive(
    st.one_of(st.none(), st.integers(0, 3)),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from("abcd"), children, max_size=4),
    ),
    max_leaves=12,
)


@pytest.mark.timeout(120)
@settings(max_examples=300, deadline=DEADLINE)
@given(overlapping, st.lists(overlapping, max_size=5))
def test_merging_many_imports_at_once_is_merging_them_one_by_one(
    over: object, bases: list[object]
) -> None:
    # repr compares key order too: it decides the order of applications and stores.
    assert repr(merge_many(over, bases)) == repr(reduce(merge, bases, over))
