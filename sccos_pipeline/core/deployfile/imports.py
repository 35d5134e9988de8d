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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .files import MAX_BYTES, read_text
from .findings import DeployFileError, Finding, Position
from .yamlsafe import MAX_NODES, Path_, YamlDocument, load_document

TEMPLATES_DIR = Path("config") / "deploy-templates"
MAX_IMPORT_DEPTH = 16
MAX_IMPORTS = 100  # files imported in all, each import counted (real ones: about ten)
MAX_IMPORTED_VALUES = MAX_NODES
MAX_IMPORTED_TEXT = 8 * 1024 * 1024  # characters read, and of values merged, in all

_PLACEHOLDER = re.compile(r"%([A-Za-z0-9_\-| ]+)%")
_FILTERS: dict[str, Callable[[str], str]] = {"lower": str.lower, "upper": str.upper}


def substituter(
    params: Mapping[str, str],
    errors: list[Finding],
    grow: Callable[[int, Position], None] = lambda _size, _where: None,
) -> Callable[[str, Position], str]:
    """Fill `%name%` and `%name|filter%`; unknown names stay as written (as in the SDK).
    `grow` is told each filled value's size, before it is filled in."""

    def substitute(text: str, where: Position) -> str:
        if "%" not in text or not params:
            return text

        def replace(match: re.Match[str]) -> str:
            name, _, filter_name = match.group(1).partition("|")
            name = name.strip()
            if name not in params:
                return match.group(0)
            grow(len(params[name]), where)
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


_ABSENT = object()


def merge_many(over: Any, bases: list[Any]) -> Any:
    """merge(...merge(merge(over, bases[0]), bases[1])..., bases[-1]), visiting each key once.

    Folding merge costs the size of `over` per base: 99 small imports into a file of 100000
    keys took 20 s. Null deletes, so merge is not associative; this keeps the fold's results
    and key order exactly."""
    if isinstance(over, dict):
        dicts = [base for base in bases if isinstance(base, dict)]  # others leave `over` as is
        return _merge_dicts(over, dicts) if dicts else over
    if isinstance(over, list):
        lists = [base for base in bases if isinstance(base, list)]
        return _merge_lists(over, lists) if lists else over
    return over


def _merge_dicts(over: dict[str, Any], bases: list[dict[str, Any]]) -> dict[str, Any]:
    values: dict[str, list[Any]] = {}
    last: dict[str, int] = {}
    for index, base in enumerate(bases):
        for key, value in base.items():
            values.setdefault(key, []).append(value)
            last[key] = index
    # Each fold step puts the base's keys first: a key sits where its last base has it.
    result: dict[str, Any] = {}
    for index in range(len(bases) - 1, -1, -1):
        for key in bases[index]:
            if last[key] == index:
                value = _fold(over.get(key, _ABSENT), values[key])
                if value is not _ABSENT:
                    result[key] = value
    result.update((key, value) for key, value in over.items() if key not in values)
    return result


def _fold(state: Any, values: list[Any]) -> Any:
    """One key through the fold: a base fills it when absent, deletes it when null."""
    for index, value in enumerate(values):
        if state is _ABSENT:
            state = value
        elif state is None:
            state = _ABSENT
        else:  # a value stays one from here on
            return merge_many(state, values[index:])
    return state


def _merge_lists(over: list[Any], bases: list[list[Any]]) -> list[Any]:
    length = max(len(over), *(len(base) for base in bases))
    values: list[list[Any]] = [[] for _ in range(length)]
    for base in bases:
        for index, value in enumerate(base):
            values[index].append(value)
    return [  # in lists a null overrides like any value
        merge_many(over[i], values[i]) if i < len(over) else merge_many(values[i][0], values[i][1:])
        for i in range(length)
    ]


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
    return _resolve(doc, {}, (), _Work(project_root, warnings))


