"""Stdlib-only scripts that pipelines run on CodeBuild as `python3 -c "$(text)" ARGS...`.

CodeBuild's standard image has the AWS CLI but its system python has no boto3, so the scripts
call the CLI (`--output json`) through subprocess. What several scripts need lives in sibling
modules (parameter_store, ecs_service) that they import relatively; an embedded script has no
package, so script_text() inlines those modules into one self-contained text.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import TypeGuard

SCRIPTS = ("variables", "update_service", "hook_variables")


def script_text(name: str) -> str:
    """The runnable text of the script `name` (e.g. "variables"), for embedding in a buildspec:
    the file with each relative import replaced by the imported module's code."""
    if name not in SCRIPTS:
        raise ValueError(f"no script {name!r}; the scripts are {', '.join(SCRIPTS)}")
    return inline(name, _read)


def _read(module: str) -> str:
    return resources.files(__package__).joinpath(f"{module}.py").read_text(encoding="utf-8")


def inline(name: str, read: Callable[[str], str]) -> str:
    """The module `name` (its text from `read`) with each top-level `from .module import ...`
    replaced by that module's code, inlined the same way: depth first, so a module comes before
    its users, and each once. Only the script keeps `from __future__` imports."""
    return _inlined(name, read, None, [], set())


def _inlined(
    name: str,
    read: Callable[[str], str],
    features: set[str] | None,
    active: list[str],
    done: set[str],
) -> str:
    """`name` inlined; features is None for the script, else the script's __future__ names."""
    source = read(name)
    tree = ast.parse(source, f"{name}.py")
    lines = source.splitlines(keepends=True)
    active = [*active, name]
    own = {a.name for n in tree.body if _is_future(n) for a in n.names}
    if features is None:
        features = own
    elif not own <= features:
        missing = ", ".join(sorted(own - features))
        raise ValueError(f"{name}.py needs `from __future__ import {missing}` in the script")
    relative = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level]
    replacements: list[tuple[ast.stmt, str]] = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level:
            relative.remove(node)
            module = _module(name, node)
            if module in active:
                raise ValueError(f"import cycle: {' -> '.join([*active, module])}")
            text = ""
            if module not in done:
                body = _inlined(module, read, features, active, done).strip("\n")
                done.add(module)
                text = f"# --- {module}.py, inlined\n{body}\n# --- end {module}.py\n"
            replacements.append((node, text))
        elif active[1:] and _is_future(node):
            replacements.append((node, ""))  # the script's own is at its top
        elif active[1:] and node is tree.body[0] and _is_docstring(node):
            doc = ast.get_docstring(tree) or ""
            replacements.append((node, "".join(f"# {x}".rstrip() + "\n" for x in doc.split("\n"))))
    if relative:
        raise ValueError(f"{name}.py line {relative[0].lineno}: relative import not at top level")
    for node, text in reversed(replacements):
        start, end = node.lineno - 1, node.end_lineno or node.lineno
        if lines[start][: node.col_offset].strip() or lines[end - 1][node.end_col_offset :].strip():
            raise ValueError(f"{name}.py line {node.lineno}: share no line with this statement")
        lines[start:end] = [text]
    return "".join(lines)


def _module(name: str, node: ast.ImportFrom) -> str:
    """The sibling a relative import names; refuses what plain inlining cannot keep."""
    where = f"{name}.py line {node.lineno}"
    if node.level != 1 or node.module is None or "." in node.module:
        raise ValueError(f"{where}: only `from .module import names` can be inlined")
    if node.module in SCRIPTS:
        raise ValueError(f"{where}: a script is no module to import")
    if any(a.name == "*" or (a.asname or a.name) != a.name for a in node.names):
        raise ValueError(f"{where}: import names as they are, without * or `as`")
    return node.module


def _is_future(node: ast.stmt) -> TypeGuard[ast.ImportFrom]:
    return isinstance(node, ast.ImportFrom) and node.module == "__future__" and not node.level


def _is_docstring(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


@cache
def script_code(name: str) -> str:
    """The script `name` as embedded in buildspecs: its runnable text without comments and
    docstrings (`ast.unparse`), since CodeBuild takes at most 25,600 characters inline."""
    tree = ast.parse(script_text(name))
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if first is not None and _is_docstring(first):
                node.body = node.body[1:] or [ast.Pass()]
    # ast.unparse writes every string on one line, so re-indenting by one space a level
    # changes only indentation.
    lines = [_one_space(line) for line in ast.unparse(tree).splitlines()]
    return f"# sccos_pipeline/core/scripts/{name}.py, compacted\n" + "\n".join(lines) + "\n"


def _one_space(line: str) -> str:
    stripped = line.lstrip(" ")
    return " " * ((len(line) - len(stripped)) // 4) + stripped
