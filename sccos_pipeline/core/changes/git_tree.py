"""The files a deployment's change summary reads, as they are at a git commit.

Stdlib only and importing nothing of the project, so a pipeline step can run it as it is (a
full clone is needed for the version that is running). Three git processes in all, whatever
the number of files: `rev-parse --show-toplevel`, one `cat-file --batch` that resolves both
revisions and reads every tree and blob (refs go to its stdin, never to its arguments), and
one `rev-list --left-right --count` for the commits between them.

What is exported from a commit: the deploy file, and for the deploy file's folder and every
folder above it up to the repository's top, `config/deploy-templates/` and `config/install/`
(the project templates `imports:` reads and the install recipes the hooks run). Symbolic
links and submodules are not exported (a template that is a link reads as missing); a blob
larger than `limit` becomes a sparse file of its size, which the loader refuses as too large,
so it is never read into memory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

FOLDERS = (("config", "deploy-templates"), ("config", "install"))
MAX_FILES = 5000  # files exported per commit; a project has a few dozen
MAX_DEPTH = 32  # folder levels below config/install or config/deploy-templates
_CHUNK = 1 << 16


class GitError(Exception):
    """git cannot answer: not installed, not a repository, an unknown revision."""


@dataclass(frozen=True)
class Distance:
    """Commits only in the running version (`behind`) and only in the one to deploy (`ahead`).
    Deploying an ancestor of the running version (ahead 0, behind > 0) is a rollback."""

    ahead: int
    behind: int


def top_level(folder: Path) -> Path:
    """The top of the work tree `folder` is in."""
    done = _run(folder, ["rev-parse", "--show-toplevel"])
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip().splitlines()
        reason = f" ({said[0]})" if said else ""
        raise GitError(f"{folder} is not in a git repository{reason}")
    return Path(done.stdout.decode(errors="replace").strip())


def distance(top: Path, running: str, deploying: str) -> Distance:
    """How far apart two commits are (full hashes, as `CommitReader.commit` gives them)."""
    done = _run(top, ["rev-list", "--left-right", "--count", f"{running}...{deploying}"])
    words = done.stdout.split()
    if done.returncode != 0 or len(words) != 2:
        said = done.stderr.decode(errors="replace").strip().splitlines()
        raise GitError(f"cannot count the commits between them ({said[0] if said else 'git'})")
    return Distance(ahead=int(words[1]), behind=int(words[0]))


class CommitReader:
    """One `git cat-file --batch` process for every object read; use it in a `with`."""

    def __init__(self, top: Path) -> None:
        self._top = top
        try:
            self._process = subprocess.Popen(
                [_git(), "-C", str(top), "cat-file", "--batch"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=_env(),
            )
        except OSError as exc:
            raise GitError(f"cannot run git: {exc}") from None
        self._trees: dict[str, list[tuple[str, str, str]]] = {}

    def __enter__(self) -> CommitReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        if self._process.stdin:
            self._process.stdin.close()
        if self._process.stdout:
            self._process.stdout.close()
        self._process.wait()

    def commit(self, ref: str) -> str:
        """The full hash of the commit `ref` names; GitError when it names none."""
        if not ref or any(c in ref for c in "\n\r\0") or ref.isspace():
            raise GitError(f"{ref!r} is not a revision")
        found = self._object(f"{ref}^{{commit}}", None)
        if found is None:
            raise GitError(f"{ref} is not a commit in the git repository {self._top}")
        return found[0]

    def export(self, commit: str, deploy_file: str, dest: Path, limit: int) -> int:
        """Write the deploy file and the project folders above it (see the module) as they are
        at `commit` (a full hash) under `dest`; the number of files written."""
        parts = PurePosixPath(deploy_file).parts
        tree = self._commit_tree(commit)
        written = 0
        for depth in range(len(parts)):
            entries = self._tree(tree)
            for folder in FOLDERS:
                sub = self._descend(entries, folder)
                if sub is not None:
                    written += self._write_tree(sub, dest.joinpath(*parts[:depth], *folder), limit)
            if depth == len(parts) - 1:
                blob = _entry(entries, parts[depth])
                if blob is not None and blob[0].startswith("100"):
                    self._write_blob(blob[2], dest.joinpath(*parts), limit)
                    written += 1
                break
            entry = _entry(entries, parts[depth])
            if entry is None or entry[0] != "40000":
                break
            tree = entry[2]
        return written

    def _commit_tree(self, commit: str) -> str:
        found = self._object(commit, None)
        if found is None or found[1] != "commit" or not isinstance(found[2], bytes):
            raise GitError(f"{commit} is not a commit in the git repository {self._top}")
        first = found[2].split(b"\n", 1)[0].decode()
        if not first.startswith("tree "):
            raise GitError(f"cannot read commit {commit}")
        return first[5:]

    def _descend(self, entries: list[tuple[str, str, str]], names: tuple[str, ...]) -> str | None:
        for depth, name in enumerate(names):
            entry = _entry(entries, name)
            if entry is None or entry[0] != "40000":
                return None
            if depth == len(names) - 1:
                return entry[2]
            entries = self._tree(entry[2])
        return None  # pragma: no cover - names is never empty

    def _write_tree(self, tree: str, dest: Path, limit: int, depth: int = 0) -> int:
        if depth > MAX_DEPTH:
            return 0
        written = 0
        for mode, name, sha in self._tree(tree):
            if written > MAX_FILES:
                break
            if mode == "40000":
                written += self._write_tree(sha, dest / name, limit, depth + 1)
            elif mode.startswith("100"):  # not 120000 (a link) nor 160000 (a submodule)
                self._write_blob(sha, dest / name, limit)
                written += 1
        return written

    def _write_blob(self, sha: str, path: Path, limit: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            found = self._object(sha, (out, limit))
            if found is not None and isinstance(found[2], int):
                out.truncate(found[2])  # sparse: too large to be read, never read into memory

    def _tree(self, sha: str) -> list[tuple[str, str, str]]:
        """The entries (mode, name, hash) of a tree object."""
        cached = self._trees.get(sha)
        if cached is not None:
            return cached
        found = self._object(sha, None)
        if found is None or found[1] != "tree" or not isinstance(found[2], bytes):
            raise GitError(f"cannot read tree {sha}")
        data, size = found[2], len(sha) // 2
        entries: list[tuple[str, str, str]] = []
        at = 0
        while at < len(data):
            space = data.index(b" ", at)
            nul = data.index(b"\0", space)
            name = data[space + 1 : nul].decode("utf-8", "surrogateescape")
            entries.append((data[at:space].decode(), name, data[nul + 1 : nul + 1 + size].hex()))
            at = nul + 1 + size
        self._trees[sha] = entries
        return entries

    def _object(
        self, name: str, sink: tuple[IO[bytes], int] | None
    ) -> tuple[str, str, bytes | int] | None:
        """Ask for one object: (hash, type, content) or None when missing. With a sink, the
        content goes to the file instead (its size returned when larger than the limit)."""
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None and stdout is not None
        try:
            stdin.write(name.encode("utf-8", "surrogateescape") + b"\n")
            stdin.flush()
        except OSError as exc:
            raise GitError(f"git cat-file stopped: {exc}") from None
        header = stdout.readline().decode(errors="replace").split()
        if len(header) != 3 or not header[2].isdigit():
            if header[-1:] in (["missing"], ["ambiguous"]):
                return None
            raise GitError(f"git cat-file answered {' '.join(header)!r} for {name}")
        sha, kind, size = header[0], header[1], int(header[2])
        result: bytes | int
        if sink is None:
            result = _read_exactly(stdout, size)
        else:
            out, limit = sink
            result = size if size > limit else b""
            left = size
            while left:
                chunk = _read_exactly(stdout, min(left, _CHUNK))
                if size <= limit:
                    out.write(chunk)
                left -= len(chunk)
        stdout.readline()  # the newline after the content
        return sha, kind, result


def _entry(entries: list[tuple[str, str, str]], name: str) -> tuple[str, str, str] | None:
    for entry in entries:
        if entry[1] == name:
            return entry
    return None


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise GitError("git cat-file stopped before the end of an object")
    return data


def _env() -> dict[str, str]:
    return {**os.environ, "LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}


def _git() -> str:
    git = shutil.which("git")
    if git is None:
        raise GitError("git is not installed or not on PATH")
    return git


def _run(folder: Path, args: list[str]) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            [_git(), "-C", str(folder), *args], capture_output=True, check=False, env=_env()
        )
    except OSError as exc:
        raise GitError(f"cannot run git: {exc}") from None
