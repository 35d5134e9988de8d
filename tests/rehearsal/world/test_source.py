"""The rehearsal's copy of the source, as `--source DIR` names it: relative to where the command
runs, like every other path a user gives."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from sccos_pipeline.rehearsal.world.resources import SourceRepository

pytestmark = pytest.mark.timeout(60)


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True,
                          check=True)  # fmt: skip
    return done.stdout.strip()


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A shop's own repository with one commit, beside the folder the command runs in."""
    shop = tmp_path / "shop"
    shop.mkdir()
    (shop / "deploy.yml").write_text("version: '0.1'\n")
    git(shop, "init", "--quiet", "--initial-branch", "main")
    git(shop, "add", "-A")
    git(shop, "-c", "user.email=dev@example.com", "-c", "user.name=dev", "commit", "--quiet",
        "-m", "shop")  # fmt: skip
    (tmp_path / "here").mkdir()
    return shop


def workdir(tmp_path: Path) -> Path:
    """The rehearsal's own folder: elsewhere, where `../shop` is no shop."""
    work = tmp_path / "rehearsal" / "work"
    work.mkdir(parents=True)
    return work


def test_a_relative_repository_is_cloned_from_the_current_directory(
    shop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path / "here")
    source = SourceRepository(Path("../shop"), workdir(tmp_path))
    assert source.head() == git(shop, "rev-parse", "HEAD")
    assert (source.path / "deploy.yml").read_text() == "version: '0.1'\n"


def test_a_relative_folder_is_committed_from_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "deploy.yml").write_text("version: '0.1'\n")
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    source = SourceRepository(Path("../export"), workdir(tmp_path))
    assert (source.path / "deploy.yml").read_text() == "version: '0.1'\n"
    assert git(source.path, "status", "--porcelain") == ""
