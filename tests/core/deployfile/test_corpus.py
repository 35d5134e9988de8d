"""Every real deploy file of ../shared/corpus loads; each one's verdict is pinned here.

The corpus holds what its licence lets us copy: the MIT-licensed `spryker-shop/suite`, 13 deploy
files (its SOURCES.tsv names each one's commit). Kinds of file it no longer has (a well-kept file
with imports, a multi-region file) are our own fixtures, in
tests/core/deployfile/test_fixture_shops.py.

The verdicts were reviewed by hand: the warnings are true (a `false` that becomes empty, real
private keys in plain text, tags no longer maintained, padded hooks), and none is an error.
`true` becoming "1" is Spryker's own convention, so SPRYKER_DYNAMIC_STORE_MODE: true is fine.
Corpus file names are flattened (`owner__repo__path`), so the project name comes from
`namespace` unless the file is named deploy.<name>.yml.
"""

from __future__ import annotations

import pytest

from sccos_pipeline.core.deployfile.loader import validate_deploy_file
from tests.conftest import CORPUS, needs_corpus

# file -> (project name, the codes of its findings); every one is valid.
VERDICTS: dict[str, tuple[str, list[str]]] = {
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
