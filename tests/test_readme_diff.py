"""The sample change summary of docs/cli.md is the command's output on a repository built here."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.command.test_diff import DEPLOY, PRODUCTION, PROJECT
from tests.conftest import ROOT, cli, commit, git

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

DATES = {"GIT_AUTHOR_DATE": "2025-01-01T10:00:00Z", "GIT_COMMITTER_DATE": "2025-01-01T10:00:00Z"}
NEXT = (
    DEPLOY.replace("-r EU/pre-deploy -vvv", "-r EU/pre-deploy --no-ansi -vvv")
    .replace("tok-0123456789", "tok-9876543210")
    .replace("      boffice_eu:", "      glue_eu:\n        application: glue\n      boffice_eu:")
    .replace(
        "      NO:\n",
        "      AT:\n        services:\n          broker:\n            namespace: at-docker\n"
        "      NO:\n",
    )
)
NEXT_PRODUCTION = PRODUCTION.replace(
    "      stores: true\n",
    "      stores: true\n    search-setup:\n      command: vendor/bin/console search:setup\n",
)


def sample_repository(repo: Path) -> None:
    """The version running, then a release of two commits: the deploy file and a recipe, then
    code. With DATES set, the commit hashes are docs/cli.md's."""
    git(repo, "init", "-q", "-b", "main")
    commit(repo, PROJECT)
    git(repo, "tag", "v1")
    commit(
        repo,
        {"deploy.shop-prod.yml": NEXT, "config/install/EU/production.yml": NEXT_PRODUCTION},
    )
    commit(repo, {"src/Pyz/Zed/Shop.php": "<?php // two\n"})


def test_the_docs_show_the_command_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in DATES.items():
        monkeypatch.setenv(name, value)
    sample_repository(tmp_path)
    done = cli("diff", "deploy.shop-prod.yml", "--base", "v1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    readme = (ROOT / "docs" / "cli.md").read_text()
    shown = re.search(r"sccos-pipeline diff deploy.shop-prod.yml --base v1\n(.*?)```", readme, re.S)
    assert shown is not None
    assert shown.group(1) == done.stdout
