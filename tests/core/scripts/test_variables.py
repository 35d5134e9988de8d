"""Spryker Parameter Store variables: the path convention, the priority rules, reserved names.

Expectations are Spryker's doc written out
(https://docs.spryker.com/docs/ca/dev/add-variables-in-the-parameter-store.html).
"""

from __future__ import annotations

import ast
import re
import sys

import pytest

from sccos_pipeline.core.scripts import parameter_store, script_text, variables
from sccos_pipeline.core.scripts.parameter_store import (
    ScriptError,
    Variable,
    parse_path,
    resolve,
)

TREE = "/shop/prod"

# The doc's list, lowest priority first (app stands for the service's bucket).
ORDER = [
    "/shop/prod/config/common/limited/MAIL_HOST",
    "/shop/prod/config/common/public/MAIL_HOST",
    "/shop/prod/config/app/limited/MAIL_HOST",
    "/shop/prod/config/app/public/MAIL_HOST",
    "/shop/prod/secret/common/limited/MAIL_HOST",
    "/shop/prod/secret/common/public/MAIL_HOST",
    "/shop/prod/secret/app/limited/MAIL_HOST",
    "/shop/prod/secret/app/public/MAIL_HOST",
]


def resolved(paths: list[str], bucket: str = "app") -> dict[str, str]:
    return resolve({path: parse_path(path, TREE) for path in paths}, bucket)


def test_scripts_import_the_standard_library_only() -> None:
    for name in ("variables", "update_service", "hook_variables"):
        tree = ast.parse(script_text(name))
        imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imported |= {n.module or "." for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        roots = {module.split(".")[0] for module in imported}
        assert roots <= set(sys.stdlib_module_names), (name, roots - sys.stdlib_module_names)


@pytest.mark.parametrize(
    ("path", "tree", "expected"),
    [
        (
            "/fashion_club_store/staging/config/common/limited/composer_pass",
            "/fashion_club_store/staging",
            Variable("config", "common", "limited", "composer_pass"),
        ),
        (
            "/deans_jeans/prod/config/app/public/mail_host",
            "/deans_jeans/prod/",
            Variable("config", "app", "public", "mail_host"),
        ),
        (
            "/shop/prod/secret/scheduler/public/JENKINS_TOKEN",
            "/shop/prod",
            Variable("secret", "scheduler", "public", "JENKINS_TOKEN"),
        ),
        (
            "/shop/prod/secret/pipeline/limited/COMPOSER_AUTH",
            "/shop/prod",
            Variable("secret", "pipeline", "limited", "COMPOSER_AUTH"),
        ),
    ],
)
def test_parse_path(path: str, tree: str, expected: Variable) -> None:
    assert parse_path(path, tree) == expected


@pytest.mark.timeout(5)
@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "/shop/stage/config/app/public/X",
            "/shop/stage/config/app/public/X: not under the tree /shop/prod",
        ),
        ("/shop/production/config/app/public/X", "not under the tree /shop/prod"),
        (
            "/shop/prod/config/app/X",
            "does not follow Spryker's convention /shop/prod/{config|secret}/{common|app|scheduler|pipeline}/{limited|public}/NAME",
        ),
        ("/shop/prod/config/app/public/", "does not follow Spryker's convention"),
        ("/shop/prod/config/app/public/a/b", "does not follow Spryker's convention"),
        ("/shop/prod/parameter/app/public/X", "type 'parameter' is none of config, secret"),
        (
            "/shop/prod/config/web/public/X",
            "bucket 'web' is none of common, app, scheduler, pipeline",
        ),
        ("/shop/prod/config/app/private/X", "grant 'private' is none of limited, public"),
        ("/shop/prod/Config/app/public/X", "type 'Config' is none of config, secret"),
        ("/shop/prod/" + "config/" * 10_000 + "X", "does not follow Spryker's convention"),
    ],
)
def test_a_path_off_the_convention_says_why(path: str, message: str) -> None:
    with pytest.raises(ScriptError, match=re.escape(message)):
        parse_path(path, TREE)


def test_the_tree_is_an_absolute_path() -> None:
    with pytest.raises(ScriptError, match="the tree 'shop/prod' is not a path"):
        parse_path("shop/prod/config/app/public/X", "shop/prod")


