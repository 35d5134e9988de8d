"""Hostile deploy files are refused quickly and quietly, whatever form the hostility takes.

Each test has a small time bound: before these guards, some of these inputs took minutes or
hung for good.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from sccos_pipeline.core.deployfile.findings import Finding, Position
from sccos_pipeline.core.deployfile.imports import merge_many
from sccos_pipeline.core.deployfile.loader import validate_deploy_file
from tests.conftest import MINIMAL, write_project

pytestmark = pytest.mark.timeout(5)


def test_messages_and_fixes_escape_control_characters() -> None:
    finding = Finding.of("SCC010", "key 'a\x1b[2Jb'", Position("x\x07.yml"), "drop \u202e and \x9b")
    assert finding.format() == (
        "x\\x07.yml:1:1: error SCC010 key 'a\\x1b[2Jb' (fix: drop \\u202e and \\x9b)"
    )
    assert finding.to_json()["file"] == "x\\x07.yml"


needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


def _errors(path: Path, **options: Any) -> list[tuple[str, str, int]]:
    result = validate_deploy_file(path, **options)
    assert not result.valid
    return [(f.code, Path(f.position.file).name, f.position.line) for f in result.errors]


@needs_fifo
def test_fifo_as_deploy_file_is_refused_unopened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "deploy.yml")  # opening it for reading would wait for a writer
    assert _errors(tmp_path / "deploy.yml") == [("SCC001", "deploy.yml", 1)]
    message = validate_deploy_file(tmp_path / "deploy.yml").errors[0].message
    assert message == "is a named pipe (FIFO), not a file"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_device_as_deploy_file_is_refused_unopened(tmp_path: Path) -> None:
    (tmp_path / "deploy.yml").symlink_to("/dev/zero")
    assert _errors(tmp_path / "deploy.yml") == [("SCC001", "deploy.yml", 1)]
    assert _errors(Path("/dev/null")) == [("SCC001", "null", 1)]


@needs_fifo
def test_fifo_as_import_is_refused_unopened(tmp_path: Path) -> None:
    write_project(tmp_path, {"deploy.yml": "imports:\n  base.yml:\n"})
    (tmp_path / "config/deploy-templates").mkdir(parents=True)
    os.mkfifo(tmp_path / "config/deploy-templates/base.yml")
    assert _errors(tmp_path / "deploy.yml") == [("SCC001", "base.yml", 1)]


@needs_fifo
def test_fifo_as_install_recipe_is_refused_unopened(tmp_path: Path) -> None:
    hook = "    SPRYKER_HOOK_INSTALL: 'vendor/bin/install -r production'\n"
    write_project(
        tmp_path, {"deploy.yml": MINIMAL.replace("    SPRYKER_DEFAULT_STORE: DE\n", hook)}
    )
    (tmp_path / "config/install").mkdir(parents=True)
    os.mkfifo(tmp_path / "config/install/production.yml")
    assert _errors(tmp_path / "deploy.yml") == [("SCC031", "production.yml", 1)]


def _import_tree(root: Path, levels: int, fan_out: int, *, parameters: bool) -> None:
    """deploy.yml imports t0.yml fan_out times, t0 imports t1 fan_out times, and so on."""

    def imports(template: str) -> str:
        return "imports:\n" + "".join(
            f"  - template: {template}\n"
            + (f"    parameters: {{p{template[1:-4]}: '{i}'}}\n" if parameters else "")
            for i in range(fan_out)
        )

    files = {"deploy.yml": imports("t0.yml") + "namespace: shop\n"}
    for level in range(levels):
        nested = imports(f"t{level + 1}.yml") if level + 1 < levels else ""
        files[f"config/deploy-templates/t{level}.yml"] = nested + f"x-level-{level}: '%p0%'\n"
    write_project(root, files)


def test_repeated_imports_are_read_once(tmp_path: Path) -> None:
    # Eight imports of a template that imports the next eight times, six levels: 8**6 reads
    # (minutes) before; a template read once with the same parameters is reused.
    _import_tree(tmp_path, levels=6, fan_out=8, parameters=False)
    result = validate_deploy_file(tmp_path / "deploy.yml")
    assert result.errors == ()
    model = result.model
    assert model is not None and model.namespace == "shop"


def test_imports_with_ever_new_parameters_are_bounded(tmp_path: Path) -> None:
    # Other parameters at every level defeat the reuse: 8**5 different documents.
    _import_tree(tmp_path, levels=5, fan_out=8, parameters=True)
    errors = validate_deploy_file(tmp_path / "deploy.yml").errors
    assert [f.code for f in errors] == ["SCC030"]
    assert "more than 100 files, 100000 values or 8 MiB of text in all" in errors[0].message


def test_megabyte_hook_is_checked_at_once(tmp_path: Path) -> None:
    # One 1 MiB word: shlex.split, used to find `-r` recipes, took 49 s on it, and it passed.
    # Now it is refused: no process can get a 1 MiB environment variable.
    hook = "x" * (1024 * 1024 - 100)
    write_project(
        tmp_path, {"deploy.yml": "image:\n  environment:\n    SPRYKER_HOOK_INSTALL: " + hook}
    )
    errors = validate_deploy_file(tmp_path / "deploy.yml").errors
    assert [(f.code, f.position.line) for f in errors] == [("SCC040", 3)]


def _hook_running(tmp_path: Path, recipe: str) -> Path:
    hook = f"    SPRYKER_HOOK_INSTALL: 'vendor/bin/install -r {recipe} -vvv'\n"
    project = tmp_path / "project"
    write_project(project, {"deploy.yml": MINIMAL.replace("    SPRYKER_DEFAULT_STORE: DE\n", hook)})
    (project / "config/install").mkdir(parents=True)
    return project


@pytest.mark.parametrize(
    "recipe", ["../../../outside/secret", "../../../outside/secret.yml", "OUTSIDE/secret"]
)
def test_recipe_outside_the_project_is_never_read(tmp_path: Path, recipe: str) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside/secret.yml").write_text("TOPSECRET: 1\nTOPSECRET: 2\n")
    project = _hook_running(tmp_path, recipe.replace("OUTSIDE", str(tmp_path / "outside")))
    result = validate_deploy_file(project / "deploy.yml")
    assert [(f.code, f.position.line) for f in result.errors] == [("SCC031", 6)]
    assert "lies outside config/install/; it is not read" in result.errors[0].message
    assert not [f for f in result.findings if "TOPSECRET" in f.format()]


@needs_fifo
def test_recipe_symlinked_outside_is_never_opened(tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    os.mkfifo(tmp_path / "outside/pipe.yml")  # opening it would block: proof it is not opened
    project = _hook_running(tmp_path, "EU/production")
    (project / "config/install/EU").mkdir()
    (project / "config/install/EU/production.yml").symlink_to(tmp_path / "outside/pipe.yml")
    errors = validate_deploy_file(project / "deploy.yml").errors
    assert [(f.code, f.position.line) for f in errors] == [("SCC031", 6)]


def test_many_imports_merge_in_one_pass() -> None:
    # 99 small imports into 100000 keys: merging them one by one copied the keys 99 times.
    over = {"a": [0] * 100_000, **{f"k{i}": {"v": i} for i in range(100_000)}}
    bases: list[object] = [{"a": [1], "k0": {"v": -1, "w": j}, f"x{j}": j} for j in range(99)]
    merged = merge_many(over, bases)
    assert merged["a"] == over["a"] and merged["k0"] == {"v": 0, "w": 0}
    # As merging one by one orders them: a key where the last import holding it has it.
    assert list(merged)[:5] == ["a", "k0", "x98", "x97", "x96"]


def test_unusable_paths_are_unreadable_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "loop.yml").symlink_to(tmp_path / "loop.yml")
    assert _errors(tmp_path / "loop.yml") == [("SCC001", "loop.yml", 1)]
    result = validate_deploy_file("deploy\0.yml")  # the NUL is shown escaped
    assert [f.format() for f in result.findings] == [
        "deploy\\x00.yml:1:1: error SCC001 cannot be read: embedded null byte"
    ]


def test_a_templates_folder_that_loops_is_an_import_error(tmp_path: Path) -> None:
    # Path.resolve raised RuntimeError on the loop: `validate` ended in an internal error.
    write_project(tmp_path, {"deploy.yml": "imports:\n  base.yml:\n" + MINIMAL})
    (tmp_path / "config/install").mkdir(parents=True)  # the project root, found without templates
    (tmp_path / "config/deploy-templates").symlink_to(tmp_path / "config/deploy-templates")
    assert [f.format() for f in validate_deploy_file(tmp_path / "deploy.yml").errors] == [
        f"{tmp_path}/deploy.yml:2:3: error SCC030 import 'base.yml' cannot be read: "
        "config/deploy-templates is a symlink loop"
    ]


def test_a_templates_folder_that_loops_does_not_matter_without_imports(tmp_path: Path) -> None:
    write_project(tmp_path, {"deploy.yml": MINIMAL})
    (tmp_path / "config/install").mkdir(parents=True)
    (tmp_path / "config/deploy-templates").symlink_to(tmp_path / "config/deploy-templates")
    assert validate_deploy_file(tmp_path / "deploy.yml").valid


def test_an_imported_file_that_loops_is_an_import_error(tmp_path: Path) -> None:
    write_project(tmp_path, {"deploy.yml": "imports:\n  base.yml:\n" + MINIMAL})
    (tmp_path / "config/deploy-templates").mkdir(parents=True)
    (tmp_path / "config/deploy-templates/base.yml").symlink_to("base.yml")
    assert [f.format() for f in validate_deploy_file(tmp_path / "deploy.yml").errors] == [
        f"{tmp_path}/deploy.yml:2:3: error SCC030 import 'base.yml' cannot be read: "
        "config/deploy-templates/base.yml is a symlink loop"
    ]


def test_a_project_root_that_loops_is_an_import_error(tmp_path: Path) -> None:
    write_project(tmp_path, {"deploy.yml": "imports:\n  base.yml:\n" + MINIMAL})
    (tmp_path / "root").symlink_to(tmp_path / "root")
    result = validate_deploy_file(tmp_path / "deploy.yml", project_root=tmp_path / "root")
    assert [f.format() for f in result.errors] == [
        f"{tmp_path}/deploy.yml:2:3: error SCC030 import 'base.yml' cannot be read: "
        "config/deploy-templates is a symlink loop"
    ]
