"""What users install: the command without the CDK, and the pre-commit hook."""

from __future__ import annotations

import re
import subprocess
import sys
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
