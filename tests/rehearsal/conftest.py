"""Rehearsal fixtures: synthesized assemblies and one RabbitMQ shared by a test process."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sccos_pipeline.rehearsal.world.rabbitmq import RabbitMQ
from tests.conftest import ROOT

EXAMPLE_STACK = "sccos-spryker-demo-staging"

needs_rabbitmq = pytest.mark.skipif(
    shutil.which("rabbitmq-server") is None and not Path("/usr/sbin/rabbitmq-server").exists(),
    reason="rabbitmq-server is not installed (make setup installs it)",
)


def example_context() -> dict[str, Any]:
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
    return context


def synthesize(out: Path, context: dict[str, Any]) -> Path:
    """The app of `context` into `out`, as `cdk synth` writes it (tests may import aws_cdk)."""
    from aws_cdk import App

    from sccos_pipeline.app.main import build_app

    app = App(context=context, outdir=str(out))
    build_app(app)
    app.synth()
    return out


@pytest.fixture(scope="session")
def example_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthesize(tmp_path_factory.mktemp("example-cdk.out"), example_context())


@pytest.fixture(scope="session")
def broker() -> Iterator[RabbitMQ]:
    with RabbitMQ() as rabbit:
        yield rabbit


def environment_context(name: str, deploy_file: Path, services: dict[str, str]) -> dict[str, Any]:
    """cdk.json's example environment, renamed, for another deploy file and its services."""
    context = example_context()
    key = "sccos-pipeline:environments"
    base = copy.deepcopy(next(iter(context[key].values())))
    base["deployFile"] = str(deploy_file)
    base["deployFileInRepository"] = deploy_file.name
    base["clusterName"] = name
    base["services"] = {k: {"name": f"{name}-{k}", "container": c} for k, c in services.items()}
    context[key] = {name: base}
    return context


def edit_assembly(
    assembly: Path,
    out: Path,
    *,
    template: Callable[[dict[str, Any]], None] | None = None,
    metadata: Callable[[dict[str, Any]], None] | None = None,
) -> Path:
    """A copy of `assembly` in `out` whose template, or whose SprykerEnvironment metadata
    entry (its `data`), the callables changed in place."""
    shutil.copytree(assembly, out)
    if template is not None:
        path = out / f"{EXAMPLE_STACK}.template.json"
        document = json.loads(path.read_text())
        template(document)
        path.write_text(json.dumps(document))
    if metadata is not None:
        path = out / f"{EXAMPLE_STACK}.metadata.json"
        entries = json.loads(path.read_text())
        for items in entries.values():
            for entry in items:
                if entry["type"] == "sccos-pipeline:environment":
                    metadata(entry["data"])
        path.write_text(json.dumps(entries))
    return out
