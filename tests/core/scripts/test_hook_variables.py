"""hook_variables' parts: sh quoting run through a real sh, secret references, and the merge of
the task definition's variables with the tree's, with the AWS CLI faked."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest

from sccos_pipeline.core.scripts import hook_variables
from sccos_pipeline.core.scripts.hook_variables import (
    SecretReference,
    export_lines,
    hook_values,
    secret_reference,
    shell_quote,
    task_definition_sources,
    write_private,
)
from sccos_pipeline.core.scripts.parameter_store import ScriptError

SM = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:db-AbCdEf"
SSM = "arn:aws:ssm:eu-central-1:123456789012:parameter"

HOSTILE = [
    "it's",
    "'",
    "''''",
    "$HOME ${HOME} $(id) `id`",
    "line\nbreak\n",
    "\n",
    "back\\slash\\",
    '"double"',
    "tab\tand\rcarriage",
    "",
    "-n",
    "émoji 🎉 ü",
    "\x01\x7f",
    "x" * 100_000,
]


def sourced(file: Path, name: str) -> str:
    """$NAME after a POSIX sh sources the file."""
    done = subprocess.run(
        ["sh", "-c", f'. "$1"; printf %s "${name}"', "sh", str(file)],
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8")


@pytest.mark.timeout(10)
@pytest.mark.parametrize("shell", ["sh", "bash"])  # CodeBuild's images: dash or bash as sh
@pytest.mark.parametrize("value", HOSTILE)
def test_a_value_survives_sh(tmp_path: Path, value: str, shell: str) -> None:
    file = tmp_path / "vars.sh"
    write_private(str(file), export_lines({"V": value, "A": "before", "Z": "after"}))
    script = '. "$1"; printf "%s|%s|%s" "$A" "$V" "$Z"'
    done = subprocess.run([shell, "-c", script, shell, str(file)], capture_output=True, check=True)
    assert done.stdout.decode("utf-8") == f"before|{value}|after"


def test_quoting_is_single_quotes() -> None:
    assert shell_quote("it's $x") == "'it'\\''s $x'"
    assert export_lines({"B": "2", "A": "1"}) == "export A='1'\nexport B='2'\n"


@pytest.mark.timeout(5)
def test_a_nul_byte_is_refused() -> None:
    with pytest.raises(ScriptError, match="NUL byte"):
        shell_quote("a\0b")


def test_the_file_is_private_even_over_an_older_one(tmp_path: Path) -> None:
    file = tmp_path / "vars.sh"
    file.write_text("old, longer content\n")
    file.chmod(0o644)
    write_private(str(file), "export A='1'\n")
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert file.read_text() == "export A='1'\n"
    assert sourced(file, "A") == "1"


@pytest.mark.timeout(5)
def test_the_file_is_never_written_through_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_text("untouched")
    os.symlink(target, tmp_path / "vars.sh")
    with pytest.raises(OSError):
        write_private(str(tmp_path / "vars.sh"), "export A='1'\n")
    assert target.read_text() == "untouched"


def test_the_image_s_and_codebuild_s_variables_never_come_from_the_task_definition() -> None:
    container = {
        "environment": [
            {"name": "SPRYKER_BUILD_HASH", "value": "old"},
            {"name": "SPRYKER_HOOK_INSTALL", "value": "rm -rf /"},
            {"name": "SPRYKER_HOOK_BEFORE_DEPLOY", "value": "true"},
            {"name": "SPRYKER_BUILD_HASH_X", "value": "also the prefix"},
            {"name": "SPRYKER_PROJECT_NAME", "value": "shop"},
            {"name": "PLAIN"},
            {"name": "AWS_REGION", "value": "us-east-1"},  # CodeBuild's own
            {"name": "CODEBUILD_SRC_DIR", "value": "/elsewhere"},
        ],
        "secrets": [
            {"name": "SPRYKER_HOOK_X", "valueFrom": "/x"},
            {"name": "AWS_SECRET_ACCESS_KEY", "valueFrom": "/keys/secret"},
            {"name": "SPRYKER_DB_PASSWORD", "valueFrom": SM},
        ],
    }
    assert task_definition_sources(container) == (
        {"SPRYKER_PROJECT_NAME": "shop", "PLAIN": ""},
        {"SPRYKER_DB_PASSWORD": SM},
    )


@pytest.mark.parametrize(
    ("value_from", "expected"),
    [
        (SM, SecretReference(SM, "", "", "")),
        (f"{SM}:password::", SecretReference(SM, "password", "", "")),
        (f"{SM}:password:AWSPREVIOUS:", SecretReference(SM, "password", "AWSPREVIOUS", "")),
        (f"{SM}:::0123-abcd", SecretReference(SM, "", "", "0123-abcd")),
        (f"{SSM}/shop/prod/x", None),
        ("/shop/prod/x", None),
        (f"{SM}:a:b:c:d", None),
    ],
)
def test_secret_reference(value_from: str, expected: SecretReference | None) -> None:
    assert secret_reference(value_from) == expected


class FakeAws:
    """The AWS CLI's answers for SSM and Secrets Manager, and the calls it got."""

    def __init__(self, parameters: dict[str, str], secrets: dict[str, str]) -> None:
        self.parameters, self.secrets = parameters, secrets
        self.calls: list[tuple[str, ...]] = []

    def __call__(self, *args: str) -> Any:
        self.calls.append(args)
        if args[:2] == ("ssm", "get-parameters"):
            asked = args[args.index("--names") + 1 :]
            names = {n: n.split(":parameter", 1)[-1] for n in asked}  # ARN or name
            found = [n for n in asked if names[n] in self.parameters]
            return {
                "Parameters": [
                    {"Name": names[n], "ARN": SSM + names[n], "Value": self.parameters[names[n]]}
                    for n in found
                ],
                "InvalidParameters": [n for n in asked if n not in found],
            }
        if args[:2] == ("secretsmanager", "get-secret-value"):
            return {"SecretString": self.secrets[args[args.index("--secret-id") + 1]]}
        raise AssertionError(args)


