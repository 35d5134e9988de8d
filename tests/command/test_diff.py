"""`diff --base REF [--head REF]`: what deploying one commit over another changes, read from
small repositories of our own deploy files and recipes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sccos_pipeline.cli import main
from tests.conftest import MINIMAL, cli, commit, git, write_project

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

HOOKS = """\
    SPRYKER_DEFAULT_STORE: DE
    SPRYKER_HOOK_BEFORE_DEPLOY: 'vendor/bin/install -r EU/pre-deploy -vvv'
    SPRYKER_HOOK_INSTALL: 'vendor/bin/install -r EU/production --no-ansi -vvv'
    SPRYKER_HOOK_DESTRUCTIVE_INSTALL: 'vendor/bin/install -r EU/destructive --no-ansi -vvv'
    SHOP_API_TOKEN: tok-0123456789
"""
DEPLOY = MINIMAL.replace("    SPRYKER_DEFAULT_STORE: DE\n", HOOKS)
PRE_DEPLOY = """\
sections:
  scheduler-suspend:
    scheduler-suspend:
      command: vendor/bin/console scheduler:suspend -vvv --no-ansi
"""
PRODUCTION = """\
sections:
  init-storages-per-store:
    propel-migrate:
      command: vendor/bin/console propel:migrate -vvv --no-ansi
      stores: true
  scheduler-setup:
    scheduler-setup:
      command: vendor/bin/console scheduler:setup -vvv --no-ansi
"""
DESTRUCTIVE = """\
sections:
  clean-storage:
    clean-db:
      command: vendor/bin/console propel:tables:drop -vvv --no-ansi
      stores: true
    clean-search:
      command: vendor/bin/console elasticsearch:index:delete -vvv --no-ansi
  init-storages-per-store:
    propel-migrate:
      command: vendor/bin/console propel:migrate -vvv --no-ansi
