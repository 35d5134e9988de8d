"""`imports:` merged the way the Docker SDK's deploy-file generator merges project templates.

Project templates live in `config/deploy-templates/` under the project root. The importing file
wins, recursively (PHP `array_replace_recursive`: lists merge by index), and an importing
`null` deletes the imported key. `%param%` placeholders (with `|lower` / `|upper`) are filled
from the import's `parameters:`, inherited by nested imports. An import that is not in the
project is a Docker SDK base template we do not have: a warning, never a crash.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .files import read_text
from .findings import DeployFileError, Finding, Position
from .yamlsafe import Path_, YamlDocument, load_document

TEMPLATES_DIR = Path("config") / "deploy-templates"
MAX_IMPORT_DEPTH = 16

_PLACEHOLDER = re.compile(r"%([A-Za-z0-9_\-| ]+)%")
_FILTERS: dict[str, Callable[[str], str]] = {"lower": str.lower, "upper": str.upper}


def substituter(params: Mapping[str, str], errors: list[Finding]) -> Callable[[str, Position], str]:
    """Fill `%name%` and `%name|filter%`; unknown names stay as written (as in the SDK)."""

    def substitute(text: str, where: Position) -> str:
        if "%" not in text or not params:
            return text

        def replace(match: re.Match[str]) -> str:
            name, _, filter_name = match.group(1).partition("|")
            name = name.strip()
            if name not in params:
                return match.group(0)
            if not filter_name:
                return params[name]
            apply = _FILTERS.get(filter_name.strip())
            if apply is None:
                errors.append(
                    Finding.of(
                        "SCC030",
                        f"parameter filter {filter_name.strip()!r} does not exist",
                        where,
                        "use |lower or |upper",
                    )
                )
                return match.group(0)
            return apply(params[name])

        return _PLACEHOLDER.sub(replace, text)

    return substitute


def merge(over: Any, base: Any) -> Any:
    """PHP array_replace_recursive(base, over), where an overriding null deletes the key."""
    if isinstance(over, dict) and isinstance(base, dict):
        result = dict(base)
        for key, value in over.items():
            if value is None and key in base:
                del result[key]
            else:
                result[key] = merge(value, base[key]) if key in base else value
        return result
    if isinstance(over, list) and isinstance(base, list):
        result_list = list(base)
        for index, value in enumerate(over):
            if index < len(result_list):
                result_list[index] = merge(value, result_list[index])
            else:
                result_list.append(value)
        return result_list
    return over


def _param_text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else ""
    return "" if value is None else str(value)


def _import_specs(
    doc: YamlDocument,
) -> tuple[list[tuple[str, dict[str, str], Position]], list[Finding]]:
    """The imports of a document as (template, parameters, where), in order."""
    raw = doc.data.get("imports")
    errors: list[Finding] = []
    entries: list[tuple[Path_, str, Any]] = []
    if isinstance(raw, dict):
        entries = [(("imports", name), name, value) for name, value in raw.items()]
    elif isinstance(raw, list):
        entries = [(("imports", i), "", value) for i, value in enumerate(raw)]
    elif raw is not None:
        errors.append(
            Finding.of(
                "SCC030",
                f"`imports` must be a mapping or a list, got {type(raw).__name__}",
                doc.position(("imports",)),
            )
        )
    specs: list[tuple[str, dict[str, str], Position]] = []
    for path, name, value in entries:
        where = doc.position(path, key=True)
        if value is None and name:
            specs.append((name, {}, where))
            continue
        if not isinstance(value, dict):
            errors.append(
                Finding.of(
                    "SCC030",
                    "an import must be empty or a mapping with `template:` and `parameters:`",
                    doc.position(path),
                )
            )
            continue
        template = value.get("template", name)
        params = value.get("parameters") or {}
        if not isinstance(template, str) or not template:
            errors.append(Finding.of("SCC030", "import without a `template:` file name", where))
            continue
        if not isinstance(params, dict):
            errors.append(
                Finding.of(
                    "SCC030",
                    f"`parameters` of import {template!r} must be a mapping",
                    doc.position((*path, "parameters")),
                    "write `parameters: {name: value}`",
                )
            )
            continue
        specs.append((template, {str(k): _param_text(v) for k, v in params.items()}, where))
    return specs, errors


def resolve_imports(doc: YamlDocument, project_root: Path, warnings: list[Finding]) -> YamlDocument:
    """The document with every project import merged in; `imports` itself removed."""
    templates = (project_root / TEMPLATES_DIR).resolve()
    return _resolve(doc, templates, {}, (), warnings)


def _resolve(
    doc: YamlDocument,
    templates: Path,
    parent_params: dict[str, str],
    chain: tuple[Path, ...],
    warnings: list[Finding],
) -> YamlDocument:
    specs, spec_errors = _import_specs(doc)
    if spec_errors:
        raise DeployFileError(spec_errors)
    errors = list(doc.errors)
    data = {k: v for k, v in doc.data.items() if k != "imports"}
    where = dict(doc.where)
    for template, own_params, at in specs:
        try:
            candidate = (templates / template).resolve()
            exists = candidate.exists()  # a FIFO or device is refused on reading, not skipped
        except (OSError, ValueError):  # NUL bytes, names too long for the file system
            raise DeployFileError(
                [Finding.of("SCC030", f"import {template!r} is not a usable file name", at)]
            ) from None
        if not candidate.is_relative_to(templates):
            raise DeployFileError(
                [
                    Finding.of(
                        "SCC030",
                        f"import {template!r} points outside {TEMPLATES_DIR}/",
                        at,
                        "import files from config/deploy-templates/ only",
                    )
                ]
            )
        if candidate in chain or len(chain) >= MAX_IMPORT_DEPTH:
            raise DeployFileError(
                [Finding.of("SCC030", f"import {template!r} imports itself again", at)]
            )
        if not exists:
            warnings.append(
                Finding.of(
                    "SCC131",
                    f"import {template!r} is not in {TEMPLATES_DIR}/; assumed to be a Docker "
                    "SDK base template, whose values are not checked here",
                    at,
                    f"add it to {TEMPLATES_DIR}/ to have it checked",
                )
            )
            continue
        params = {**parent_params, **own_params}
        param_errors: list[Finding] = []
        display = str(candidate)
        imported = load_document(
            read_text(candidate, display), display, substituter(params, param_errors)
        )
        imported.errors.extend(param_errors)
        imported = _resolve(imported, templates, params, (*chain, candidate), warnings)
        data = merge(data, imported.data)
        where = {**imported.where, **where}
        errors += imported.errors
    return YamlDocument(doc.file, data, where, errors)
