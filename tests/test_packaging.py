"""What users install: the command without the CDK, and the pre-commit hook."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.conftest import MINIMAL, ROOT, write_project

# Makes `import aws_cdk` and `import constructs` fail, as on a machine without the cdk extra.
WITHOUT_CDK = """\
import runpy, sys

class NoCdk:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("aws_cdk", "constructs", "jsii"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name.partition(".")[0])

sys.meta_path.insert(0, NoCdk())
sys.argv = ["sccos-pipeline", *sys.argv[1:]]
runpy.run_module("sccos_pipeline", run_name="__main__")
"""


def without_cdk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_CDK, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_the_command_works_without_the_cdk(tmp_path: Path) -> None:
    write_project(tmp_path, {"deploy.yml": MINIMAL})
    file = str(tmp_path / "deploy.yml")
    done = without_cdk("validate", file, "--format", "sarif")
    assert done.returncode == 0, done.stderr
    assert without_cdk("plan", file).returncode == 0
    assert without_cdk("buildspec", file, "--stage", "install").returncode == 0


def test_constructs_without_the_cdk_say_which_extra_to_install() -> None:
    code = WITHOUT_CDK.split("sys.argv", maxsplit=1)[0] + (
        "import sccos_pipeline\n"
        "try:\n    sccos_pipeline.SprykerEnvironment\n"
        "except ImportError as exc:\n    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert (done.returncode, done.stdout) == (
        0,
        "sccos_pipeline.SprykerEnvironment needs the CDK: pip install 'sccos-pipeline[cdk]'\n",
    )


def test_dependencies_are_the_command_s_and_the_cdk_is_an_extra() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["dependencies"] == ["PyYAML>=6,<7"]
    assert project["optional-dependencies"] == {
        "cdk": ["aws-cdk-lib>=2.200,<3", "constructs>=10,<11", "jsonschema>=4.18,<5"],
        "rehearsal": ["moto[server]>=5.2,<6", "boto3>=1.40,<2", "awscli>=1.40,<2"],
    }
    assert project["scripts"] == {"sccos-pipeline": "sccos_pipeline.cli:main"}


HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())


def test_pre_commit_hook() -> None:
    [hook] = HOOKS
    assert {k: hook[k] for k in ("id", "entry", "language")} == {
        "id": "sccos-pipeline-validate",
        "entry": "sccos-pipeline validate",
        "language": "python",
    }


@pytest.mark.parametrize(
    ("path", "checked"),
    [
        ("deploy.yml", True),
        ("deploy.spryker-b2c-staging.yml", True),
        ("shop/deploy.dev.yaml", True),
        (".github/deploy/deploy.ci.yml", True),
        ("mydeploy.yml", False),
        ("deploy/notes.yml", False),
        ("deploy.yml.orig", False),
        ("vendor/spryker/deploy.yml", False),
        ("docker/deploy.yml", False),
        ("node_modules/x/deploy.yml", False),
        ("config/deploy-templates/deploy.base.template.yml", False),
    ],
)
def test_pre_commit_hook_files(path: str, checked: bool) -> None:
    [hook] = HOOKS
    selected = re.search(hook["files"], path) is not None
    assert (selected and re.search(hook["exclude"], path) is None) is checked


def test_license_is_mit_in_spdx_form() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert (pyproject["project"]["license"], pyproject["project"]["license-files"]) == (
        "MIT",
        ["LICENSE"],
    )
    license_text = (ROOT / "LICENSE").read_text()
    assert license_text.startswith("MIT License\n")
    assert "sccos_pipeline contributors" in license_text
    # SPDX expressions need setuptools 77; the pinned one is newer.
    assert "setuptools>=77" in pyproject["build-system"]["requires"]
    [pinned] = [
        line
        for line in (ROOT / "requirements-dev.txt").read_text().splitlines()
        if line.startswith("setuptools==")
    ]
    assert int(pinned.split("==")[1].split(".")[0]) >= 77


def test_changelog_keeps_an_unreleased_section() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert changelog.startswith("# Changelog\n")
    assert "https://keepachangelog.com/en/1.1.0/" in changelog
    assert "\n## [Unreleased]\n" in changelog


def _checkout_files() -> list[str]:
    """The files of a clean checkout: tracked ones and new ones that are not ignored."""
    done = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    names = [name.decode() for name in done.stdout.split(b"\0") if name]
    return [name for name in names if (ROOT / name).is_file()]


@pytest.mark.timeout(300)
def test_sdist_holds_the_package_and_its_documents_only(tmp_path: Path) -> None:
    source = tmp_path / "checkout"
    files = _checkout_files()
    for name in files:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    # What `python -m build --sdist --no-isolation` does: setuptools' PEP 517 hook.
    build = "import sys; from setuptools import build_meta; build_meta.build_sdist(sys.argv[1])"
    done = subprocess.run(
        [sys.executable, "-c", build, str(tmp_path / "dist")],
        cwd=source,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    [archive] = (tmp_path / "dist").glob("*.tar.gz")
    with tarfile.open(archive) as sdist:
        names = {name.partition("/")[2] for name in sdist.getnames()} - {""}
        metadata = sdist.extractfile(f"{archive.name.removesuffix('.tar.gz')}/PKG-INFO")
        assert metadata is not None
        pkg_info = metadata.read().decode()
    assert {name.partition("/")[0] for name in names} == {
        "sccos_pipeline",
        "sccos_pipeline.egg-info",
        "README.md",
        "LICENSE",
        "CHANGELOG.md",
        "CONTRIBUTING.md",
        "docs",
        "pyproject.toml",
        "MANIFEST.in",
        "PKG-INFO",
        "setup.cfg",  # setuptools' own, in every sdist
    }
    package = {name for name in files if name.startswith("sccos_pipeline/")}
    assert package <= names
    assert "License-Expression: MIT\n" in pkg_info
