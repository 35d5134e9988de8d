"""What buildspecs embed: script_text() inlines the modules a script imports relatively, since
`python3 -c` has no package; script_code() is that code with only comments, docstrings and the
width of indentation changed."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sccos_pipeline.core.scripts import inline, script_code, script_text

SCRIPTS = Path(__file__).resolve().parents[3] / "sccos_pipeline" / "core" / "scripts"
NAMES = ["variables", "update_service", "hook_variables"]

# What each script imports from its siblings, as its file says.
IMPORTED = {
    "variables": {"parameter_store": ["ScriptError", "tree_variables"]},
    "update_service": {
        "ecs_service": ["container_definition", "service_task_definition", "ssm_name"],
        "parameter_store": ["ENV_NAME", "ScriptError", "aws", "tree_prefix", "tree_variables"],
    },
    "hook_variables": {
        "ecs_service": ["container_definition", "service_task_definition", "ssm_name"],
        "parameter_store": ["ENV_NAME", "ScriptError", "aws", "tree_prefix", "tree_variables"],
    },
}


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


def _defined(tree: ast.Module) -> list[str]:
    """Names the module's top-level statements define, imports aside, in order."""
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return names


@pytest.mark.parametrize("name", NAMES)
def test_the_embedded_code_is_the_scripts_code(name: str) -> None:
    embedded = script_code(name)
    assert embedded.startswith(f"# sccos_pipeline/core/scripts/{name}.py, compacted\n")
    assert ast.dump(ast.parse(embedded)) == _without_docstrings(script_text(name))
    assert len(embedded) < 0.85 * len(script_text(name))
    assert len(embedded) < 25_600  # CodeBuild's inline limit


@pytest.mark.parametrize("name", NAMES)
def test_the_runnable_text_has_no_relative_import_and_compiles(name: str) -> None:
    text = script_text(name)
    compile(text, f"{name}.py", "exec")
    tree = ast.parse(text)
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert [n.lineno for n in imports if n.level] == []
    futures = [n for n in imports if n.module == "__future__"]
    assert [ast.unparse(n) for n in futures] == ["from __future__ import annotations"]
    assert tree.body[1] is futures[0]  # right after the script's docstring
    own = (SCRIPTS / f"{name}.py").read_text(encoding="utf-8")
    assert text.startswith(own[: own.index("from __future__")])


@pytest.mark.parametrize("name", NAMES)
def test_every_name_imported_from_a_sibling_is_defined_once(name: str) -> None:
    own = ast.parse((SCRIPTS / f"{name}.py").read_text(encoding="utf-8"))
    relative = [n for n in own.body if isinstance(n, ast.ImportFrom) and n.level]
    assert {n.module: [a.name for a in n.names] for n in relative} == IMPORTED[name]
    defined = _defined(ast.parse(script_text(name)))
    for names in IMPORTED[name].values():
        assert set(names) <= set(defined)
    assert sorted({n for n in defined if defined.count(n) > 1}) == []  # no clash between modules


def test_shared_modules_come_before_their_users() -> None:
    text = script_text("hook_variables")
    at = [text.index(f"\ndef {f}(") for f in ("tree_variables", "ssm_name", "hook_values")]
    assert at == sorted(at)
    assert text.count("\ndef tree_variables(") == 1
    assert script_text("variables").count("# --- ecs_service.py, inlined") == 0


def test_script_text_knows_only_the_scripts() -> None:
    with pytest.raises(ValueError, match="no script 'os'; the scripts are variables, "):
        script_text("os")
    with pytest.raises(ValueError, match="no script 'parameter_store'"):
        script_text("parameter_store")


def test_inline_each_module_once_depth_first() -> None:
    modules = {
        "main": '"""Main."""\n\nfrom __future__ import annotations\n\nfrom .b import B\nfrom .a import A\n\nprint(A, B)\n',
        "a": '"""A\'s doc,\n\ntwo paragraphs."""\n\nfrom __future__ import annotations\n\nA = 1\n',
        "b": "from __future__ import annotations\n\nfrom .a import (\n    A,\n)\n\nB = A + 1\n",
    }
    assert inline("main", modules.__getitem__) == (
        '"""Main."""\n'
        "\n"
        "from __future__ import annotations\n"
        "\n"
        "# --- b.py, inlined\n"
        "# --- a.py, inlined\n"
        "# A's doc,\n"
        "#\n"
        "# two paragraphs.\n"
        "\n"
        "\n"
        "A = 1\n"
        "# --- end a.py\n"
        "\n"
        "B = A + 1\n"
        "# --- end b.py\n"
        "\n"
        "print(A, B)\n"
    )


@pytest.mark.parametrize(
    ("modules", "message"),
    [
        (
            {"main": "from .x import X\n", "x": "from .main import M\nX = 1\n"},
            "import cycle: main -> x -> main",
        ),
        (
            {"main": "from .a import A as B\n", "a": "A = 1\n"},
            "main.py line 1: import names as they are, without * or `as`",
        ),
        (
            {"main": "from .a import *\n", "a": "A = 1\n"},
            "main.py line 1: import names as they are, without * or `as`",
        ),
        (
            {"main": "from . import a\n"},
            "main.py line 1: only `from .module import names` can be inlined",
        ),
        (
            {"main": "from ..a import A\n"},
            "main.py line 1: only `from .module import names` can be inlined",
        ),
        (
            {"main": "from .variables import main\n"},
            "main.py line 1: a script is no module to import",
        ),
        (
            {"main": "def f():\n    from .a import A\n"},
            "main.py line 2: relative import not at top level",
        ),
        (
            {"main": "import os; from .a import A\n", "a": "A = 1\n"},
            "main.py line 1: share no line with this statement",
        ),
        (
            {"main": "from .a import A\n", "a": "from __future__ import annotations\n"},
            "a.py needs `from __future__ import annotations` in the script",
        ),
    ],
)
def test_inline_refuses_what_it_cannot_keep(modules: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        inline("main", modules.__getitem__)
    assert str(caught.value) == message
