"""Stdlib-only scripts that pipelines run on CodeBuild as `python3 -c "$(text)" ARGS...`.

Each script is one self-contained file: CodeBuild's standard image has the AWS CLI but its
system python has no boto3, so they call the CLI (`--output json`) through subprocess. Parts
several scripts need are copied between `# --- shared: ... ---` markers (a test keeps the
copies identical), since an embedded script cannot import its siblings.
"""

from __future__ import annotations

import ast
from functools import cache
from importlib import resources

SCRIPTS = ("variables", "update_service", "hook_variables")


def script_text(name: str) -> str:
    """The exact text of the script `name` (e.g. "variables"), for embedding in a buildspec."""
    if name not in SCRIPTS:
        raise ValueError(f"no script {name!r}; the scripts are {', '.join(SCRIPTS)}")
    return resources.files(__package__).joinpath(f"{name}.py").read_text(encoding="utf-8")


@cache
def script_code(name: str) -> str:
    """The script `name` as embedded in buildspecs: the same code without its comments and
    docstrings (`ast.unparse`), since CodeBuild takes at most 25,600 characters inline."""
    tree = ast.parse(script_text(name))
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                node.body = node.body[1:] or [ast.Pass()]
    # ast.unparse writes every string on one line, so re-indenting by one space a level
    # changes only indentation.
    lines = [_one_space(line) for line in ast.unparse(tree).splitlines()]
    return f"# sccos_pipeline/core/scripts/{name}.py, compacted\n" + "\n".join(lines) + "\n"


def _one_space(line: str) -> str:
    stripped = line.lstrip(" ")
    return " " * ((len(line) - len(stripped)) // 4) + stripped
