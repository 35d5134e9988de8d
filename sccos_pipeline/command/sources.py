"""Which deploy files to check: the paths given, and directories searched for them."""

from __future__ import annotations

import argparse
import fnmatch
import os
from collections.abc import Iterable
from pathlib import Path

from ..core.deployfile.imports import TEMPLATES_DIR
from .options import UsageError

PATTERNS = ("deploy*.yml", "deploy*.yaml")
# Other projects' files, and template pieces checked through the files that import them.
SKIPPED = frozenset({"vendor", "node_modules", ".git", "docker"})


def deploy_files(paths: Iterable[str]) -> list[str]:
    """Files as given (a missing one is reported as SCC001); directories searched recursively.
    Each file once, in the order found."""
    found: dict[str, None] = {}
    for given in paths:
        if os.path.isdir(given):
            inside = list(_search(given))
            if not inside:
                raise UsageError(
                    f"{given}: no {' or '.join(PATTERNS)} files in this directory "
                    f"(skipped: {', '.join(f'{d}/' for d in sorted(SKIPPED))}, {TEMPLATES_DIR}/)"
                )
            found.update(dict.fromkeys(inside))
        else:
            found[os.path.normpath(given)] = None
    return list(found)


def _search(top: str) -> Iterable[str]:
    templates = Path(TEMPLATES_DIR).parts
    for folder, subfolders, files in os.walk(top):
        parts = Path(os.path.relpath(folder, top)).parts
        subfolders[:] = sorted(
            d for d in subfolders if d not in SKIPPED and (*parts, d)[-2:] != templates
        )
        for name in sorted(files):
            if any(fnmatch.fnmatchcase(name, p) for p in PATTERNS):
                yield os.path.normpath(os.path.join(folder, name))


def project_options(
    sub: argparse.ArgumentParser, root_default: str = "the nearest one at or above the deploy file"
) -> None:
    """--project and --project-root, which the commands that read one deploy file share."""
    sub.add_argument(
        "--project",
        metavar="NAME",
        help="project (environment) name; default: from deploy.<name>.yml, else `namespace`",
    )
    sub.add_argument(
        "--project-root",
        metavar="DIR",
        help=f"folder holding config/deploy-templates and config/install; default: {root_default}",
    )
