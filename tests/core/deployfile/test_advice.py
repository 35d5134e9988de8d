"""Advice: empty and padded hooks, heavy data ingestion, pre-deploy timing, secrets."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sccos_pipeline.core.deployfile.advice import looks_secret, recipes_of
from sccos_pipeline.core.deployfile.loader import Base, validate_deploy_file
from tests.conftest import CORPUS, MINIMAL, needs_corpus, write_project


def findings(tmp_path: Path, env: str, **files: str) -> list[tuple[str, int]]:
    text = MINIMAL.replace("    SPRYKER_DEFAULT_STORE: DE\n", env)
    write_project(tmp_path, {"deploy.yml": text, **files})
    result = validate_deploy_file(tmp_path / "deploy.yml")
    assert result.valid, [f.format() for f in result.findings]
    return [(f.code, f.position.line) for f in result.findings]


def test_empty_hook_says_the_default_runs(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {"deploy.yml": MINIMAL.replace("SPRYKER_DEFAULT_STORE: DE", "SPRYKER_HOOK_INSTALL: '  '")},
    )
    result = validate_deploy_file(tmp_path / "deploy.yml")
    empty = [f for f in result.findings if f.code == "SCC110"]
    assert len(empty) == 1 and empty[0].position.line == 6
    assert "vendor/bin/install -r production --no-ansi -vvv" in empty[0].message
    assert "${SPRYKER_HOOK_INSTALL:-default}" in empty[0].message


def test_padded_hook(tmp_path: Path) -> None:
    assert ("SCC111", 6) in findings(tmp_path, "    SPRYKER_HOOK_AFTER_DEPLOY: 'true '\n")


def test_heavy_hook(tmp_path: Path) -> None:
    found = findings(
        tmp_path,
        "    SPRYKER_HOOK_BEFORE_DEPLOY: 'vendor/bin/console data:import --config=x.yml'\n",
    )
    assert found == [("SCC112", 6)]  # no base to compare with: no SCC114


PRE_DEPLOY = "    SPRYKER_HOOK_BEFORE_DEPLOY: 'vendor/bin/install -r EU/pre-deploy -vvv'\n"


def pre_deploy_change(tmp_path: Path, env: str, base: Base) -> list[str]:
    text = MINIMAL.replace("    SPRYKER_DEFAULT_STORE: DE\n", env)
    write_project(tmp_path, {"deploy.yml": text})
    result = validate_deploy_file(tmp_path / "deploy.yml", base=base)
    return [f"{f.position.line} {f.message}" for f in result.findings if f.code == "SCC114"]


def test_pre_deploy_unchanged_since_the_base_is_fine(tmp_path: Path) -> None:
    same = MINIMAL.replace("    SPRYKER_DEFAULT_STORE: DE\n", "    X: 1\n" + PRE_DEPLOY)
    assert pre_deploy_change(tmp_path, PRE_DEPLOY, Base(same)) == []
    assert pre_deploy_change(tmp_path, "", Base(MINIMAL)) == []  # the default both times


def test_pre_deploy_changed_since_the_base(tmp_path: Path) -> None:
    assert pre_deploy_change(tmp_path, PRE_DEPLOY, Base(MINIMAL)) == [
        "6 SPRYKER_HOOK_BEFORE_DEPLOY changed from `vendor/bin/install -r pre-deploy -vvv` to "
        "`vendor/bin/install -r EU/pre-deploy -vvv`: pre-deploy runs on the image currently "
        "running, so the new command takes effect from the second deployment after the change"
    ]


def test_pre_deploy_removed_since_the_base(tmp_path: Path) -> None:
    before = MINIMAL.replace("    SPRYKER_DEFAULT_STORE: DE\n", PRE_DEPLOY)
    [message] = pre_deploy_change(tmp_path, "    OTHER: x\n", Base(before))
    assert message.startswith(
        "6 SPRYKER_HOOK_BEFORE_DEPLOY changed from `vendor/bin/install -r EU/pre-deploy -vvv` "
        "to `vendor/bin/install -r pre-deploy -vvv`:"
    )


def test_new_or_unreadable_file_at_the_base_counts_as_changed_when_it_sets_the_hook(
    tmp_path: Path,
) -> None:
    new = "6 SPRYKER_HOOK_BEFORE_DEPLOY is set in a deploy file that is new since the base:"
    for base in (Base(None), Base("a: [1\n"), Base("a: 1\na: 2\n")):
        [message] = pre_deploy_change(tmp_path, PRE_DEPLOY, base)
        assert message.startswith(new)
        assert pre_deploy_change(tmp_path, "", base) == []


def test_no_pre_deploy_advice_when_the_file_sets_none(tmp_path: Path) -> None:
    assert findings(tmp_path, "    SPRYKER_HOOK_AFTER_DEPLOY: 'true'\n") == []


def test_heavy_recipe_named_by_a_hook_is_found(tmp_path: Path) -> None:
    recipe = """\
    sections:
        build:
            propel:
                command: vendor/bin/console propel:install
        hidden:
            excluded: true
            importer:
                command: vendor/bin/console data:import
        data:
            importer:
                command: "vendor/bin/console data:import:product-abstract"
    """
    found = findings(
        tmp_path,
        "    SPRYKER_HOOK_INSTALL: 'vendor/bin/install -r EU/production --no-ansi -vvv'\n",
        **{"config/install/EU/production.yml": recipe},
    )
    assert found == [("SCC113", 11)]


def test_broken_recipe_is_an_error_in_the_recipe(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "deploy.yml": MINIMAL.replace(
                "SPRYKER_DEFAULT_STORE: DE", "SPRYKER_HOOK_INSTALL: 'vendor/bin/install -r prod'"
            ),
            "config/install/prod.yml": "sections:\n  a: 1\n  a: 2\n",
        },
    )
    result = validate_deploy_file(tmp_path / "deploy.yml")
    assert [(f.code, Path(f.position.file).name, f.position.line) for f in result.errors] == [
        ("SCC031", "prod.yml", 3)
    ]


@needs_corpus
def test_real_destructive_recipe_is_flagged(tmp_path: Path) -> None:
    source = (
        CORPUS
        / "install-recipes"
        / "spryker-shop__suite__config__install__destructive.multi-db.yml"
    )
    (tmp_path / "config/install/EU").mkdir(parents=True)
    shutil.copy(source, tmp_path / "config/install/EU/destructive.yml")
    found = findings(
        tmp_path,
        "    SPRYKER_HOOK_DESTRUCTIVE_INSTALL: 'vendor/bin/install -r EU/destructive -vvv'\n",
    )
    heavy = [line for code, line in found if code == "SCC113"]
    # the `demodata` section: its data:import, its label update, and its validity check
    assert heavy == [65, 69, 73]


@needs_corpus
@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in (CORPUS / "install-recipes").glob("*.yml"))
    if (CORPUS / "install-recipes").is_dir()
    else [],
)
def test_every_real_install_recipe_loads_without_findings_of_its_own(
    tmp_path: Path, name: str
) -> None:
    """Each recipe of the corpus, run by the install hook, loads: nothing but SCC113 (heavy
    data) may be said of it."""
    (tmp_path / "config/install").mkdir(parents=True)
    shutil.copy(CORPUS / "install-recipes" / name, tmp_path / "config/install/recipe.yml")
    found = findings(tmp_path, "    SPRYKER_HOOK_INSTALL: 'vendor/bin/install -r recipe -vvv'\n")
    assert {code for code, _ in found} <= {"SCC113"}


@needs_corpus
def test_corpus_install_recipes_are_the_ones_we_reviewed() -> None:
    assert sorted(p.name for p in (CORPUS / "install-recipes").glob("*.yml")) == [
        "spryker-shop__suite__config__install__destructive.multi-db.yml",
        "spryker-shop__suite__config__install__docker.multi-db.dynamic-store-off.yml",
        "spryker-shop__suite__config__install__post-deploy.yml",
    ]


def test_recipe_names_in_commands() -> None:
    assert recipes_of("vendor/bin/install -r EU/pre-deploy -vvv") == ["EU/pre-deploy"]
    assert recipes_of("vendor/bin/install PL,AT --recipe=x -vvv && vendor/bin/install -ry") == [
        "x",
        "y",
    ]
    assert recipes_of("echo 'unbalanced") == []


def test_secret_names() -> None:
    for name in (
        "SPRYKER_PUSH_NOTIFICATION_WEB_PUSH_PHP_VAPID_PRIVATE_KEY",
        "SPRYKER_PRODUCT_CONFIGURATOR_ENCRYPTION_KEY",
        "SPRYKER_CUSTOMER_REMEMBER_ME_SECRET",
        "DB_PASSWORD",
        "GITHUB_TOKEN",
        "STRIPE_API_KEY",
    ):
        assert looks_secret(name), name
    for name in (
        "SPRYKER_KEY_VALUE_STORE_ENGINE",
        "SPRYKER_PUSH_NOTIFICATION_WEB_PUSH_PHP_VAPID_PUBLIC_KEY",
        "SPRYKER_REGISTRATION_CONFIRMATION_TOKEN_URL",
        "SPRYKER_SECRET_ENABLED",
        "SPRYKER_DEFAULT_STORE",
    ):
        assert not looks_secret(name), name


def test_secret_value_found_but_references_are_not(tmp_path: Path) -> None:
    found = findings(
        tmp_path,
        "    DB_PASSWORD: hunter2\n    API_TOKEN: '${FROM_SSM}'\n    SALT_ENABLED: 'true'\n",
    )
    assert found == [("SCC120", 6)]


def test_public_exempts_a_name_that_otherwise_looks_secret() -> None:
    # Without the PUBLIC exemption these are secrets: API_KEY is a pair, TOKEN a word.
    assert not looks_secret("STRIPE_PUBLIC_API_KEY")
    assert not looks_secret("MAPS_PUBLIC_TOKEN_VALUE")
    assert looks_secret("STRIPE_API_KEY")


def test_only_the_first_16_recipes_a_hook_names_are_read(tmp_path: Path) -> None:
    names = [f"r{i:02}" for i in range(1, 18)]
    heavy = "sections:\n  data:\n    importer:\n      command: vendor/bin/console data:import\n"
    write_project(
        tmp_path,
        {
            "deploy.yml": MINIMAL.replace(
                "SPRYKER_DEFAULT_STORE: DE",
                "SPRYKER_HOOK_INSTALL: '"
                + " && ".join(f"vendor/bin/install -r {n}" for n in names)
                + "'",
            ),
            **{f"config/install/{n}.yml": heavy for n in names[15:]},  # r16 and r17
        },
    )
    found = validate_deploy_file(tmp_path / "deploy.yml").findings
    assert [(f.code, Path(f.position.file).name) for f in found] == [("SCC113", "r16.yml")]