"""
PROJECT: dict[str, str | bytes] = {
    "deploy.shop-prod.yml": DEPLOY,
    "config/install/EU/pre-deploy.yml": PRE_DEPLOY,
    "config/install/EU/production.yml": PRODUCTION,
    "config/install/EU/destructive.yml": DESTRUCTIVE,
    "src/Pyz/Zed/Shop.php": "<?php // one\n",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q")
    commit(tmp_path, PROJECT)
    return tmp_path


def run(
    capsys: pytest.CaptureFixture[str], repo: Path, *args: str, base: str = "HEAD~1"
) -> tuple[int, str, str]:
    code = main(["diff", str(repo / "deploy.shop-prod.yml"), "--base", base, *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_changed_pre_deploy_hook_states_the_lag(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = git(repo, "rev-parse", "HEAD")[:7]
    changed = DEPLOY.replace("-r EU/pre-deploy -vvv", "-r EU/pre-deploy -vvv && ./warm-up.sh")
    after = commit(repo, {"deploy.shop-prod.yml": changed})
    assert run(capsys, repo) == (
        0,
        f"{before} -> {after} (1 commit): 1 change\n"
        "\n"
        "Hooks:\n"
        "  - pre-deploy hook changed: it runs from the next deployment\n"
        "      SPRYKER_HOOK_BEFORE_DEPLOY was `vendor/bin/install -r EU/pre-deploy -vvv`\n"
        "      now `vendor/bin/install -r EU/pre-deploy -vvv && ./warm-up.sh`\n"
        "      pre-deploy runs on the image currently running: this deployment still runs the "
        "old command, the new one runs from the next deployment\n",
        "",
    )


def test_an_added_application_needs_a_repository_and_a_service(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    added = DEPLOY.replace(
        "      boffice_eu:", "      glue_eu:\n        application: glue\n      boffice_eu:"
    )
    commit(repo, {"deploy.shop-prod.yml": added})
    code, out, _ = run(capsys, repo)
    assert code == 0
    assert out.split("\n", 1)[1] == (
        "\n"
        "Applications and services:\n"
        "  - application glue_eu (glue) added\n"
        "      needs the ECR repository shop-prod-glue_eu: deploy the environment's stack with "
        "this deploy file first\n"
        "      needs an ECS service: services.glue_eu in cdk.json\n"
    )


def test_an_added_region_and_store_need_broker_vhosts(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stores = DEPLOY.replace(
        "      NO:\n",
        "      AT:\n        services:\n          broker:\n            namespace: at-docker\n"
        "      NO:\n",
    ) + (
        "  US:\n    stores:\n      US:\n        services:\n          broker:\n"
        "            namespace: us-docker\n"
    )
    commit(repo, {"deploy.shop-prod.yml": stores})
    code, out, _ = run(capsys, repo)
    assert code == 0
    assert out.split("\n", 1)[1] == (
        "\n"
        "Regions, stores and broker vhosts:\n"
        "  - region US added\n"
        "      stores: US\n"
        "  - store AT added in region EU\n"
        "      broker vhost at-docker: created by Configure_RabbitMQ_Vhosts_and_Permissions\n"
        "  - store US added in region US\n"
        "      broker vhost us-docker: created by Configure_RabbitMQ_Vhosts_and_Permissions\n"
    )


def test_a_changed_recipe_section_is_named(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    recipe = PRODUCTION.replace(
        "      stores: true\n",
        "      stores: true\n    search-setup:\n      command: vendor/bin/console search:setup\n",
    )
    commit(repo, {"config/install/EU/production.yml": recipe})
    code, out, _ = run(capsys, repo)
    assert code == 0
    assert out.split("\n", 1)[1] == (
        "\n"
        "Install recipes:\n"
        "  - install recipe EU/production changed: section init-storages-per-store\n"
        "      run by SPRYKER_HOOK_INSTALL\n"
        "      section init-storages-per-store: added search-setup\n"
    )


def test_a_rollback_says_migrations_stay(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = git(repo, "rev-parse", "HEAD")[:7]
    recipe = PRODUCTION.replace("propel:migrate", "propel:migrate && vendor/bin/console x:y")
    commit(repo, {"config/install/EU/production.yml": recipe})
    new = commit(repo, {"src/Pyz/Zed/Shop.php": "<?php // two\n"})
    code, out, _ = run(capsys, repo, "--head", "HEAD~2", base="HEAD")
    assert code == 0
    assert out == (
        f"{new} -> {old}: 2 changes\n"
        "\n"
        "Rollback:\n"
        "  - rollback over 2 commits: data migrations are not undone\n"
        f"      data migrations run since {old} are not undone: the database, key-value store "
        "and search keep what install made of them, and the older code must cope with it\n"
        "      install recipes changed in between, whose migrations stay applied: "
        "EU/production\n"
        "\n"
        "Install recipes:\n"
        "  - install recipe EU/production changed: section init-storages-per-store\n"
        "      run by SPRYKER_HOOK_INSTALL\n"
        "      section init-storages-per-store: changed propel-migrate\n"
    )
    assert run(capsys, repo, "--head", "HEAD~2", "--fail-on", "rollback", base="HEAD")[0] == 1


def test_a_redeploy_and_a_code_only_change_are_one_line(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = git(repo, "rev-parse", "HEAD")[:7]
    commit(repo, {"src/Pyz/Zed/Shop.php": "<?php // two\n"})
    new = commit(repo, {"src/Pyz/Zed/Other.php": "<?php\n"})
    assert run(capsys, repo, base="HEAD~2") == (
        0,
        f"{old} -> {new} (2 commits): code only: the deploy file, its imports and the install "
        "recipes are unchanged\n",
        "",
    )
    assert run(capsys, repo, "--format", "markdown", base="HEAD~2")[1] == (
        f"{old} -\\> {new} (2 commits): code only: the deploy file, its imports and the install "
        "recipes are unchanged\n"
    )
    assert run(capsys, repo, base="HEAD") == (
        0,
        f"redeploy of {new}, the version running: nothing changes\n",
        "",
    )


def test_secret_looking_values_are_never_printed(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    changed = DEPLOY.replace("tok-0123456789", "tok-9876543210").replace(
        "SPRYKER_DEFAULT_STORE: DE", "SPRYKER_DEFAULT_STORE: AT\n    SHOP_DB_PASSWORD: pw-secret"
    )
    commit(repo, {"deploy.shop-prod.yml": changed})
    outputs = [run(capsys, repo, "--format", f)[1] for f in ("text", "markdown", "json")]
    for out in outputs:
        for secret in ("tok-0123456789", "tok-9876543210", "pw-secret"):
            assert secret not in out
    assert outputs[0].split("\n", 1)[1] == (
        "\n"
        "Environment variables (image.environment):\n"
        "  - 3 variables added, removed or changed: SPRYKER_DEFAULT_STORE, SHOP_DB_PASSWORD, "
        "SHOP_API_TOKEN\n"
        "      SPRYKER_DEFAULT_STORE: `DE` -> `AT`\n"
        "      SHOP_DB_PASSWORD added (value not shown: the name looks like a secret)\n"
        "      SHOP_API_TOKEN changed (value not shown: the name looks like a secret)\n"
        "      baked into every image: they change with this deployment\n"
    )
    data = json.loads(outputs[2])
    assert data["categories"] == ["environment"]
    assert (data["ahead"], data["behind"], data["rollback"], data["redeploy"]) == (
        1,
        0,
        False,
        False,
    )


def test_fail_on_categories(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    commit(repo, {"deploy.shop-prod.yml": DEPLOY.replace("EU/pre-deploy", "pre-deploy")})
    assert run(capsys, repo, "--fail-on", "hooks,services")[0] == 1
    assert run(capsys, repo, "--fail-on", "services,stores")[0] == 0
    assert run(capsys, repo, "--fail-on", "all")[0] == 1
    assert run(capsys, repo, "--fail-on", "hooks,servces") == (
        2,
        "",
        "sccos-pipeline diff: error: --fail-on: unknown category servces; known: rollback, "
        "data, hooks, recipes, services, stores, image, environment, settings, all\n",
    )


def test_destructive_says_what_it_resets(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, repo, "--pipeline", "destructive", base="HEAD")
    assert code == 0
    assert out.split("\n", 1)[1] == (
        "\n"
        "DESTRUCTIVE resets data:\n"
        "  - DESTRUCTIVE resets all application data\n"
        "      install runs `vendor/bin/install -r EU/destructive --no-ansi -vvv`\n"
        "      recipe EU/destructive, section clean-storage: clean-db, clean-search\n"
        "      broker vhosts deleted and created again: de-docker, no-docker\n"
        "      nothing of it is undone by a later deployment or a rollback\n"
    )


def test_image_build_settings_and_imports(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = "image:\n  environment:\n    SHOP_FEATURE: 'on'\n  node:\n    version: 20\n"
    importing = DEPLOY.replace("spryker/php:8.4", "spryker/php:8.3-alpine3.21").replace(
        "version: '0.1'\n", "version: '0.1'\nimports:\n  shop.yml:\ndocker:\n  debug: false\n"
    )
    commit(
        repo,
        {"deploy.shop-prod.yml": importing, "config/deploy-templates/shop.yml": template},
    )
    code, out, _ = run(capsys, repo)
    assert code == 0
    assert out.split("\n", 1)[1] == (
        "\n"
        "Image and build settings:\n"
        "  - image spryker/php:8.4 -> spryker/php:8.3-alpine3.21 (PHP 8.4 -> 8.3)\n"
        "      every application image is built on the new base image\n"
        "  - image.node: unset -> `{'version': 20}`\n"
        "\n"
        "Environment variables (image.environment):\n"
        "  - 1 variable added, removed or changed: SHOP_FEATURE\n"
        "      SHOP_FEATURE added: `on`\n"
        "      baked into every image: they change with this deployment\n"
        "\n"
        "Other deploy-file settings:\n"
        "  - 1 setting changed: docker\n"
        "      values not shown: they may hold credentials\n"
    )


def test_errors_at_either_version_are_reported_like_validate(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit(repo, {"deploy.shop-prod.yml": DEPLOY.replace("image:\n", "image: [\n", 1)})
    code, out, err = run(capsys, repo, "--head", "HEAD", base="HEAD~1")
    assert (code, out, err) == (
        1,
        "",
        "HEAD:deploy.shop-prod.yml:5:14: error SCC004 while parsing a flow sequence, did not "
        "find expected ',' or ']'\n",
    )
    git(repo, "mv", "deploy.shop-prod.yml", "deploy.shop-staging.yml")
    commit(repo, {})
    code = main(["diff", str(repo / "deploy.shop-staging.yml"), "--base", "HEAD~2"])
    assert (code, *capsys.readouterr()) == (
        1,
        "",
        "HEAD~2:deploy.shop-staging.yml:1:1: error SCC001 cannot be read: No such file or "
        "directory\n"
        "HEAD:deploy.shop-staging.yml:5:14: error SCC004 while parsing a flow sequence, did not "
        "find expected ',' or ']'\n",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--base", "no-such-ref"], "no-such-ref is not a commit in the git repository {repo}"),
        (
            ["--base", "HEAD", "--head", "HEAD~5"],
            "HEAD~5 is not a commit in the git repository {repo}",
        ),
    ],
)
def test_bad_revisions_are_usage_errors(
    repo: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code = main(["diff", str(repo / "deploy.shop-prod.yml"), *args])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == f"sccos-pipeline diff: error: {message.format(repo=repo.resolve())}\n"


def test_outside_a_repository_is_a_usage_error(tmp_path: Path) -> None:
    write_project(tmp_path, {"deploy.yml": MINIMAL})
    done = cli(
        "diff",
        "deploy.yml",
        "--base",
        "HEAD",
        cwd=tmp_path,
        env={"GIT_CEILING_DIRECTORIES": str(tmp_path.parent)},
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(
        f"sccos-pipeline diff: error: {tmp_path} is not in a git repository (fatal: not a git repository"
    )
