"""update_service's pure parts: the container-definition merge and RegisterTaskDefinition's input."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from sccos_pipeline.core.scripts.ecs_service import ssm_name
from sccos_pipeline.core.scripts.parameter_store import ScriptError
from sccos_pipeline.core.scripts.update_service import (
    merge_container,
    parse_settings,
    register_input,
)

TREE = "/shop/prod"
ARN = "arn:aws:ssm:eu-central-1:123456789012:parameter"
SM = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:db-AbCdEf"
CONTAINER: dict[str, Any] = {
    "name": "boffice",
    "image": "123456789012.dkr.ecr.eu-central-1.amazonaws.com/shop:boffice",
    "essential": True,
    "environment": [
        {"name": "SPRYKER_MAINTENANCE_MODE_ENABLED", "value": "false"},
        {"name": "OLD_PLAIN", "value": "1"},
    ],
    "secrets": [
        {"name": "DB_PASSWORD", "valueFrom": SM},
        {"name": "MAIL_HOST", "valueFrom": f"{ARN}/shop/prod/config/common/public/MAIL_HOST"},
        {"name": "GONE", "valueFrom": "/shop/prod/config/app/public/GONE"},
    ],
}


def test_parse_settings() -> None:
    assert parse_settings(["A=1", "B=x=y", "C=", "A=1"]) == {"A": "1", "B": "x=y", "C": ""}


@pytest.mark.timeout(5)
@pytest.mark.parametrize(
    ("items", "message"),
    [
        (["A"], "--set 'A' is not NAME=VALUE"),
        (["=1"], "--set '=1' is not NAME=VALUE"),
        (["A-B=1"], "--set 'A-B=1' is not NAME=VALUE"),
        (["A=1", "A=2"], "--set A is given two values"),
        (["X" * 100_000 + "-=1"], "is not NAME=VALUE"),
    ],
)
def test_parse_settings_refuses(items: list[str], message: str) -> None:
    with pytest.raises(ScriptError, match=message):
        parse_settings(items)


def test_ssm_name() -> None:
    assert ssm_name(f"{ARN}/shop/prod/config/app/public/X") == "/shop/prod/config/app/public/X"
    assert ssm_name("/shop/prod/config/app/public/X") == "/shop/prod/config/app/public/X"
    assert ssm_name(SM) is None
    assert ssm_name(f"{SM}:password::") is None


def test_a_setting_changes_the_environment() -> None:
    merged, changes = merge_container(CONTAINER, {"SPRYKER_MAINTENANCE_MODE_ENABLED": "true"})
    assert changes == ["SPRYKER_MAINTENANCE_MODE_ENABLED: false -> true"]
    assert merged == {
        **CONTAINER,
        "environment": [
            {"name": "SPRYKER_MAINTENANCE_MODE_ENABLED", "value": "true"},
            {"name": "OLD_PLAIN", "value": "1"},
        ],
    }


def test_the_same_values_again_change_nothing() -> None:
    before = copy.deepcopy(CONTAINER)
    tree = {
        "MAIL_HOST": f"{ARN}/shop/prod/config/common/public/MAIL_HOST",
        "GONE": f"{ARN}/shop/prod/config/app/public/GONE",  # the same parameter, named by ARN
    }
    merged, changes = merge_container(
        CONTAINER, {"SPRYKER_MAINTENANCE_MODE_ENABLED": "false", "OLD_PLAIN": "1"}, TREE, tree
    )
    assert (merged, changes) == (CONTAINER, [])
    assert before == CONTAINER  # never changed in place


def test_a_new_setting_is_added_and_replaces_a_secret_of_that_name() -> None:
    merged, changes = merge_container(CONTAINER, {"NEW": "a b", "DB_PASSWORD": "plain"})
    assert changes == [f"DB_PASSWORD: from {SM} -> plain", "+ NEW=a b"]
    assert merged["environment"] == [
        {"name": "SPRYKER_MAINTENANCE_MODE_ENABLED", "value": "false"},
        {"name": "OLD_PLAIN", "value": "1"},
        {"name": "DB_PASSWORD", "value": "plain"},
        {"name": "NEW", "value": "a b"},
    ]
    assert merged["secrets"] == [
        {"name": "MAIL_HOST", "valueFrom": f"{ARN}/shop/prod/config/common/public/MAIL_HOST"},
        {"name": "GONE", "valueFrom": "/shop/prod/config/app/public/GONE"},
    ]


def test_the_tree_replaces_its_earlier_entries_and_drops_the_gone_ones() -> None:
    tree = {
        "MAIL_HOST": f"{ARN}/shop/prod/config/app/public/MAIL_HOST",
        "OLD_PLAIN": f"{ARN}/shop/prod/secret/app/public/OLD_PLAIN",
        "ADDED": f"{ARN}/shop/prod/config/common/limited/ADDED",
    }
    merged, changes = merge_container(CONTAINER, {}, TREE, tree)
    assert changes == [
        "+ ADDED from /shop/prod/config/common/limited/ADDED",
        "- GONE from /shop/prod/config/app/public/GONE",
        "MAIL_HOST: from /shop/prod/config/common/public/MAIL_HOST -> from /shop/prod/config/app/public/MAIL_HOST",
        "OLD_PLAIN: 1 -> from /shop/prod/secret/app/public/OLD_PLAIN",
    ]
    assert merged["environment"] == [{"name": "SPRYKER_MAINTENANCE_MODE_ENABLED", "value": "false"}]
    assert merged["secrets"] == [
        {"name": "DB_PASSWORD", "valueFrom": SM},  # not the tree's: kept
        {"name": "MAIL_HOST", "valueFrom": f"{ARN}/shop/prod/config/app/public/MAIL_HOST"},
        {"name": "ADDED", "valueFrom": f"{ARN}/shop/prod/config/common/limited/ADDED"},
        {"name": "OLD_PLAIN", "valueFrom": f"{ARN}/shop/prod/secret/app/public/OLD_PLAIN"},
    ]


def test_an_empty_tree_drops_every_tree_entry_and_nothing_else() -> None:
    merged, changes = merge_container(CONTAINER, {}, TREE + "/", {})
    assert changes == [
        "- GONE from /shop/prod/config/app/public/GONE",
        "- MAIL_HOST from /shop/prod/config/common/public/MAIL_HOST",
    ]
    assert merged["secrets"] == [{"name": "DB_PASSWORD", "valueFrom": SM}]


def test_another_tree_is_left_alone() -> None:
    merged, changes = merge_container(CONTAINER, {}, "/shop/prod2", {})
    assert (merged, changes) == (CONTAINER, [])


def test_a_tree_secret_takes_the_place_of_another_secret_of_its_name() -> None:
    tree = {"DB_PASSWORD": f"{ARN}/shop/prod/secret/app/public/DB_PASSWORD"}
    merged, changes = merge_container(
        CONTAINER,
        {},
        TREE,
        {
            **tree,
            "MAIL_HOST": CONTAINER["secrets"][1]["valueFrom"],
            "GONE": "/shop/prod/config/app/public/GONE",
        },
    )
    assert changes == [f"DB_PASSWORD: from {SM} -> from /shop/prod/secret/app/public/DB_PASSWORD"]
    assert [s["name"] for s in merged["secrets"]] == ["DB_PASSWORD", "MAIL_HOST", "GONE"]


def test_no_name_is_both_set_and_from_the_tree() -> None:
    tree = {
        "X": f"{ARN}/shop/prod/config/app/public/X",
        "Y": f"{ARN}/shop/prod/config/app/public/Y",
    }
    with pytest.raises(ScriptError, match="X, Y: both --set and in the tree"):
        merge_container(CONTAINER, {"Y": "1", "X": "2"}, TREE, tree)


def test_no_name_ends_up_twice() -> None:
    container = {
        "name": "c",
        "environment": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}],
    }
    tree = {"B": f"{ARN}/shop/prod/config/app/public/B"}
    merged, changes = merge_container(container, {"A": "3"}, TREE, tree)
    assert changes == ["A: 2 -> 3", "+ B from /shop/prod/config/app/public/B"]  # by name
    assert merged == {
        "name": "c",
        "environment": [{"name": "A", "value": "3"}],
        "secrets": [{"name": "B", "valueFrom": f"{ARN}/shop/prod/config/app/public/B"}],
    }


def test_a_name_both_in_environment_and_secrets_ends_up_once() -> None:
    container = {
        "name": "c",
        "environment": [{"name": "A", "value": "1"}],
        "secrets": [{"name": "A", "valueFrom": SM}],
    }
    merged, changes = merge_container(container, {"A": "2"})
    assert changes == [f"A: from {SM} -> 2"]
    assert merged == {"name": "c", "environment": [{"name": "A", "value": "2"}], "secrets": []}


def test_no_empty_lists_appear() -> None:
    merged, changes = merge_container({"name": "c"}, {"A": "1"})
    assert (merged, changes) == (
        {"name": "c", "environment": [{"name": "A", "value": "1"}]},
        ["+ A=1"],
    )


DESCRIBED: dict[str, Any] = {
    "taskDefinitionArn": "arn:aws:ecs:eu-central-1:123456789012:task-definition/shop-boffice:7",
    "containerDefinitions": [CONTAINER, {"name": "sidecar", "image": "x"}],
    "family": "shop-boffice",
    "taskRoleArn": "arn:aws:iam::123456789012:role/task",
    "executionRoleArn": "arn:aws:iam::123456789012:role/execution",
    "networkMode": "awsvpc",
    "revision": 7,
    "volumes": [{"name": "data", "host": {"sourcePath": "/data"}}],
    "status": "ACTIVE",
    "requiresAttributes": [{"name": "com.amazonaws.ecs.capability.ecr-auth"}],
    "placementConstraints": [],
    "compatibilities": ["EC2", "FARGATE"],
    "requiresCompatibilities": ["FARGATE"],
    "cpu": "1024",
    "memory": "2048",
    "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
    "registeredAt": "2025-01-01T00:00:00+00:00",
    "registeredBy": "arn:aws:iam::123456789012:role/deployer",
    "deregisteredAt": "2025-01-02T00:00:00+00:00",
    "deleteRequestedAt": "2025-01-03T00:00:00+00:00",
    "ephemeralStorage": {"sizeInGiB": 30},
    "enableFaultInjection": False,
}


def test_register_input_keeps_every_register_able_field() -> None:
    container = {"name": "boffice", "image": "new"}
    tags = [{"key": "project", "value": "shop"}]
    assert register_input(DESCRIBED, tags, container) == {
        "containerDefinitions": [
            {"name": "boffice", "image": "new"},
            {"name": "sidecar", "image": "x"},
        ],
        "family": "shop-boffice",
        "taskRoleArn": "arn:aws:iam::123456789012:role/task",
        "executionRoleArn": "arn:aws:iam::123456789012:role/execution",
        "networkMode": "awsvpc",
        "volumes": [{"name": "data", "host": {"sourcePath": "/data"}}],
        "placementConstraints": [],
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "1024",
        "memory": "2048",
        "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
        "ephemeralStorage": {"sizeInGiB": 30},
        "enableFaultInjection": False,
        "tags": [{"key": "project", "value": "shop"}],
    }
    assert "tags" not in register_input(DESCRIBED, [], container)


def test_what_register_input_drops_is_what_the_api_does_not_take() -> None:
    # The CLI's own model (botocore) tells which described fields registration takes.
    session = pytest.importorskip("botocore.session")
    model = session.get_session().get_service_model("ecs")
    described = set(model.shape_for("TaskDefinition").members)
    takes = set(model.operation_model("RegisterTaskDefinition").input_shape.members)
    everything: dict[str, Any] = dict.fromkeys(described, "x") | {"containerDefinitions": []}
    assert set(register_input(everything, [], {"name": "c"})) == described & takes
