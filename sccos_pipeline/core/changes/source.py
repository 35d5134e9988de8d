"""A change summary of two revisions of a git repository: the one call a pipeline step (or
the command) makes. changes.git_tree exports each commit's deploy file, templates and recipes
into a temporary folder, changes.snapshot reads them, changes.summary compares them."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..deployfile.files import MAX_BYTES
from ..deployfile.findings import DeployFileError, Finding
from ..stages import PipelineType
from .git_tree import CommitReader, distance
from .model import Summary, Versions
from .snapshot import Snapshot, read_snapshot
from .summary import summarize


def summarize_revisions(
    repository: Path,
    deploy_file: str,
    running: str,
    deploying: str,
    *,
    pipeline: PipelineType = PipelineType.NORMAL,
    project: str | None = None,
    project_root: str | None = None,
) -> Summary:
    """What deploying revision `deploying` over `running` changes. `deploy_file` and
    `project_root` (default: the nearest folder with project templates or recipes, at each
    revision) are relative to the repository's top; findings name `REVISION:path`.

    Raises git_tree.GitError when git cannot answer (not a repository, an unknown revision),
    DeployFileError with the deploy file's errors at either revision."""
    with tempfile.TemporaryDirectory(prefix="sccos-diff-") as temp:
        with CommitReader(repository) as reader:
            old, new = reader.commit(running), reader.commit(deploying)
            for commit in dict.fromkeys((old, new)):
                reader.export(commit, deploy_file, Path(temp, commit), MAX_BYTES)
        between = distance(repository, old, new) if old != new else None
        sides: list[Snapshot] = []
        errors: list[Finding] = []
        for commit, label in ((old, running), (new, deploying)):
            try:
                sides.append(
                    read_snapshot(
                        Path(temp, commit),
                        deploy_file,
                        label=label,
                        project=project,
                        project_root=project_root,
                    )
                )
            except DeployFileError as exc:
                errors += exc.findings
        if errors:
            raise DeployFileError(errors)
    versions = Versions(old, new, between.ahead if between else 0, between.behind if between else 0)
    return summarize(sides[0], sides[1], versions, pipeline)