def test_public_beats_limited() -> None:
    paths = ["/shop/prod/config/common/public/X", "/shop/prod/config/common/limited/X"]
    assert resolved(paths) == {"X": "/shop/prod/config/common/public/X"}


def test_the_service_s_bucket_beats_common() -> None:
    paths = ["/shop/prod/config/app/limited/X", "/shop/prod/config/common/public/X"]
    assert resolved(paths) == {"X": "/shop/prod/config/app/limited/X"}


def test_secret_beats_config() -> None:
    paths = ["/shop/prod/config/app/public/X", "/shop/prod/secret/common/limited/X"]
    assert resolved(paths) == {"X": "/shop/prod/secret/common/limited/X"}


@pytest.mark.parametrize("highest", range(8))
def test_the_doc_s_eight_levels_in_order(highest: int) -> None:
    # Every level below `highest` present too, in any order: the highest one wins.
    paths = list(reversed(ORDER[: highest + 1]))
    assert resolved(paths) == {"MAIL_HOST": ORDER[highest]}
    # Every level at or below it but the one just lower: still the highest.
    assert resolved([p for p in paths if p != ORDER[highest - 1]] if highest else paths) == {
        "MAIL_HOST": ORDER[highest]
    }


def test_only_common_and_the_bucket_count() -> None:
    paths = [
        "/shop/prod/secret/scheduler/public/X",
        "/shop/prod/secret/pipeline/public/X",
        "/shop/prod/config/common/limited/X",
        "/shop/prod/config/scheduler/public/ONLY_SCHEDULER",
    ]
    assert resolved(paths, "app") == {"X": "/shop/prod/config/common/limited/X"}
    assert resolved(paths, "scheduler") == {
        "ONLY_SCHEDULER": "/shop/prod/config/scheduler/public/ONLY_SCHEDULER",
        "X": "/shop/prod/secret/scheduler/public/X",
    }
    assert resolved(paths, "pipeline") == {"X": "/shop/prod/secret/pipeline/public/X"}
    assert resolved(paths, "common") == {"X": "/shop/prod/config/common/limited/X"}
    with pytest.raises(ScriptError, match="bucket 'web' is none of"):
        resolved(paths, "web")


def test_names_differing_in_case_are_different_variables() -> None:
    paths = ["/shop/prod/config/app/public/mail_host", "/shop/prod/config/common/public/MAIL_HOST"]
    assert resolved(paths) == {
        "MAIL_HOST": "/shop/prod/config/common/public/MAIL_HOST",
        "mail_host": "/shop/prod/config/app/public/mail_host",
    }


def test_the_reserved_names_are_the_doc_s() -> None:
    # Copied from the doc, in its order.
    assert {
        "ALLOWED_IP", "BLACKFIRE_AGENT_SOCKET", "BLACKFIRE_SERVER_ID", "BLACKFIRE_SERVER_TOKEN",
        "DATA_IMPORT_S3_BUCKET", "DATA_IMPORT_S3_KEY", "DATA_IMPORT_S3_SECRET", "DUMMY_INIT",
        "ENABLE_NRI_ECS", "JAVA_OPTS", "JENKINS_URL", "NEWRELIC_APPNAME", "NEWRELIC_ENABLED",
        "NEWRELIC_LICENSE", "NRIA_CUSTOM_ATTRIBUTES", "NRIA_LICENSE_KEY", "NRIA_OVERRIDE_HOST_ROOT",
        "NRIA_PASSTHROUGH_ENVIRONMENT", "NRIA_VERBOSE", "ONEAGENT_INSTALLER_DOWNLOAD_TOKEN",
        "ONEAGENT_INSTALLER_SCRIPT_URL", "RABBITMQ_DEFAULT_PASS", "RABBITMQ_DEFAULT_USER",
        "RABBITMQ_DEFAULT_VHOST", "RABBITMQ_ENDPOINT", "RABBITMQ_EXCHANGE_REGEXES",
        "RABBITMQ_INTEGRATIONS_INTERVAL", "RABBITMQ_NODENAME", "RABBITMQ_PASSWORD", "RABBITMQ_PORT",
        "RABBITMQ_QUEUES_REGEXES", "RABBITMQ_USE_SSL", "RABBITMQ_USERNAME", "TIDEWAYS_APIKEY",
        "TIDEWAYS_CLI_ENABLED", "TIDEWAYS_DAEMON_URI", "TIDEWAYS_ENVIRONMENT",
    } == parameter_store.RESERVED  # fmt: skip
    assert len(parameter_store.RESERVED) == 37


