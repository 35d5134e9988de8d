"""Kinds of real deploy file the shared corpus no longer holds, as shops written by us.

The corpus keeps only what its licence lets us copy (`spryker-shop/suite`); a well-kept shop
that builds on project templates through `imports:` and has two regions, and a dynamic-store
shop, are fixtures of our own under tests/fixtures/shops/ with the same features.
"""

from __future__ import annotations

from sccos_pipeline.core.deployfile.loader import validate_deploy_file
from sccos_pipeline.core.deployfile.model import RegionBroker, Store
from sccos_pipeline.core.plan.broker import broker_vhosts
from tests.conftest import SHOPS, cli

MULTI_REGION = SHOPS / "multi-region" / "deploy.northwind-production.yml"
DYNAMIC_STORE = SHOPS / "dynamic-store" / "deploy.lakeside-dms.yml"


def test_well_kept_shops_pass_strict() -> None:
    done = cli("validate", "--strict", str(MULTI_REGION), str(DYNAMIC_STORE))
    assert (done.returncode, done.stdout.splitlines()[-1]) == (
        0,
        "2 file(s) checked: 2 valid, 0 with errors; 0 error(s), 0 warning(s)",
    )


def test_multi_region_shop_takes_each_region_from_its_import() -> None:
    result = validate_deploy_file(MULTI_REGION)
    assert result.valid and result.model is not None
    model = result.model
    assert model.project == "northwind-production"
    assert model.regions == ("EU", "US")
    assert model.stores == (
        Store("DE", "EU", "de_queue"),
        Store("AT", "EU", "at_queue"),
        Store("US", "US", "us_queue"),
    )
    assert {(a.name, a.type, a.region) for a in model.applications} == {
        ("yves_eu", "yves", "EU"),
        ("boffice_eu", "backoffice", "EU"),
        ("glue_eu", "glue", "EU"),
        ("yves_us", "yves", "US"),
        ("boffice_us", "backoffice", "US"),
        ("glue_us", "glue", "US"),
    }
    assert broker_vhosts(model) == ("de_queue", "at_queue", "us_queue")


def test_dynamic_store_shop_has_one_broker_connection_per_region() -> None:
    result = validate_deploy_file(DYNAMIC_STORE)
    assert result.valid and result.model is not None
    model = result.model
    assert model.project == "lakeside-dms"
    assert model.stores == ()
    assert model.region_brokers == (RegionBroker("EU", "eu_queue"),)
    assert broker_vhosts(model) == ("eu_queue",)
    assert model.environment["SPRYKER_DYNAMIC_STORE_MODE"] == "1"
    assert [a.name for a in model.applications] == ["yves", "boffice", "backgw", "mportal"]
