"""The layers import only downward: core (no CDK) <- cdk (constructs) <- app; the rehearsal
reads templates on core alone; the CLI on core, the rehearsal and its own command parts."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sccos_pipeline"
# What each layer may import from the project, besides itself.
ALLOWED = {
    "core": set(),
    "cdk": {"core"},
    "app": {"core", "cdk"},
    "rehearsal": {"core"},
    "command": {"core"},
    "cli": {"core", "rehearsal", "command"},
}


def project_imports(path: Path) -> set[str]:
    """The project layers a module imports (relative or absolute)."""
    layers = set()
    # the relative level that leaves the layer: one more than the folders below the package
    outside = len(path.parent.relative_to(PACKAGE).parts) + 1
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level >= outside and node.module:
                layers.add(node.module.split(".")[0])
            elif node.level == 0 and node.module and node.module.startswith("sccos_pipeline."):
                layers.add(node.module.split(".")[1])
    return layers


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_downward(layer: str) -> None:
    files = [PACKAGE / "cli.py"] if layer == "cli" else sorted((PACKAGE / layer).rglob("*.py"))
    for path in files:
        wrong = project_imports(path) - ALLOWED[layer] - {layer}
        assert not wrong, f"{path.name} imports {wrong}"


def test_core_and_cli_never_import_cdk() -> None:
    for path in [
        *(PACKAGE / "core").rglob("*.py"),
        *(PACKAGE / "rehearsal").rglob("*.py"),
        *(PACKAGE / "command").rglob("*.py"),
        PACKAGE / "cli.py",
        PACKAGE / "app/settings.py",
        PACKAGE / "app/schema.py",
        PACKAGE / "app/preflight.py",
    ]:
        tree = ast.parse(path.read_text())
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        roots = {name.split(".")[0] for name in names}
        assert not roots & {"aws_cdk", "constructs", "jsii", "cdk_nag"}, path.name