@pytest.mark.timeout(5)
def test_reserved_names_are_refused_each_with_its_path() -> None:
    paths = [
        "/shop/prod/config/common/public/SPRYKER_X",
        "/shop/prod/secret/app/public/ALLOWED_IP",
        "/shop/prod/config/app/limited/RABBITMQ_PASSWORD",
        "/shop/prod/config/app/public/SPRYKER_",
        "/shop/prod/config/app/public/FINE",
    ]
    with pytest.raises(ScriptError) as caught:
        resolved(paths)
    assert str(caught.value).splitlines() == [
        "/shop/prod/config/app/limited/RABBITMQ_PASSWORD: RABBITMQ_PASSWORD is reserved by Spryker",
        "/shop/prod/config/app/public/SPRYKER_: SPRYKER_ is reserved by Spryker (every SPRYKER_* name)",
        "/shop/prod/config/common/public/SPRYKER_X: SPRYKER_X is reserved by Spryker (every SPRYKER_* name)",
        "/shop/prod/secret/app/public/ALLOWED_IP: ALLOWED_IP is reserved by Spryker",
    ]


def test_a_reserved_name_of_another_bucket_is_that_bucket_s_concern() -> None:
    paths = ["/shop/prod/config/scheduler/public/JENKINS_URL", "/shop/prod/config/app/public/A"]
    assert resolved(paths, "app") == {"A": "/shop/prod/config/app/public/A"}
    with pytest.raises(ScriptError, match="JENKINS_URL is reserved"):
        resolved(paths, "scheduler")


@pytest.mark.timeout(5)
@pytest.mark.parametrize(
    "name", ["mail-host", "1ABC", "a.b", "A B", "É", "X\n", "$X", "a" * 100_000 + "-"]
)
def test_a_name_sh_cannot_export_is_refused(name: str) -> None:
    path = f"/shop/prod/config/app/public/{name}"
    with pytest.raises(ScriptError) as caught:
        resolved([path])
    assert str(caught.value) == (
        f"{path}: {name!r} is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)"
    )


@pytest.mark.timeout(5)
def test_resolve_paths_names_every_problem_at_once() -> None:
    paths = [
        "/shop/prod/config/app/X",
        "/shop/prod/config/app/public/ALLOWED_IP",
        "/shop/prod/config/app/public/ok_name",
        "/shop/prod/config/app/public/bad-name",
    ]
    with pytest.raises(ScriptError) as caught:
        parameter_store.resolve_paths(paths, TREE, "app")
    assert str(caught.value).splitlines() == [
        "/shop/prod/config/app/X: does not follow Spryker's convention /shop/prod/{config|secret}/{common|app|scheduler|pipeline}/{limited|public}/NAME",
        "/shop/prod/config/app/public/ALLOWED_IP: ALLOWED_IP is reserved by Spryker",
        "/shop/prod/config/app/public/bad-name: 'bad-name' is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)",
    ]
    assert parameter_store.resolve_paths(paths[2:3], TREE, "app") == {
        "ok_name": "/shop/prod/config/app/public/ok_name"
    }


def test_main_without_two_arguments_prints_its_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert variables.main(["/shop/prod"]) == 2
    assert capsys.readouterr().err == "usage: variables.py TREE BUCKET\n"


def test_main_refuses_an_unknown_bucket_before_calling_aws(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")  # `aws` would not be found
    assert variables.main(["/shop/prod", "web"]) == 1
    assert capsys.readouterr().err == ("bucket 'web' is none of common, app, scheduler, pipeline\n")
    assert variables.main(["/shop/prod", "app"]) == 1
    assert capsys.readouterr().err == "the AWS CLI (aws) is not on PATH\n"