def test_hook_values_tree_wins_and_the_tree_s_old_entries_give_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeAws(
        {
            "/shop/prod/config/app/public/MAIL_HOST": "tree-mail",
            "/shop/prod/config/common/public/MAIL_HOST": "old-mail",
            "/other/DB_HOST": "db.internal",
        },
        {SM: '{"password": "p\'w", "port": 5432}'},
    )
    monkeypatch.setattr(hook_variables, "aws", fake)
    container = {
        "environment": [{"name": "MAIL_HOST", "value": "plain-mail"}, {"name": "A", "value": "1"}],
        "secrets": [
            {"name": "DB_HOST", "valueFrom": "/other/DB_HOST"},
            {"name": "DB_PASSWORD", "valueFrom": f"{SM}:password::"},
            {"name": "DB_PORT", "valueFrom": f"{SM}:port::"},
            {"name": "GONE", "valueFrom": "/shop/prod/config/app/public/GONE"},  # left the tree
            {"name": "bad-name", "valueFrom": "/other/DB_HOST"},
        ],
    }
    tree = {"MAIL_HOST": f"{SSM}/shop/prod/config/app/public/MAIL_HOST"}
    values, sources = hook_values(container, "/shop/prod", tree)
    assert values == {
        "A": "1",
        "DB_HOST": "db.internal",
        "DB_PASSWORD": "p'w",
        "DB_PORT": "5432",
        "MAIL_HOST": "tree-mail",
    }
    assert sources == {
        "A": "the task definition",
        "DB_HOST": "/other/DB_HOST (task definition)",
        "DB_PASSWORD": f"{SM}:password:: (task definition)",
        "DB_PORT": f"{SM}:port:: (task definition)",
        "MAIL_HOST": "/shop/prod/config/app/public/MAIL_HOST",
    }
    assert fake.calls == [
        ("ssm", "get-parameters", "--with-decryption", "--names", "/other/DB_HOST"),
        ("ssm", "get-parameters", "--region", "eu-central-1", "--with-decryption", "--names", f"{SSM}/shop/prod/config/app/public/MAIL_HOST"),
        ("secretsmanager", "get-secret-value", "--region", "eu-central-1", "--secret-id", SM),
    ]  # fmt: skip


def test_parameters_are_read_ten_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeAws({f"/p/V{i:02}": str(i) for i in range(25)}, {})
    monkeypatch.setattr(hook_variables, "aws", fake)
    container = {"secrets": [{"name": f"V{i:02}", "valueFrom": f"/p/V{i:02}"} for i in range(25)]}
    values, _ = hook_values(container, "/shop/prod", {})
    assert values == {f"V{i:02}": str(i) for i in range(25)}
    assert [len(call) - call.index("--names") - 1 for call in fake.calls] == [10, 10, 5]


def test_a_missing_parameter_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hook_variables, "aws", FakeAws({}, {}))
    container = {"secrets": [{"name": "X", "valueFrom": "/p/X"}]}
    with pytest.raises(ScriptError, match="no such SSM parameters: /p/X"):
        hook_values(container, "/shop/prod", {})


@pytest.mark.timeout(5)
def test_a_secret_of_another_service_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hook_variables, "aws", FakeAws({}, {}))
    container = {"secrets": [{"name": "X", "valueFrom": "arn:aws:s3:::bucket/key"}]}
    with pytest.raises(ScriptError, match="secrets neither in SSM nor Secrets Manager: X"):
        hook_values(container, "/shop/prod", {})


@pytest.mark.timeout(5)
def test_a_json_key_the_secret_lacks_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hook_variables, "aws", FakeAws({}, {SM: "not json"}))
    container = {"secrets": [{"name": "X", "valueFrom": f"{SM}:password::"}]}
    with pytest.raises(ScriptError, match=f"{SM} has no JSON key password"):
        hook_values(container, "/shop/prod", {})
