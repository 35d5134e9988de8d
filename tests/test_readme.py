"""The README stays true: its pictures are the command's output, its code table the real one."""

from __future__ import annotations

import re

from sccos_pipeline.core.findings import CODES
from sccos_pipeline.core.loader import load_deploy_file
from sccos_pipeline.core.plan import build_plan, plan_mermaid
from sccos_pipeline.core.stages import PipelineType
from tests.conftest import EXAMPLE, ROOT

README = (ROOT / "README.md").read_text()


def test_mermaid_pictures_are_generated_by_the_command() -> None:
    model = load_deploy_file(EXAMPLE / "deploy.spryker-demo-staging.yml")
    pictures = re.findall(r"```mermaid\n(.*?)```", README, re.S)
    assert pictures == [plan_mermaid(build_plan(model, t)) for t in PipelineType]


def test_every_finding_code_is_documented() -> None:
    for code, (severity, meaning) in CODES.items():
        assert f"| {code} | {severity.value} | {meaning} |" in README


def test_the_cdk_json_key_list_is_the_schema() -> None:
    from sccos_pipeline.app.schema import schema

    section = README[README.index("Keys per environment:") : README.index("The bundled example")]
    named = set(re.findall(r"[A-Za-z0-9-]+", section))
    defs = schema()["$defs"]
    environment = defs["environment"]["properties"]
    keys = {
        *environment,
        *defs["source"]["properties"],
        *environment["vpc"]["properties"],
        *environment["broker"]["properties"],
        *defs["hook"]["properties"],
        *defs["hook"]["properties"]["computeType"]["enum"],
        *environment["hooks"]["properties"],
        *defs["source"]["properties"]["type"]["enum"],
    }
    assert sorted(keys - named) == []