@dataclass
class _Work:
    """What one deploy file's imports have cost so far, and the templates already resolved.

    Repeated imports multiply (eight imports of a template that imports another eight
    times...): a template resolved once with the same parameters is reused, and the imports
    and the values and text of the whole tree are bounded, cycles or not.
    """

    root: Path
    warnings: list[Finding]
    templates: Path | None = None  # resolved at the first import: only imports read it
    imports: int = 0
    values: int = 0
    text: int = 0
    filled: int = 0  # characters parameters added
    resolved: dict[tuple[Path, tuple[tuple[str, str], ...]], YamlDocument] = field(
        default_factory=dict
    )

    def spend(
        self,
        template: str,
        at: Position,
        imports: int = 0,
        doc: YamlDocument | None = None,
        text: int = 0,
    ) -> None:
        """Count an import before it is read, its file's text before it is parsed, and its
        values and their text (keys too; aliases and reuses expanded) once it is resolved,
        as every check downstream reads them."""
        self.imports += imports
        self.text += text
        if doc is not None:
            self.values += len(doc.where)
            self.text += sum(len(v.raw or "") + len(str(k[-1])) for k, v in doc.where.items() if k)
        if (
            self.imports > MAX_IMPORTS
            or self.values > MAX_IMPORTED_VALUES
            or self.text > MAX_IMPORTED_TEXT
        ):
            raise DeployFileError(
                [
                    Finding.of(
                        "SCC030",
                        f"import {template!r} brings the imports to more than {MAX_IMPORTS} "
                        f"files, {MAX_IMPORTED_VALUES} values or "
                        f"{MAX_IMPORTED_TEXT // 1024 // 1024} MiB of text in all, nested ones "
                        "included",
                        at,
                        "import each template once, from fewer levels",
                    )
                ]
            )

    def fill(self, size: int, where: Position) -> None:
        """Count what a parameter adds: a long one in many placeholders makes gigabytes."""
        self.filled += size
        if self.filled > MAX_BYTES:
            raise DeployFileError(
                [
                    Finding.of(
                        "SCC030",
                        f"parameters add more than {MAX_BYTES // 1024} KiB to the imported "
                        "templates",
                        where,
                        "keep parameters short, e.g. an environment name",
                    )
                ]
            )


def _unusable(template: str, at: Position, reason: str) -> DeployFileError:
    return DeployFileError([Finding.of("SCC030", f"import {template!r} {reason}", at)])


def _template_path(template: str, at: Position, work: _Work) -> Path:
    # Python 3.11's Path.resolve raises RuntimeError on a symlink loop (3.13: OSError).
    if work.templates is None:
        try:
            work.templates = (work.root / TEMPLATES_DIR).resolve()
        except RuntimeError:
            raise _unusable(
                template, at, f"cannot be read: {TEMPLATES_DIR} is a symlink loop"
            ) from None
        except (OSError, ValueError) as exc:
            raise _unusable(template, at, f"cannot be read: {exc}") from None
    templates = work.templates
    try:
        candidate = (templates / template).resolve()
    except RuntimeError:
        where = (TEMPLATES_DIR / template).as_posix()
        raise _unusable(template, at, f"cannot be read: {where} is a symlink loop") from None
    except (OSError, ValueError):  # NUL bytes, names too long for the file system
        raise _unusable(template, at, "is not a usable file name") from None
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
    return candidate


def _resolve(
    doc: YamlDocument, parent_params: dict[str, str], chain: tuple[Path, ...], work: _Work
) -> YamlDocument:
    specs, spec_errors = _import_specs(doc)
    if spec_errors:
        raise DeployFileError(spec_errors)
    errors = list(doc.errors)
    data = {k: v for k, v in doc.data.items() if k != "imports"}
    bases: list[Any] = []  # merged into data at the end, in one pass
    where = dict(doc.where)
    for template, own_params, at in specs:
        candidate = _template_path(template, at, work)
        if candidate in chain:
            raise DeployFileError(
                [Finding.of("SCC030", f"import {template!r} imports itself again", at)]
            )
        if len(chain) >= MAX_IMPORT_DEPTH:
            raise DeployFileError(
                [Finding.of("SCC030", f"imports nest deeper than {MAX_IMPORT_DEPTH} levels", at)]
            )
        try:
            exists = candidate.exists()  # a FIFO or device is refused on reading, not skipped
        except (OSError, ValueError):
            exists = False
        if not exists:
            work.warnings.append(
                Finding.of(
                    "SCC131",
                    f"import {template!r} is not in {TEMPLATES_DIR}/; assumed to be a Docker "
                    "SDK base template, whose values are not checked here",
                    at,
                    f"add it to {TEMPLATES_DIR}/ to have it checked",
                )
            )
            continue
        work.spend(template, at, imports=1)
        params = {**parent_params, **own_params}
        key = (candidate, tuple(sorted(params.items())))
        imported = work.resolved.get(key)
        if imported is None:
            param_errors: list[Finding] = []
            display = str(candidate)
            text = read_text(candidate, display)
            work.spend(template, at, text=len(text))
            loaded = load_document(text, display, substituter(params, param_errors, work.fill))
            loaded.errors.extend(param_errors)
            imported = _resolve(loaded, params, (*chain, candidate), work)
            errors += imported.errors  # a reuse reports nothing new
            work.resolved[key] = imported
        work.spend(template, at, doc=imported)
        bases.append(imported.data)
        for path, located in imported.where.items():  # the importing file's places win
            where.setdefault(path, located)
    return YamlDocument(doc.file, merge_many(data, bases), where, errors)
