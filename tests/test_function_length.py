"""No function of the package passes 80 lines, so each reads on one screen. A function's length
is its body's, without its docstring: a signature and the docstring of its parameters are
declarations, not work."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "sccos_pipeline"
LIMIT = 80
# Functions allowed to pass the limit, by "path:qualified name", each with its reason.
EXCEPTIONS: dict[str, str] = {}


def function_lengths(path: Path) -> dict[str, int]:
    """Qualified name of each function in a module to the lines of its body."""
    lengths: dict[str, int] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                body = child.body[1:] if ast.get_docstring(child) is not None else child.body
                first = body[0] if body else child.body[0]
                assert child.end_lineno is not None
                lengths[prefix + child.name] = child.end_lineno - first.lineno + 1
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)

    visit(ast.parse(path.read_text()), "")
    return lengths


def test_no_function_passes_80_lines() -> None:
    found = {
        f"{path.relative_to(PACKAGE).as_posix()}:{name}": length
        for path in sorted(PACKAGE.rglob("*.py"))
        for name, length in function_lengths(path).items()
    }
    too_long = {k: v for k, v in found.items() if v > LIMIT and k not in EXCEPTIONS}
    assert not too_long, f"split these into named steps (lines of body): {too_long}"
    # An exception that no longer passes the limit, or names nothing, is dropped from the list.
    stale = [k for k in EXCEPTIONS if found.get(k, 0) <= LIMIT]
    assert not stale, f"no longer needed: {stale}"


def test_the_measure_counts_the_body_without_its_docstring(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        'class C:\n    def f(self) -> None:\n        """Doc\n\n        more."""\n'
        "        a = 1\n        b = 2\n\n        def g() -> None:\n            pass\n"
    )
    assert function_lengths(module) == {"C.f": 5, "C.f.g": 1}
