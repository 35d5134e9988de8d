"""Loading follows the Docker SDK: YAML 1.2 scalars, merge keys, imports, PHP string values."""

from __future__ import annotations

from pathlib import Path

import pytest

from sccos_pipeline.core.deployfile.findings import DeployFileError
from sccos_pipeline.core.deployfile.imports import merge
from sccos_pipeline.core.deployfile.loader import (
    Validation,
    find_project_root,
    load_deploy_file,
    validate_deploy_file,
)
from sccos_pipeline.core.deployfile.model import HookSource
from sccos_pipeline.core.deployfile.yamlsafe import load_document
from sccos_pipeline.core.stages import PipelineType, Stage
from tests.conftest import MINIMAL, write_project


def load(tmp_path: Path, text: str, name: str = "deploy.yml", **files: str) -> Validation:
    write_project(tmp_path, {name: text, **files})
    return validate_deploy_file(tmp_path / name)


def test_norway_and_friends_stay_strings(tmp_path: Path) -> None:
    text = MINIMAL + "x-flags: {a: yes, b: on, c: off, d: NO, e: y}\n"
    result = load(tmp_path, text.replace("SPRYKER_DEFAULT_STORE: DE", "SPRYKER_DEFAULT_STORE: NO"))
    assert result.model is not None
    assert result.model.environment["SPRYKER_DEFAULT_STORE"] == "NO"
    assert [s.name for s in result.model.stores] == ["DE", "NO"]
    assert result.model.stores[1].broker_namespace == "no-docker"


def test_model_lists_applications_without_static_and_regions(tmp_path: Path) -> None:
    model = load(tmp_path, MINIMAL).model
    assert model is not None
    assert [(a.name, a.type, a.group, a.region) for a in model.applications] == [
        ("yves_eu", "yves", "EU", "EU"),
        ("boffice_eu", "backoffice", "EU", "EU"),
    ]
    assert model.regions == ("EU",)
    assert model.image == "spryker/php:8.4" and model.image_tag == "8.4"
    assert model.project == "shop"  # no deploy.<name>.yml: from namespace


def test_project_name_from_file_name_then_given(tmp_path: Path) -> None:
    assert load(tmp_path, MINIMAL, "deploy.spryker-b2c-staging.yml").model.project == (  # type: ignore[union-attr]
        "spryker-b2c-staging"
    )
    model = load_deploy_file(tmp_path / "deploy.spryker-b2c-staging.yml", project="other")
    assert model.project == "other"


def test_model_is_immutable(tmp_path: Path) -> None:
    model = load(tmp_path, MINIMAL).model
    assert model is not None
    with pytest.raises(TypeError):
        model.environment["X"] = "y"  # type: ignore[index]
    with pytest.raises(AttributeError):
        model.project = "x"  # type: ignore[misc]


def test_anchors_aliases_and_merge_keys(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "    SPRYKER_DEFAULT_STORE: DE\n",
        "    <<: *common\n    SPRYKER_DEFAULT_STORE: AT\n",
    )
    text = (
        "x-common: &common\n  SPRYKER_DEFAULT_STORE: DE\n  SPRYKER_ACTIVE_STORES: 'DE,AT'\n" + text
    )
    result = load(tmp_path, text)
    assert result.model is not None
    env = result.model.environment
    assert env["SPRYKER_DEFAULT_STORE"] == "AT"  # explicit beats merged
    assert env["SPRYKER_ACTIVE_STORES"] == "DE,AT"


def test_earlier_merge_sources_win_over_later_ones(tmp_path: Path) -> None:
    # YAML merge rule: of `<<: [*first, *second]`, the first source wins a shared key.
    text = MINIMAL.replace(
        "    SPRYKER_DEFAULT_STORE: DE\n", "    <<: [*first, *second]\n    B: explicit\n"
    )
    text = "x-1: &first {A: one, B: one}\nx-2: &second {A: two, C: two}\n" + text
    result = load(tmp_path, text)
    assert result.model is not None
    assert dict(result.model.environment) == {"A": "one", "B": "explicit", "C": "two"}
    assert validate_deploy_file(tmp_path / "deploy.yml").findings == ()


