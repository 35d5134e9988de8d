"""Which warnings `validate` reports: --select/--ignore, and [tool.sccos-pipeline] defaults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import MINIMAL, cli, write_project

# SCC101 (tag), SCC120 (secret) and SCC130 (false becomes empty), at lines 4, 7 and 6.
WARNED = MINIMAL.replace("8.4", "7.4").replace(
    "    SPRYKER_DEFAULT_STORE: DE\n", "    DEBUG: false\n    API_TOKEN: s3cr3t-value\n"
)


def reported(tmp_path: Path, *args: str, cwd: Path | None = None) -> list[str]:
    write_project(tmp_path, {"deploy.yml": WARNED})
    done = cli("validate", str(tmp_path / "deploy.yml"), "--format", "json", *args, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return [f["code"] for f in json.loads(done.stdout)[0]["findings"]]


@pytest.mark.parametrize(
    ("args", "codes"),
    [
        ((), ["SCC101", "SCC130", "SCC120"]),
        (("--select", "SCC13"), ["SCC130"]),
        (("--select", "scc101, SCC12"), ["SCC101", "SCC120"]),
        (("--ignore", "SCC1"), []),
        (("--ignore", "SCC101,SCC130"), ["SCC120"]),
        (("--ignore", "SCC1", "--select", "SCC101"), ["SCC101"]),  # the more specific wins
        (("--select", "SCC1", "--ignore", "SCC101"), ["SCC130", "SCC120"]),
        (("--select", "SCC101", "--ignore", "SCC101"), []),
    ],
)
def test_select_and_ignore_warnings(
    tmp_path: Path, args: tuple[str, ...], codes: list[str]
) -> None:
    assert reported(tmp_path, *args) == codes


def test_strict_counts_only_reported_warnings(tmp_path: Path) -> None:
    write_project(tmp_path, {"deploy.yml": WARNED})
    file = str(tmp_path / "deploy.yml")
    assert cli("validate", file, "--strict").returncode == 1
    assert cli("validate", file, "--strict", "--ignore", "SCC1").returncode == 0


def test_errors_are_reported_whatever_is_selected(tmp_path: Path) -> None:
    write_project(tmp_path, {"deploy.yml": "image: [1]\n"})
    done = cli("validate", str(tmp_path / "deploy.yml"), "--select", "SCC101")
    assert done.returncode == 1
    assert " error SCC020 " in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--select", "SCC101,SCC9,FOO"),
            "--select: unknown code(s) SCC9, FOO; see `sccos-pipeline validate --help` for the codes",
        ),
        (
            ("--ignore", "SCC004"),
            "--ignore: SCC004 covers error codes (SCC004), which cannot be ignored: an error means "
            "the pipeline cannot use the file",
        ),
        (
            ("--ignore", "SCC"),
            "--ignore: SCC covers error codes (SCC001, SCC002, SCC003, ...), which cannot be "
            "ignored: an error means the pipeline cannot use the file",
        ),
    ],
)
def test_unknown_codes_and_ignored_errors_are_usage_errors(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    write_project(tmp_path, {"deploy.yml": MINIMAL})
    done = cli("validate", str(tmp_path / "deploy.yml"), *args)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"sccos-pipeline validate: error: {message}\n"


CONFIG = """\
[project]
name = "shop"

[tool.sccos-pipeline]
select = ["SCC1"]
ignore = ["SCC101"]
strict = true
format = "json"
"""


def test_configuration_from_the_nearest_pyproject_with_the_table(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "pyproject.toml": CONFIG,
            "shop/pyproject.toml": "[tool.ruff]\nline-length = 100\n",  # no table: looked past
            "shop/config/deploy.yml": WARNED,
        },
    )
    here = tmp_path / "shop" / "config"
    done = cli("validate", "deploy.yml", cwd=here)
    assert done.returncode == 1  # strict, and SCC130/SCC120 are reported
    assert [f["code"] for f in json.loads(done.stdout)[0]["findings"]] == ["SCC130", "SCC120"]
    # Options replace the configuration, key by key.
    flags = cli("validate", "deploy.yml", "--no-strict", "--format", "text", cwd=here)
    assert flags.returncode == 0
    assert [line.split()[2] for line in flags.stdout.splitlines()[:-1]] == ["SCC130", "SCC120"]
    assert reported(here, "--select", "SCC10", cwd=here) == []
    assert reported(here, "--ignore", "SCC12", "--no-strict", cwd=here) == ["SCC101", "SCC130"]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            'selct = ["SCC1"]\nfromat = "json"\n',
            "[tool.sccos-pipeline] has unknown key(s) fromat, selct; known: format, ignore, "
            "select, strict",
        ),
        ('select = "SCC1"\n', '[tool.sccos-pipeline] select must be a list of codes, e.g. select = ["SCC1"]'),
        ('ignore = ["SCC5"]\n', "[tool.sccos-pipeline] ignore: unknown code(s) SCC5; see `sccos-pipeline validate --help` for the codes"),
        ('ignore = ["SCC0"]\n', "[tool.sccos-pipeline] ignore: SCC0 covers error codes (SCC001, SCC002, SCC003, ...), which cannot be ignored: an error means the pipeline cannot use the file"),
        ("strict = 1\n", "[tool.sccos-pipeline] strict must be true or false"),
        ('format = "xml"\n', "[tool.sccos-pipeline] format must be one of text, json, sarif, got 'xml'"),
    ],
)  # fmt: skip
def test_configuration_mistakes_are_usage_errors(tmp_path: Path, table: str, message: str) -> None:
    write_project(
        tmp_path, {"pyproject.toml": "[tool.sccos-pipeline]\n" + table, "deploy.yml": MINIMAL}
    )
    done = cli("validate", "deploy.yml", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert (
        done.stderr == f"sccos-pipeline validate: error: {tmp_path / 'pyproject.toml'}: {message}\n"
    )


def test_broken_pyproject_is_a_usage_error(tmp_path: Path) -> None:
    write_project(tmp_path, {"pyproject.toml": "[tool\n", "deploy.yml": MINIMAL})
    done = cli("validate", "deploy.yml", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(
        f"sccos-pipeline validate: error: {tmp_path / 'pyproject.toml'}: cannot be read as TOML: "
    )
    assert "Traceback" not in done.stderr
