"""What buildspecs embed is the scripts' code itself: only comments, docstrings and the width of
indentation differ."""

from __future__ import annotations

import ast

import pytest

from sccos_pipeline.core.scripts import script_code, script_text


def _without_docstrings(source: str) -> str:
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]  # type: ignore[attr-defined]
    return ast.dump(tree)


@pytest.mark.parametrize("name", ["variables", "update_service", "hook_variables"])
def test_the_embedded_code_is_the_scripts_code(name: str) -> None:
    embedded = script_code(name)
    assert embedded.startswith(f"# sccos_pipeline/core/scripts/{name}.py, compacted\n")
    assert ast.dump(ast.parse(embedded)) == _without_docstrings(script_text(name))
    assert len(embedded) < 0.85 * len(script_text(name))