def test_values_become_what_the_image_gets_with_a_warning(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "    SPRYKER_DEFAULT_STORE: DE\n",
        "    A: true\n    B: false\n    C: 8080\n    D: 1.50\n    E: ~\n    F: 0x1F\n    G: plain\n",
    )
    result = load(tmp_path, text)
    assert result.model is not None
    env = result.model.environment
    assert [env[k] for k in "ABCDEFG"] == ["1", "", "8080", "1.5", "", "31", "plain"]
    changed = {f.message.split(":")[0] for f in result.findings if f.code == "SCC130"}
    assert changed == {"B", "D", "E", "F"}  # true is "1" as Spryker expects; 8080 stays 8080


def test_imports_merge_with_parameters_filters_and_null_deletes(tmp_path: Path) -> None:
    main = """\
    namespace: shop
    imports:
      base.yml:
        parameters: {env_name: Staging}
    image:
      environment:
        OWN: main
        REMOVED: ~
    """
    base = """\
    image:
      tag: spryker/php:8.1
      environment:
        OWN: base
        REMOVED: base
        ENV_LOWER: '%env_name|lower%'
        ENV_PLAIN: 'shop-%env_name%-%unknown%'
    imports:
      nested.yml:
    """
    nested = "image:\n  environment:\n    NESTED: '%env_name|upper%'\n    OWN: nested\n"
    result = load(
        tmp_path,
        main,
        **{
            "config/deploy-templates/base.yml": base,
            "config/deploy-templates/nested.yml": nested,
        },
    )
    assert result.model is not None, [f.format() for f in result.findings]
    env = dict(result.model.environment)
    assert env == {
        "OWN": "main",
        "ENV_LOWER": "staging",
        "ENV_PLAIN": "shop-Staging-%unknown%",
        "NESTED": "STAGING",
    }
    assert result.model.image == "spryker/php:8.1"
    # Findings about imported values point into the template that holds them.
    tag_warning = [f for f in result.findings if f.code == "SCC101"]
    assert tag_warning and tag_warning[0].position.file.endswith("base.yml")
    assert tag_warning[0].position.line == 2


def test_import_forms_named_and_list(tmp_path: Path) -> None:
    files = {"config/deploy-templates/t.yml": "image:\n  environment:\n    T: '%v%'\n"}
    named = "imports:\n  first:\n    template: t.yml\n    parameters: {v: one}\n"
    listed = "imports:\n  - template: t.yml\n    parameters: {v: two}\n"
    assert load(tmp_path, named, **files).model.environment["T"] == "one"  # type: ignore[union-attr]
    assert load(tmp_path, listed, **files).model.environment["T"] == "two"  # type: ignore[union-attr]


def test_import_not_in_project_is_a_warning(tmp_path: Path) -> None:
    result = load(tmp_path, MINIMAL + "imports:\n  deploy.base.template.yml:\n")
    assert result.valid
    assert [(f.code, f.position.line) for f in result.findings if f.code == "SCC131"] == [
        ("SCC131", 29)  # the import line, under `imports:` on 28
    ]


def test_errors_inside_an_import_name_the_import(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        "imports:\n  a.yml:\n",
        **{"config/deploy-templates/a.yml": "x: 1\nx: 2\n"},
    )
    assert [(f.code, Path(f.position.file).name, f.position.line) for f in result.errors] == [
        ("SCC005", "a.yml", 2)
    ]


def test_php_array_merge_semantics() -> None:
    assert merge({"a": {"b": 1}}, {"a": {"b": 2, "c": 3}}) == {"a": {"b": 1, "c": 3}}
    assert merge([9], [1, 2, 3]) == [9, 2, 3]  # lists merge by index, like PHP arrays
    assert merge({"a": None}, {"a": 1, "b": 2}) == {"b": 2}
    assert merge({"a": None}, {}) == {"a": None}


