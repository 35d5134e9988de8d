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
