"""core.changes and core.change_report without git: snapshots read from folders, as a
pipeline step with two checkouts would, and the headline an approval's CustomData carries."""

from __future__ import annotations

import json
from pathlib import Path

from sccos_pipeline.core.changes.model import Category, Change, Summary, Versions, code
from sccos_pipeline.core.changes.report import headline, json_text, markdown
from sccos_pipeline.core.changes.snapshot import read_snapshot
from sccos_pipeline.core.changes.summary import summarize
from sccos_pipeline.core.stages import PipelineType
from tests.conftest import MINIMAL, write_project

RUNNING, DEPLOYING = "a" * 40, "b" * 40


def test_summarize_two_folders(tmp_path: Path) -> None:
    write_project(tmp_path / "old", {"deploy.yml": MINIMAL})
    changed = MINIMAL.replace("namespace: no-docker", "namespace: no")
    write_project(tmp_path / "new", {"deploy.yml": changed.replace("yves_eu", "yves_de")})
    old = read_snapshot(tmp_path / "old", "deploy.yml", label="running")
    new = read_snapshot(tmp_path / "new", "deploy.yml", label="deploying")
    assert new.model.file == "deploying:deploy.yml"
    summary = summarize(old, new, Versions(RUNNING, DEPLOYING, ahead=3, behind=0))
    assert [(c.category, c.title) for c in summary.changes] == [
        (Category.SERVICES, "application yves_de (yves) added"),
        (Category.SERVICES, "application yves_eu (yves) removed"),
        (Category.STORES, "store NO: broker vhost no-docker -> no"),
    ]
    assert headline(summary) == (
        "aaaaaaa -> bbbbbbb (3 commits): application yves_de (yves) added; "
        "application yves_eu (yves) removed; store NO: broker vhost no-docker -> no"
    )
    assert json.loads(json_text(summary))["categories"] == ["services", "stores"]


def test_the_headline_fits_custom_data() -> None:
    changes = tuple(Change(Category.HOOKS, f"change {i:03} " + "x" * 40) for i in range(20))
    summary = Summary(Versions(RUNNING, DEPLOYING, 1, 0), PipelineType.NORMAL, changes)
    line = headline(summary)
    assert len(line) <= 500
    assert line.endswith("; and 12 more")
    assert headline(summary, limit=40) == "aaaaaaa -> bbbbbbb (1 commit): change..."


def test_markdown_escapes_all_but_code() -> None:
    change = Change(Category.STORES, "store <b>*x*</b> added", (f"now {code('a|`b`<c>')}",))
    summary = Summary(Versions(RUNNING, DEPLOYING, 1, 0), PipelineType.NORMAL, (change,))
    assert markdown(summary) == (
        "#### Deployment aaaaaaa -\\> bbbbbbb (1 commit): 1 change\n"
        "\n"
        "**Regions, stores and broker vhosts**\n"
        "\n"
        "- store \\<b\\>\\*x\\*\\</b\\> added\n"
        "  - now `` a|`b`<c> ``\n"
    )
