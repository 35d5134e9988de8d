"""A CodeBuild action's artifacts: where its inputs are laid out, what its outputs hold.

Inputs (https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodeBuild.html):
the primary source (Configuration `PrimarySource`, else the first input artifact) is the
build's folder, CODEBUILD_SRC_DIR; every other input gets its own folder, named by
`CODEBUILD_SRC_DIR_<ArtifactName>`. Outputs: with one output artifact, the buildspec's
`artifacts` name its files; an output named like an entry of `artifacts.secondary-artifacts`
gets that entry's files, as CodeBuild does for several outputs
(https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html#build-spec.artifacts).
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from .build import BuildError

NO_FILES = "CLIENT_ERROR: no matching artifact paths found"


def lay_inputs(
    inputs: Sequence[str],
    primary: str | None,
    artifacts: Mapping[str, Path],
    source_dir: Path,
) -> dict[str, str]:
    """Copy each input artifact where CodeBuild puts it; the CODEBUILD_SRC_DIR_<name>
    variables of the secondary ones."""
    if not inputs:
        return {}
    primary = primary or inputs[0]
    if primary not in inputs:
        raise BuildError(
            f"CLIENT_ERROR: PrimarySource {primary} is not an input artifact of the action "
            f"({', '.join(inputs)})"
        )
    variables: dict[str, str] = {}
    for name in inputs:
        target = source_dir if name == primary else source_dir.parent / "secondary" / name
        shutil.copytree(artifacts[name], target, dirs_exist_ok=True)
        if name != primary:
            variables[f"CODEBUILD_SRC_DIR_{name}"] = str(target)
    return variables


def _section(spec: Mapping[str, Any], output: str, outputs: int) -> Mapping[str, Any]:
    primary = spec.get("artifacts") or {}
    secondary = primary.get("secondary-artifacts") or {}
    if output in secondary:
        return dict(secondary[output] or {})
    if outputs == 1 and primary.get("files"):
        return dict(primary)
    raise BuildError(
        f"CLIENT_ERROR: the buildspec names no files for the output artifact {output} "
        f"(secondary artifacts: {', '.join(secondary) or 'none'})"
    )


def artifact_files(
    source_dir: Path, spec_text: str, output: str = "", outputs: int = 1
) -> dict[str, Path]:
    """The files of output artifact `output` (one of `outputs`), by their path in it.

    `files` globs are relative to `base-directory` (itself relative to the source folder);
    paths are kept unless `discard-paths` is yes."""
    spec = yaml.safe_load(spec_text) or {}
    section = _section(spec, output, outputs)
    base = source_dir / str(section.get("base-directory") or ".")
    flat = section.get("discard-paths") in (True, "yes")
    patterns = section.get("files") or []
    if isinstance(patterns, str):
        patterns = [patterns]
    found: dict[str, Path] = {}
    for pattern in patterns:
        for path in sorted(base.glob(str(pattern).removeprefix("./"))):
            if path.is_file():
                found[path.name if flat else str(path.relative_to(base))] = path
    if not found:
        raise BuildError(NO_FILES)
    return found


def write_output(files: Mapping[str, Path], target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name, path in files.items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target / name)
