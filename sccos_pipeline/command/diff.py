"""`sccos-pipeline diff`: what deploying one git revision over another changes.

The two versions are read with git (core.changes.source, core.changes.git_tree): the deploy
file and, from its folder up to the repository's top, `config/deploy-templates/` and
`config/install/`, exported from each commit into a temporary folder; the summary is
core.changes.summary's and its text core.changes.report's. This module turns paths of the work
tree into paths in the repository.
Committed versions only: the work tree's uncommitted changes are not part of either side.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core.changes import report as change_report
from ..core.changes.git_tree import GitError, top_level
from ..core.changes.model import Category, Summary
from ..core.changes.source import summarize_revisions
from ..core.stages import PipelineType
from .options import UsageError
from .sources import project_options

FORMATS = {
    "text": change_report.text,
    "markdown": change_report.markdown,
    "json": change_report.json_text,
}
SUMMARY = "summarize what deploying one git revision over another changes"
DESCRIPTION = (
    "Compare the deploy file, its imports (config/deploy-templates/) and the install recipes "
    "(config/install/) at two git revisions, as a deployment of HEAD over BASE would meet "
    "them: the commits between them (a rollback, a redeploy), the hooks (a changed pre-deploy "
    "hook runs from the next deployment), the install recipes by section, the applications, "
    "regions and stores and what each needs, the image, and the environment variables (values "
    "of secret-looking names never shown). A change of code alone gives one line.\n\n"
    f"Categories for --fail-on: {', '.join(Category)}, or all."
)
EXAMPLES = (
    "  sccos-pipeline diff deploy.shop-prod.yml --base origin/main\n"
    "  sccos-pipeline diff deploy.shop-prod.yml --base v1.4.0 --head v1.5.0 --format markdown\n"
    "  sccos-pipeline diff deploy.shop-prod.yml --base origin/main --fail-on hooks,services"
)
EXIT_CODES = """\
exit codes:
  0  the summary is printed (and no --fail-on category has a change)
  1  a --fail-on category has a change, or the deploy file has errors at either revision
  2  usage error: not a git repository, an unknown revision, an unknown category; or an
     internal error (a defect: please report it)"""


def arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("file", metavar="DEPLOY_FILE", help="the deploy file, in a git work tree")
    sub.add_argument(
        "--base", required=True, metavar="REF", help="the version running (deployed from)"
    )
    sub.add_argument(
        "--head", default="HEAD", metavar="REF", help="the version to deploy; default: HEAD"
    )
    sub.add_argument("--format", choices=tuple(FORMATS), default="text", help="default: text")
    sub.add_argument(
        "--fail-on",
        metavar="CATEGORIES",
        help="exit 1 when one of these comma-separated categories has a change",
    )
    sub.add_argument(
        "--pipeline",
        choices=[t.value for t in PipelineType],
        default=PipelineType.NORMAL.value,
        help="the pipeline that deploys: destructive adds what it resets; default: normal",
    )
    project_options(sub, "the nearest one at or above the deploy file, at each revision")


def categories(text: str | None) -> frozenset[Category]:
    """--fail-on: comma-separated categories, or `all`; an unknown one is a usage error."""
    if text is None:
        return frozenset()
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    if "all" in names:
        return frozenset(Category)
    known = {c.value: c for c in Category}
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise UsageError(
            f"--fail-on: unknown category {', '.join(unknown) or repr(text)}; "
            f"known: {', '.join(known)}, all"
        )
    return frozenset(known[n] for n in names)


def run(args: argparse.Namespace) -> int:
    fail_on = categories(args.fail_on)
    summary = diff(
        Path(args.file),
        args.base,
        args.head,
        pipeline=PipelineType(args.pipeline),
        project=args.project,
        project_root=args.project_root,
    )
    sys.stdout.write(FORMATS[args.format](summary))
    return 1 if summary.categories & fail_on else 0


def diff(
    deploy_file: Path,
    base: str,
    head: str,
    *,
    pipeline: PipelineType = PipelineType.NORMAL,
    project: str | None = None,
    project_root: str | None = None,
) -> Summary:
    """The summary of deploying `head` over `base`, the deploy file and --project-root given
    as paths in the work tree; UsageError for what git cannot answer, DeployFileError with the
    errors of either version."""
    try:
        top = top_level(_folder(deploy_file)).resolve()
    except GitError as exc:
        raise UsageError(str(exc)) from None
    relative = _inside(top, deploy_file.absolute().parent, "DEPLOY_FILE") + "/" + deploy_file.name
    relative = relative.removeprefix("./")
    root = _inside(top, Path(project_root).absolute(), "--project-root") if project_root else None
    try:
        return summarize_revisions(
            top, relative, base, head, pipeline=pipeline, project=project, project_root=root
        )
    except GitError as exc:
        raise UsageError(str(exc)) from None


def _folder(path: Path) -> Path:
    """The nearest existing folder of the deploy file, for finding its repository."""
    folder = path.absolute().parent
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent
    return folder


def _inside(top: Path, path: Path, what: str) -> str:
    try:
        return path.resolve().relative_to(top).as_posix()
    except (ValueError, OSError, RuntimeError):
        raise UsageError(f"{what} {path} is outside the git repository {top}") from None
