"""Deploy files as they were at a git revision (`--base REF`), for SCC114."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from ..core.deployfile.loader import Base
from .options import UsageError


def base_versions(files: list[str], ref: str) -> dict[str, Base]:
    """Each existing file's text at `ref` (None where it did not exist), read with git."""
    git = shutil.which("git")
    if git is None:
        raise UsageError(f"--base {ref}: git is not installed or not on PATH")
    tops: dict[Path, Path] = {}
    commits: dict[Path, str] = {}
    bases: dict[str, Base] = {}
    for file in files:
        path = Path(file).resolve()
        if not path.is_file():
            continue  # reported as SCC001 by validation
        if path.parent not in tops:
            tops[path.parent] = Path(_git(git, path.parent, ["rev-parse", "--show-toplevel"], ref))
        top = tops[path.parent].resolve()
        if top not in commits:
            commits[top] = _commit(git, top, ref)
        relative = path.relative_to(top).as_posix()
        shown = _run(git, top, ["cat-file", "blob", f"{commits[top]}:{relative}"])
        text = shown.stdout.decode("utf-8-sig", "replace") if shown.returncode == 0 else None
        bases[file] = Base(text, f"{ref}:{relative}")
    return bases


def _commit(git: str, top: Path, ref: str) -> str:
    done = _run(
        git, top, ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"]
    )
    if done.returncode != 0:
        raise UsageError(f"--base {ref}: not a commit in the git repository {top}")
    return done.stdout.decode().strip()


def _git(git: str, folder: Path, args: list[str], ref: str) -> str:
    done = _run(git, folder, args)
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip().splitlines()
        reason = f" ({said[0]})" if said else ""
        raise UsageError(f"--base {ref}: {folder} is not in a git repository{reason}")
    return done.stdout.decode().strip()


def _run(git: str, folder: Path, args: list[str]) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0"}
    try:
        return subprocess.run(
            [git, "-C", str(folder), *args], capture_output=True, check=False, env=env
        )
    except OSError as exc:
        raise UsageError(f"--base: cannot run git: {exc}") from None
