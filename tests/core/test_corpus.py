"""Every real deploy file of ../shared/corpus loads; each one's verdict is pinned here.

The verdicts were reviewed by hand: the warnings are true (a `false` that becomes empty, real
private keys in plain text, tags no longer maintained, padded hooks), and none is an error.
`true` becoming "1" is Spryker's own convention, so SPRYKER_DYNAMIC_STORE_MODE: true is fine.
Corpus file names are flattened (`owner__repo__path`), so the project name comes from
`namespace` unless the file is named deploy.<name>.yml.
"""

from __future__ import annotations

import pytest

from sccos_pipeline.core.loader import validate_deploy_file
from tests.conftest import CORPUS, needs_corpus

# file -> (project name, the codes of its findings); every one is valid.
VERDICTS: dict[str, tuple[str, list[str]]] = {
    "spryker-shop__b2b-demo-marketplace__.github__deploy__deploy.ci.acceptance.postgres.yml": (
        "spryker_ci",
        [],
    ),
    "spryker-shop__b2b-demo-marketplace__deploy.aws-env-template.yml": ("example-staging", []),
    "spryker-shop__b2b-demo-marketplace__deploy.dev.multi-region.yml": (
        "spryker_b2b_marketplace_dev",
        [],
    ),
    "spryker-shop__b2b-demo-marketplace__deploy.eugene-shared-dev-t2.yml": (
        "eugene-dev",
        ["SCC120"],
    ),
    "spryker-shop__b2b-demo-marketplace__deploy.olena-fau.yml": ("spryker-cloud", ["SCC120"]),
    "spryker-shop__b2b-demo-marketplace__deploy.spryker-icp.yml": ("spryker-cloud", ["SCC120"]),
    "spryker-shop__b2b-demo-marketplace__deploy.spryker-scos.yml": ("spryker-cloud", ["SCC120"]),
    "spryker-shop__b2b-demo-marketplace__deploy.spryker-sedemo02.yml": (
        "spryker-cloud",
        ["SCC120"],
    ),
    "spryker-shop__b2b-demo-marketplace__deploy.spryker-sedemo06.yml": (
        "spryker-cloud",
        ["SCC120"],
    ),
    "spryker-shop__b2b-demo-shop__deploy.cco-shared.yml": ("spryker-cloud", []),
    "spryker-shop__b2b-demo-shop__deploy.denys-b2bk6.yml": ("spryker-cloud", ["SCC120"]),
    "spryker-shop__b2b-demo-shop__deploy.nidhi-staging.yml": ("spryker-cloud", ["SCC101"]),
    "spryker-shop__b2b-demo-shop__deploy.optimus-test02.yml": ("spryker-cloud", ["SCC101"]),
    "spryker-shop__b2b-demo-shop__deploy.spryker-acb2beu.yml": ("spryker-cloud", ["SCC110"]),
    "spryker-shop__b2b-demo-shop__deploy.spryker-alex.yml": ("spryker-alex", ["SCC120"]),
    "spryker-shop__b2b-demo-shop__deploy.spryker-b2bt.yml": ("spryker-cloud", ["SCC101", "SCC111"]),
    "spryker-shop__b2b-demo-shop__deploy.spryker-sns.yml": ("spryker-cloud", ["SCC120"]),
    "spryker-shop__b2b-demo-shop__deploy.wilo-cndev.yml": ("spryker-cloud", ["SCC101"]),
    "spryker-shop__b2b-demo-shop__deploy.yml": ("spryker_b2b", ["SCC120"]),
    "spryker-shop__b2c-demo-marketplace__deploy.aws-env-template.yml": (
        "example-staging",
        ["SCC101"],
    ),
    "spryker-shop__b2c-demo-marketplace__deploy.spryker-b2c-intts.yml": (
        "spryker-cloud",
        ["SCC111", "SCC120"],
    ),
    "spryker-shop__b2c-demo-marketplace__deploy.spryker-b2c-us.yml": ("spryker-cloud", ["SCC120"]),
    "spryker-shop__b2c-demo-marketplace__deploy.spryker-b2cmarketplace.yml": (
        "spryker-cloud",
        ["SCC120"],
    ),
    "spryker-shop__b2c-demo-shop__deploy.aop-b2c-testing.yml": ("spryker-cloud", ["SCC120"]),
    "spryker-shop__b2c-demo-shop__deploy.aop-demoshop-b2c.yml": ("spryker-cloud", ["SCC120"]),
    "spryker-shop__b2c-demo-shop__deploy.aws-env-template.yml": ("spryker-customer", ["SCC120"]),
    "spryker-shop__b2c-demo-shop__deploy.b2c-202307.yml": ("spryker-cloud", ["SCC101", "SCC111"]),
    "spryker-shop__b2c-demo-shop__deploy.ci.api.yml": ("spryker_ci", ["SCC120"]),
    "spryker-shop__b2c-demo-shop__deploy.dev.dynamic-store.yml": (
        "spryker_b2c_dev-dynamic-store",
        ["SCC101"],
    ),
    "spryker-shop__b2c-demo-shop__deploy.dev.yml": ("spryker_b2c_dev", ["SCC120"]),
    "spryker-shop__b2c-demo-shop__deploy.spryker-acb2ceu.yml": ("spryker-cloud", ["SCC120"]),
    "spryker-shop__b2c-demo-shop__deploy.spryker-acb2cus.yml": ("spryker-cloud", ["SCC120"]),
    "spryker-shop__b2c-demo-shop__deploy.spryker-b2c-eu.yml": ("spryker-cloud", ["SCC101"]),
    "spryker-shop__b2c-demo-shop__deploy.spryker-b2c-intts.yml": (
        "spryker-cloud",
        ["SCC101", "SCC111"],
    ),
    "spryker-shop__b2c-demo-shop__deploy.spryker-b2c-us.yml": ("spryker-cloud", ["SCC101"]),
    "spryker-shop__b2c-demo-shop__deploy.spryker-b2cintt.yml": (
        "spryker-cloud",
        ["SCC111", "SCC120"],
    ),
    "spryker-shop__b2c-demo-shop__deploy.spryker-b2cprod.yml": ("spryker-cloud", ["SCC120"]),
    "spryker-shop__b2c-demo-shop__deploy.spryker-b2csec.yml": ("spryker-cloud", ["SCC120"]),
    "spryker-shop__b2c-demo-shop__deploy.spryker-dynamicstore.yml": ("spryker-cloud", ["SCC120"]),
    "spryker-shop__b2c-demo-shop__deploy.spryker-mscheck.yml": ("spryker-cloud", ["SCC101"]),
    "spryker-shop__b2c-demo-shop__deploy.spryker-scosb2c.yml": ("spryker-cloud", ["SCC111"]),
    "spryker-shop__b2c-demo-shop__deploy.viktor-dev.yml": ("spryker-cloud", ["SCC120"]),
    "spryker-shop__b2c-demo-shop__deploy.yml": ("spryker_b2c", ["SCC120"]),
    "spryker-shop__suite__deploy.acp-dev.franken.dms.yml": ("spryker", ["SCC120"]),
    "spryker-shop__suite__deploy.aop-demoshop-dms-testing.yml": ("spryker-cloud", []),
    "spryker-shop__suite__deploy.aop-demoshop-suite-testing.yml": ("spryker-cloud", ["SCC120"]),
    "spryker-shop__suite__deploy.ci.acceptance.mariadb.dynamic-store-off.robot.yml": (
        "spryker_ci",
        ["SCC120"],
    ),
    "spryker-shop__suite__deploy.ci.yml": ("spryker-cloud", ["SCC120"]),
    "spryker-shop__suite__deploy.click-collect-dev.yml": ("spryker-cloud", ["SCC101", "SCC130"]),
    "spryker-shop__suite__deploy.korax-dev.yml": ("spryker-cloud", ["SCC101"]),
    "spryker-shop__suite__deploy.multi-db.dynamic-store-off.yml": ("spryker_m", ["SCC120"]),
    "spryker-shop__suite__deploy.spryker-danisimov.yml": ("spryker-cloud", ["SCC120"]),
    "spryker-shop__suite__deploy.spryker-dsfrw.yml": ("spryker-cloud", ["SCC101", "SCC120"]),
    "spryker-shop__suite__deploy.ssp-suite.yml": ("spryker-cloud", ["SCC120"]),
    "spryker-shop__suite__deploy.support-staging.yml": ("spryker-cloud", ["SCC102", "SCC120"]),
    "spryker-shop__suite__deploy.valerii-test.yml": ("spryker-cloud", ["SCC101"]),
    "spryker__docker-sdk__ci__deploy.dev.yml": ("spryker", ["SCC101"]),
    "spryker__docker-sdk__ci__deploy.yml": ("spryker_demo", ["SCC101"]),
    "spryker__docker-sdk__generator__deploy-file-generator__templates__deploy.base.template.yml": (
        "spryker",
        ["SCC103", "SCC131"],
    ),
    "spryker__docker-sdk__generator__deploy-file-generator__templates__environment__demo__groups.deploy.template.yml": (
        "spryker",
        ["SCC103"],
    ),
    "spryker__docker-sdk__generator__deploy-file-generator__templates__environment__demo__regions.deploy.template.yml": (
        "spryker",
        ["SCC103"],
    ),
    "spryker__docker-sdk__generator__deploy-file-generator__templates__environment__dev__image.deploy.template.yml": (
        "spryker",
        ["SCC101", "SCC120"],
    ),
    "spryker__docker-sdk__generator__deploy-file-generator__tests___data__templates__yml-data-importer-test__data.yml": (
        "spryker",
        ["SCC103", "SCC131"],
    ),
    "spryker__docker-sdk__generator__deploy-file-generator__tests___data__templates__yml-data-importer-test__import-data.yml": (
        "spryker",
        ["SCC103"],
    ),
}


@needs_corpus
def test_corpus_is_the_one_we_reviewed() -> None:
    assert sorted(p.name for p in (CORPUS / "deploy-files").glob("*.yml")) == sorted(VERDICTS)


@needs_corpus
@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_real_deploy_file_verdict(name: str) -> None:
    result = validate_deploy_file(CORPUS / "deploy-files" / name)
    project, codes = VERDICTS[name]
    assert result.valid, [f.format() for f in result.errors]
    assert result.model is not None and result.model.project == project
    assert sorted({f.code for f in result.findings}) == codes
