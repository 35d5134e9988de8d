"""A CodeBuild action's artifacts: inputs laid out as CodeBuild does, outputs as the buildspec
names them (primary `artifacts` or `secondary-artifacts`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sccos_pipeline.rehearsal.codebuild.artifacts import artifact_files, lay_inputs, write_output
from sccos_pipeline.rehearsal.codebuild.build import BuildError


def folder(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def names(found: dict[str, Path], root: Path) -> dict[str, str]:
    return {k: str(v.relative_to(root)) for k, v in found.items()}


def test_the_primary_source_is_the_build_folder_the_others_get_their_own(tmp_path: Path) -> None:
    artifacts = {
        "Source": folder(tmp_path / "a", {"deploy.yml": "x"}),
        "Images": folder(tmp_path / "b", {"imagedefinitions.json": "[]"}),
    }
    src = tmp_path / "build" / "src"
    src.mkdir(parents=True)
    variables = lay_inputs(["Images", "Source"], "Source", artifacts, src)
    assert variables == {"CODEBUILD_SRC_DIR_Images": str(tmp_path / "build/secondary/Images")}
    assert sorted(p.name for p in src.iterdir()) == ["deploy.yml"]
    assert (tmp_path / "build/secondary/Images/imagedefinitions.json").read_text() == "[]"


def test_without_primary_source_the_first_input_is_primary(tmp_path: Path) -> None:
    artifacts = {"A": folder(tmp_path / "a", {"a": "1"}), "B": folder(tmp_path / "b", {"b": "2"})}
    src = tmp_path / "src"
    src.mkdir()
    assert lay_inputs(["B", "A"], None, artifacts, src) == {
        "CODEBUILD_SRC_DIR_A": str(tmp_path / "secondary/A")
    }
    assert [p.name for p in src.iterdir()] == ["b"]


def test_a_primary_source_that_is_no_input_fails_the_build(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="PrimarySource C is not an input artifact"):
        lay_inputs(["A"], "C", {"A": tmp_path}, tmp_path / "src")


SOURCE = {
    "imagedefinitions-yves.json": "y",
    "imagedefinitions-glue.json": "g",
    "out/deep/a.txt": "a",
    "out/b.txt": "b",
    "notes.md": "n",
}


def test_primary_artifacts_keep_paths_under_the_base_directory(tmp_path: Path) -> None:
    root = folder(tmp_path, SOURCE)
    spec = "version: 0.2\nartifacts:\n  files: ['**/*.txt']\n  base-directory: out\n"
    assert names(artifact_files(root, spec, "Out"), root) == {
        "b.txt": "out/b.txt",
        "deep/a.txt": "out/deep/a.txt",
    }
    spec = "version: 0.2\nartifacts:\n  files: ['imagedefinitions-*.json', 'out/**/*']\n"
    assert names(artifact_files(root, spec, "Images"), root) == {
        "imagedefinitions-glue.json": "imagedefinitions-glue.json",
        "imagedefinitions-yves.json": "imagedefinitions-yves.json",
        "out/b.txt": "out/b.txt",
        "out/deep/a.txt": "out/deep/a.txt",
    }


def test_discard_paths_flattens(tmp_path: Path) -> None:
    root = folder(tmp_path, SOURCE)
    spec = "version: 0.2\nartifacts:\n  files: ['out/**/*']\n  discard-paths: yes\n"
    assert names(artifact_files(root, spec, "Out"), root) == {
        "a.txt": "out/deep/a.txt",
        "b.txt": "out/b.txt",
    }


def test_several_outputs_take_their_secondary_artifacts(tmp_path: Path) -> None:
    root = folder(tmp_path, SOURCE)
    spec = """\
version: 0.2
artifacts:
  files: ['notes.md']
  secondary-artifacts:
    Images:
      files: ['imagedefinitions-yves.json']
    Deep:
      files: ['*']
      base-directory: out/deep
"""
    assert names(artifact_files(root, spec, "Images", 2), root) == {
        "imagedefinitions-yves.json": "imagedefinitions-yves.json"
    }
    assert names(artifact_files(root, spec, "Deep", 2), root) == {"a.txt": "out/deep/a.txt"}
    with pytest.raises(BuildError) as raised:
        artifact_files(root, spec, "Other", 2)
    assert str(raised.value) == (
        "CLIENT_ERROR: the buildspec names no files for the output artifact Other "
        "(secondary artifacts: Images, Deep)"
    )


def test_an_output_without_files_fails_as_in_codebuild(tmp_path: Path) -> None:
    root = folder(tmp_path, SOURCE)
    with pytest.raises(BuildError) as raised:
        artifact_files(root, "version: 0.2\nartifacts:\n  files: ['*.zip']\n", "Out")
    assert str(raised.value) == "CLIENT_ERROR: no matching artifact paths found"


def test_an_output_is_written_with_its_paths(tmp_path: Path) -> None:
    root = folder(tmp_path / "src", SOURCE)
    write_output({"deep/a.txt": root / "out/deep/a.txt"}, tmp_path / "artifact")
    assert (tmp_path / "artifact/deep/a.txt").read_text() == "a"
