"""The source's tree is unpacked inside the step's folder on every Python 3.11, also those
before 3.11.4 (Debian 12 ships 3.11.2), which have no tarfile extraction filters."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from sccos_pipeline.rehearsal.errors import RehearsalError
from sccos_pipeline.rehearsal.world.resources import extract_inside


def archive(*members: tuple[str, str | None, str]) -> tarfile.TarFile:
    """(name, symlink target or None, text) each."""
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w") as tar:
        for name, link, text in members:
            info = tarfile.TarInfo(name)
            if link is None:
                info.size = len(text.encode())
                tar.addfile(info, io.BytesIO(text.encode()))
            else:
                info.type, info.linkname = tarfile.SYMTYPE, link
                tar.addfile(info)
    data.seek(0)
    return tarfile.open(fileobj=data)


@pytest.fixture(params=["with filters", "without filters"])
def python(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "without filters":
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
    return str(request.param)


def test_a_tree_with_an_inner_link_is_unpacked(tmp_path: Path, python: str) -> None:
    tar = archive(
        ("deploy.yml", None, "version: '0.1'\n"), ("config/link.yml", "../deploy.yml", "")
    )
    extract_inside(tar, tmp_path / "src")
    assert (tmp_path / "src/deploy.yml").read_text() == "version: '0.1'\n"
    assert (tmp_path / "src/config/link.yml").read_text() == "version: '0.1'\n"


@pytest.mark.parametrize(
    "member",
    [("../escape.txt", None, "x"), ("out", "../../etc/passwd", "")],
)
def test_nothing_lands_outside(
    tmp_path: Path, python: str, member: tuple[str, str | None, str]
) -> None:
    with pytest.raises(RehearsalError, match="would land outside"):
        extract_inside(archive(member), tmp_path / "src")
    assert sorted(p.name for p in tmp_path.iterdir()) in ([], ["src"])
