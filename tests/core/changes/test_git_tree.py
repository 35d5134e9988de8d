"""core.git_tree: a commit's deploy file and project folders, read by one git process."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from sccos_pipeline.core.changes.git_tree import (
    CommitReader,
    Distance,
    GitError,
    distance,
    top_level,
)
from tests.conftest import commit, git

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def files(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_size
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_exports_the_deploy_file_and_the_project_folders_above_it(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    commit(
        repo,
        {
            "shop/deploy.yml": "a: 1\n",
            "shop/other.yml": "not exported\n",
            "shop/config/install/EU/production.yml": "sections: {}\n",
            "config/deploy-templates/base.yml": "b: 2\n",
            "config/install/big.yml": "x" * 50,
            "other/config/install/no.yml": "not above the deploy file\n",
        },
    )
    os.symlink("/etc/passwd", repo / "config/install/link.yml")
    first = commit(repo, {"src/code.php": "<?php\n"})
    assert top_level(repo / "shop").resolve() == repo.resolve()
    with CommitReader(repo) as reader:
        head = reader.commit("HEAD")
        assert head.startswith(first) and len(head) == 40
        assert reader.export(head, "shop/deploy.yml", tmp_path / "out", limit=20) == 4
        assert reader.export(head, "gone/deploy.yml", tmp_path / "top", limit=20) == 2
        with pytest.raises(GitError, match="no-such is not a commit in the git repository"):
            reader.commit("no-such")
        with pytest.raises(GitError, match="is not a revision"):
            reader.commit("HEAD\nHEAD")
    assert files(tmp_path / "out") == {
        "config/deploy-templates/base.yml": 5,
        "config/install/big.yml": 50,  # sparse: too large to read, never read
        "shop/config/install/EU/production.yml": 13,
        "shop/deploy.yml": 5,
    }
    assert (tmp_path / "out/config/install/big.yml").read_bytes() == b"\0" * 50
    assert files(tmp_path / "top") == {
        "config/deploy-templates/base.yml": 5,
        "config/install/big.yml": 50,
    }
    running = git(repo, "rev-parse", "HEAD~1")
    assert distance(repo, running, head) == Distance(ahead=1, behind=0)
    assert distance(repo, head, running) == Distance(ahead=0, behind=1)
