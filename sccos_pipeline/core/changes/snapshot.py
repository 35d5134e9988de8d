"""What a change summary compares: one version of a project, read from a folder.

A snapshot is the deploy file's model, its settings with `imports:` merged, and the install
recipes its hooks name (defaults included). It is read from a folder holding the project as
it is at one version: a checkout, or the files `core.git_tree` exports from a commit into a
temporary folder. Paths in findings are given as `LABEL:path-in-the-project`, e.g.
`main:deploy.yml:6:33`, whatever folder the files were read from.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..deployfile.advice import RECIPES_DIR
from ..deployfile.files import read_text
from ..deployfile.findings import DeployFileError, Finding, Position
from ..deployfile.imports import TEMPLATES_DIR, resolve_imports
from ..deployfile.loader import validate_deploy_file
from ..deployfile.model import DeployModel
from ..deployfile.yamlsafe import load_document

MAX_RECIPES = 200  # recipe files read per snapshot; a real project has a dozen or two


@dataclass(frozen=True)
class Recipe:
    """An install recipe (`config/install/NAME.yml`) as JSON text per part, for comparing:
    each section's commands, and its other top-level keys (`env`, `stores`, ...)."""

    sections: Mapping[str, Mapping[str, str]]
    settings: Mapping[str, str]


@dataclass(frozen=True)
class Snapshot:
    model: DeployModel
    settings: Mapping[str, Any]  # the deploy file as the Docker SDK reads it, imports merged
    # Every recipe of config/install by the name `-r` gives it (`EU/production`); None when the
    # file cannot be read as a recipe.
    recipes: Mapping[str, Recipe | None]


def recipe_key(name: str) -> str:
    """The key of `recipes` for a name a hook gives: `EU/production.yml` is `EU/production`."""
    return name[:-4] if name.endswith(".yml") else name


def project_root_in(tree: Path, deploy_file: str) -> PurePosixPath:
    """The nearest folder at or above the deploy file, inside the tree, that holds project
    templates or recipes (as `--project-root` defaults); the deploy file's folder if none."""
    folder = PurePosixPath(deploy_file).parent
    for candidate in (folder, *folder.parents):
        if (tree / candidate / TEMPLATES_DIR).is_dir() or (tree / candidate / RECIPES_DIR).is_dir():
            return candidate
    return folder


def read_snapshot(
    tree: Path,
    deploy_file: str,
    *,
    label: str,
    project: str | None = None,
    project_root: str | None = None,
) -> Snapshot:
    """The snapshot of `tree` (a folder); `deploy_file` and `project_root` are relative to it.
    Raises DeployFileError with the deploy file's errors, named `label:path`."""
    top = tree.resolve()
    root = PurePosixPath(project_root) if project_root else project_root_in(top, deploy_file)
    path = top / deploy_file
    result = validate_deploy_file(path, project=project, project_root=top / root)
    if result.model is None:
        raise DeployFileError([_relabel(f, top, label) for f in result.errors])
    try:
        doc = resolve_imports(load_document(read_text(path, str(path)), str(path)), top / root, [])
    except DeployFileError as exc:  # pragma: no cover - validation read the same files
        raise DeployFileError([_relabel(f, top, label) for f in exc.findings]) from None
    model = dataclasses.replace(result.model, file=f"{label}:{deploy_file}")
    return Snapshot(model, doc.data, _recipes(top / root / RECIPES_DIR))


def _relabel(finding: Finding, top: Path, label: str) -> Finding:
    """The finding with its file named `label:path-in-the-tree`."""
    where = finding.position
    try:
        relative = Path(where.file).relative_to(top).as_posix()
    except ValueError:
        return finding
    return dataclasses.replace(finding, position=Position(f"{label}:{relative}", *where[1:]))


def _recipes(folder: Path) -> dict[str, Recipe | None]:
    """Every `*.yml` under the recipes folder, in name order; links leading out are skipped."""
    try:
        inside = folder.resolve()
        paths = sorted(folder.rglob("*.yml")) if folder.is_dir() else []
    except (OSError, RuntimeError, ValueError):
        return {}
    recipes: dict[str, Recipe | None] = {}
    for path in paths[:MAX_RECIPES]:
        try:
            if not path.resolve().is_relative_to(inside):
                continue
        except (OSError, RuntimeError, ValueError):
            continue
        recipes[recipe_key(path.relative_to(folder).as_posix())] = _recipe(path)
    return recipes


def _recipe(path: Path) -> Recipe | None:
    """The recipe in a file; None when it cannot be read as one (validation reports a broken
    recipe a hook names)."""
    try:
        recipe = load_document(read_text(path, str(path)), str(path))
    except (DeployFileError, OSError, ValueError):
        return None
    if recipe.errors or not isinstance(recipe.data, dict):
        return None
    raw = recipe.data.get("sections")
    sections = raw if isinstance(raw, dict) else {}
    return Recipe(
        sections={
            str(section): (
                {str(k): _text(v) for k, v in commands.items()}
                if isinstance(commands, dict)
                else {"": _text(commands)}
            )
            for section, commands in sections.items()
        },
        settings={str(k): _text(v) for k, v in recipe.data.items() if k != "sections"},
    )


def _text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)
