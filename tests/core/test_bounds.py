"""Hostile deploy files are refused quickly and quietly, whatever form the hostility takes.

Each test has a small time bound: before these guards, some of these inputs took minutes or
hung for good.
"""

from __future__ import annotations

import pytest

from sccos_pipeline.core.findings import Finding, Position

pytestmark = pytest.mark.timeout(5)


def test_messages_and_fixes_escape_control_characters() -> None:
    finding = Finding.of("SCC010", "key 'a\x1b[2Jb'", Position("x\x07.yml"), "drop \u202e and \x9b")
    assert finding.format() == (
        "x\\x07.yml:1:1: error SCC010 key 'a\\x1b[2Jb' (fix: drop \\u202e and \\x9b)"
    )
    assert finding.to_json()["file"] == "x\\x07.yml"
