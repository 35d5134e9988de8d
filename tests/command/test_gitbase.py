"""`validate --base REF`: SCC114 only for a pre-deploy hook changed since REF, read with git."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import MINIMAL, cli, commit, git, write_project

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

HOOKED = MINIMAL.replace(
    "SPRYKER_DEFAULT_STORE: DE", "SPRYKER_HOOK_BEFORE_DEPLOY: 'vendor/bin/install -r pre-deploy'"
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose second commit changes the pre-deploy hook of shop/deploy.yml."""
    git(tmp_path, "init", "-q")
    commit(tmp_path, {"shop/deploy.yml": HOOKED, "deploy.same.yml": HOOKED})
    changed = HOOKED.replace("-r pre-deploy'", "-r EU/pre-deploy -vvv'")
    commit(tmp_path, {"shop/deploy.yml": changed, "deploy.new.yml": HOOKED})
    return tmp_path


def scc114(done: subprocess.CompletedProcess[str]) -> list[str]:
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if " SCC114 " in line]


def test_only_a_changed_hook_is_reported(repo: Path) -> None:
    files = ("deploy.new.yml", "deploy.same.yml", "shop/deploy.yml")
    assert scc114(cli("validate", *files, cwd=repo)) == []  # no base: nothing to compare
    assert scc114(cli("validate", *files, "--base", "HEAD", cwd=repo)) == []
    assert scc114(cli("validate", ".", "--base", "HEAD~1", cwd=repo / "shop")) == [
        "deploy.yml:6:33: warning SCC114 SPRYKER_HOOK_BEFORE_DEPLOY changed from "
        "`vendor/bin/install -r pre-deploy` to `vendor/bin/install -r EU/pre-deploy -vvv`: "
        "pre-deploy runs on the image currently running, so the new command takes effect from "
        "the second deployment after the change "
        "(fix: deploy twice, or put one-off steps in the install hook)"
    ]
    new = scc114(cli("validate", *files, "--base", "HEAD~1", cwd=repo))
    assert [line.split(" SCC114 ")[0] for line in new] == [
        "deploy.new.yml:6:33: warning",
        "shop/deploy.yml:6:33: warning",
    ]
    assert "is set in a deploy file that is new since the base" in new[0]


@pytest.mark.parametrize(
    ("ref", "where", "message"),
    [
        ("no-such-ref", "repo", "--base no-such-ref: not a commit in the git repository {repo}"),
        ("HEAD", "outside", "--base HEAD: {outside} is not in a git repository (fatal: not a git repository (or any of the parent directories): .git)"),
    ],
)  # fmt: skip
def test_a_base_git_cannot_read_is_a_usage_error(
    repo: Path, tmp_path_factory: pytest.TempPathFactory, ref: str, where: str, message: str
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    write_project(outside, {"deploy.yml": HOOKED})
    folder = repo if where == "repo" else outside
    done = cli(
        "validate",
        str(folder / ("deploy.same.yml" if where == "repo" else "deploy.yml")),
        "--base",
        ref,
        env={"GIT_CEILING_DIRECTORIES": str(outside.parent)},
    )
    assert (done.returncode, done.stdout) == (2, "")
    expected = message.format(repo=repo.resolve(), outside=outside.resolve())
    assert done.stderr == f"sccos-pipeline validate: error: {expected}\n"


def test_base_without_git_is_a_usage_error(repo: Path) -> None:
    done = cli("validate", "deploy.same.yml", "--base", "HEAD", cwd=repo, env={"PATH": os.devnull})
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "sccos-pipeline validate: error: --base HEAD: git is not installed or not on PATH\n"
    )