def test_hooks_resolve_from_file_or_default(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "    SPRYKER_DEFAULT_STORE: DE\n",
        "    SPRYKER_HOOK_INSTALL: 'vendor/bin/install -r EU/production --no-ansi -vvv'\n"
        "    SPRYKER_HOOK_AFTER_DEPLOY: ''\n",
    )
    model = load(tmp_path, text).model
    assert model is not None
    install = model.hook(Stage.INSTALL, PipelineType.NORMAL)
    assert (install.command, install.source) == (
        "vendor/bin/install -r EU/production --no-ansi -vvv",
        HookSource.DEPLOY_FILE,
    )
    assert install.position is not None and install.position.line == 6
    destructive = model.hook(Stage.INSTALL, PipelineType.DESTRUCTIVE)
    assert (destructive.command, destructive.source) == (
        "vendor/bin/install -r destructive --no-ansi -vvv",
        HookSource.DEFAULT,
    )
    post = model.hook(Stage.POST_DEPLOY, PipelineType.NORMAL)
    assert (post.command, post.source) == ("true", HookSource.DEFAULT)


def test_load_raises_one_error_with_every_problem(tmp_path: Path) -> None:
    write_project(tmp_path, {"deploy.yml": "image:\n  tag: acme/php\n  environment: [x]\n"})
    with pytest.raises(DeployFileError) as caught:
        load_deploy_file(tmp_path / "deploy.yml")
    assert [f.code for f in caught.value.findings] == ["SCC025", "SCC021"]
    assert "deploy.yml:2:8: error SCC025" in str(caught.value)


def test_findings_come_in_file_order(tmp_path: Path) -> None:
    # The image is checked before its environment; the file says the environment first.
    text = "image:\n  environment:\n    A: 1.50\n  tag: spryker/php:7.4\n"
    result = load(tmp_path, text)
    assert [(f.code, f.position.line) for f in result.findings] == [("SCC130", 3), ("SCC101", 4)]


def test_booleans_of_every_core_schema_spelling() -> None:
    doc = load_document("a: True\nb: TRUE\nc: !!bool False\nd: FALSE\ne: true\n", "x.yml")
    assert (doc.errors, doc.data) == ([], {"a": True, "b": True, "c": False, "d": False, "e": True})


def test_an_import_cycle_is_named_a_cycle_not_too_deep(tmp_path: Path) -> None:
    # The depth limit stops a cycle too: only the message tells the check for cycles works.
    result = load(
        tmp_path,
        "imports:\n  a.yml:\n" + MINIMAL,
        **{
            "config/deploy-templates/a.yml": "imports:\n  b.yml:\n",
            "config/deploy-templates/b.yml": "imports:\n  a.yml:\n",
        },
    )
    assert [(f.code, Path(f.position.file).name, f.message) for f in result.errors] == [
        ("SCC030", "b.yml", "import 'a.yml' imports itself again")
    ]


def test_imports_deeper_than_the_limit_are_too_deep(tmp_path: Path) -> None:
    chain = {f"config/deploy-templates/t{i}.yml": f"imports:\n  t{i + 1}.yml:\n" for i in range(17)}
    result = load(tmp_path, "imports:\n  t0.yml:\n" + MINIMAL, **chain)
    assert [(f.code, Path(f.position.file).name, f.message) for f in result.errors] == [
        ("SCC030", "t15.yml", "imports nest deeper than 16 levels")
    ]


def test_a_folder_with_only_config_install_is_the_project_root(tmp_path: Path) -> None:
    (tmp_path / "config/install").mkdir(parents=True)
    (tmp_path / "deploy").mkdir()
    assert find_project_root(tmp_path / "deploy/deploy.yml") == tmp_path.resolve()
    assert find_project_root(tmp_path / "deploy.yml") == tmp_path.resolve()
