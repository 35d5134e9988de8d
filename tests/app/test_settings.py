"""cdk.json settings are strict: unknown keys, wrong values and clashing environments are
refused with their key path and what is allowed, all at once (plain Python, no CDK)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from sccos_pipeline.app.preflight import check_environments
from sccos_pipeline.app.schema import SCHEMA_PATH, schema
from sccos_pipeline.app.settings import CONTEXT_KEY, SettingsError, read_settings
from sccos_pipeline.core.stages import Stage
from tests.conftest import ROOT

ENV = "spryker-demo-staging"
AT = f"{CONTEXT_KEY}.{ENV}"


def environments() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"][CONTEXT_KEY]
    return data


def problems(context: dict[str, Any]) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        check_environments(read_settings(context))
    return caught.value.problems


def test_the_example_is_valid() -> None:
    [staging] = read_settings(environments())
    check_environments([staging])
    assert [k.value for k in staging.pipelines or ()] == [
        "normal",
        "destructive",
        "build",
        "maintenance-enable",
        "maintenance-disable",
        "rollout-scheduler",
        "ecs-updater",
    ]
    assert staging.source.branch == "staging"
    assert staging.services["yves_eu"].container == "yves"


def test_unknown_keys_are_refused_with_a_suggestion() -> None:
    context = environments()
    context[ENV]["prodution"] = True
    context[ENV]["source"]["brnach"] = "main"
    context[ENV]["hooks"] = {"instal": {"timeoutMinutes": 30}}
    assert problems(context) == [
        f'{AT}.source.brnach: unknown key (did you mean "branch"?); allowed: "type", '
        '"connectionArn", "owner", "repository", "branch", "bucket", "key", "triggerOnPush", '
        '"filePaths"',
        f'{AT}.prodution: unknown key (did you mean "production"?); allowed: "account", '
        '"region", "deployFile", "project", "deployFileInRepository", "production", '
        '"allowDestructiveInProduction", "destructiveOnPush", "deployOnPush", "pipelines", '
        '"source", "vpc", "clusterName", "taskRolePrefix", "services", "broker", "zedEnvironment", '
        '"secrets", "hooks", '
        '"approvalEmails", "preDeploymentCommands", "postDeploymentCommands", '
        '"keepDeployedVersions"',
        f'{AT}.hooks.instal: unknown key (did you mean "install"?); allowed: "pre-deploy", '
        '"install", "post-deploy"',
    ]


def test_every_problem_names_its_key_and_what_is_allowed() -> None:
    context = environments()
    env = context[ENV]
    env["account"] = "12"
    del env["source"]["connectionArn"]
    env["pipelines"] = ["weekly"]
    env["services"]["yves_eu"] = "x"
    env["hooks"] = {"install": {"computeType": "HUGE", "timeoutMinutes": 3}}
    env["secrets"]["SPRYKER_DB_PASSWORD"] = {"paramter": "/db"}
    assert problems(context) == [
        f'{AT}.account: got "12"; allowed: 12 digits as a string, e.g. "123456789012"',
        f'{AT}.pipelines[0]: got "weekly"; allowed: "normal", "destructive", "build", '
        '"maintenance-enable", "maintenance-disable", "rollout-scheduler", "ecs-updater"',
        f"{AT}.source.connectionArn: missing; allowed: a CodeConnections ARN, e.g. "
        '"arn:aws:codeconnections:eu-central-1:123456789012:connection/ID"',
        f'{AT}.services.yves_eu: got "x"; allowed: {{"name": SERVICE, "container": CONTAINER}}',
        f'{AT}.secrets.SPRYKER_DB_PASSWORD.paramter: unknown key (did you mean "parameter"?); '
        'allowed: "parameter"',
        f"{AT}.secrets.SPRYKER_DB_PASSWORD.parameter: missing; allowed: an SSM SecureString "
        'parameter path, e.g. "/shop/db/password"',
        f'{AT}.hooks.install.computeType: got "HUGE"; allowed: "SMALL", "MEDIUM", "LARGE", '
        '"XLARGE", "2XLARGE"',
        f"{AT}.hooks.install.timeoutMinutes: got 3; allowed: whole minutes from 5 to 2160; "
        "default: 20",
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"production": True, "pipelines": ["normal", "destructive"]},
            f"{AT}.pipelines: a destructive pipeline resets all data of a production environment "
            '("production": true); allowed: the list without "destructive" (or no "pipelines": '
            'every one but destructive), or "allowDestructiveInProduction": true',
        ),
        (
            {"production": True, "allowDestructiveInProduction": True, "destructiveOnPush": True},
            f"{AT}.destructiveOnPush: a push would reset the data of a production environment; "
            "allowed: false, the destructive pipeline is started by hand",
        ),
        (
            {"project": "p" * 120},
            f"{AT}.project: makes the pipeline name 'NORMAL_Deploy_Spryker_ppppppppppppppppppppp"
            "pppppppppppppp...' 142 characters long; AWS allows 1 to 100; allowed: letters and "
            "digits with single '-' or '_' between them, at most 73 characters, not beginning "
            "with 'aws' or 'ssm'",
        ),
        (
            {"project": "shop_"},
            f"{AT}.project: makes the ECR repository name 'shop_-frontend'; AWS allows lower-case "
            "letters and digits with single '.', '_' or '-' between them; allowed: letters and "
            "digits with single '-' or '_' between them, at most 73 characters, not beginning "
            "with 'aws' or 'ssm'",
        ),
        (
            {"project": "AWS-shop"},
            f"{AT}.project: makes the SSM parameter name '/AWS-shop/lastbuildversion', which "
            "begins with 'aws': SSM reserves names beginning with 'aws' or 'ssm', in any case; "
            "allowed: letters and digits with single '-' or '_' between them, at most 73 "
            "characters, not beginning with 'aws' or 'ssm'",
        ),
        (
            {"production": "yes"},
            f'{AT}.production: got "yes"; allowed: true or false (default)',
        ),
        (
            {"approvalEmails": ["ops@example.com", "ops@example.com"]},
            f'{AT}.approvalEmails: got ["ops@example.com", "ops@example.com"]; allowed: a list of '
            "distinct e-mail addresses",
        ),
        (
            {"clusterName": "demo cluster"},
            f'{AT}.clusterName: got "demo cluster"; allowed: the existing ECS cluster\'s name: '
            "letters, digits, '-' and '_'",
        ),
        (
            {"keepDeployedVersions": 0},
            f"{AT}.keepDeployedVersions: got 0; allowed: a whole number from 1 to 1000 of "
            "deployed versions whose images are never expired; default: 20",
        ),
        (
            {"deployFile": "missing.yml"},
            f"{AT}.deployFile: missing.yml:1:1: error SCC001 cannot be read: "
            "No such file or directory",
        ),
    ],
)
def test_one_setting_wrong(change: dict[str, Any], expected: str) -> None:
    context = environments()
    context[ENV].update(change)
    assert problems(context) == [expected]


def test_vpc_shape_is_checked_before_cdk_sees_it() -> None:
    context = environments()
    vpc = context[ENV]["vpc"]
    vpc["availabilityZones"] = ["eu-central-1a", "us-east-1b"]
    vpc["privateSubnetIds"].append("subnet-0123456789abcdef2")
    assert problems(context) == [
        f"{AT}.vpc.availabilityZones[1]: us-east-1b is not in eu-central-1; allowed: zones of "
        "the environment's region, e.g. eu-central-1a",
        f"{AT}.vpc.privateSubnetIds: 3 subnets for 2 availability zones; allowed: the same "
        "number of subnets in each availability zone",
        f"{AT}.vpc.privateSubnetRouteTableIds: 2 route tables for 3 subnets; allowed: one per "
        "private subnet, in the same order",
    ]


def test_environments_that_would_create_the_same_names_are_refused() -> None:
    context = environments()
    context["spryker-demo-copy"] = copy.deepcopy(context[ENV])
    assert problems(context) == [
        f"{CONTEXT_KEY}.spryker-demo-copy: would create the same 33 names as {AT} in the same "
        'account and region (CodeBuild project "Run_pre-deploy_for_spryker-demo-staging", '
        'CodeBuild project "Run_install_for_spryker-demo-staging", CodeBuild project '
        '"Run_post-deploy_for_spryker-demo-staging", ...); allowed: a different "project" '
        "(or deploy file) for one of them, or another account or region",
    ]


def test_the_same_project_in_another_account_or_under_another_name_is_fine() -> None:
    context = environments()
    context["elsewhere"] = {**copy.deepcopy(context[ENV]), "account": "210987654321"}
    context["renamed"] = {**copy.deepcopy(context[ENV]), "project": "spryker-demo-copy"}
    check_environments(read_settings(context))


@pytest.mark.parametrize(
    ("first", "second", "path"),
    [
        # `<project>-<environment>` is read under /<project>/<environment>, a project without
        # '-' under /<project>/default
        ("shop", "shop-default", "/shop/default"),
        # a variable path that is another environment's version parameter
        ("shop", "shop-desired_version", "/shop/desired_version"),
    ],
)
def test_environments_that_would_read_the_same_variables_are_refused(
    first: str, second: str, path: str
) -> None:
    context = environments()
    context[ENV]["project"] = first
    context["other"] = {**copy.deepcopy(context[ENV]), "project": second}
    assert problems(context) == [
        f"{CONTEXT_KEY}.other: would read the Spryker variables of {AT} ({path} in the same "
        'account and region); allowed: a different "project" for one of them (the variables of '
        "<project>-<environment> are under /<project>/<environment>, of a project without '-' "
        "under /<project>/default), or another account or region",
    ]


def test_environment_names_must_make_stack_names() -> None:
    context = environments()
    context["demo_staging"] = context.pop(ENV)
    assert problems(context) == [
        f'{CONTEXT_KEY}.demo_staging: "demo_staging" is not allowed; allowed: an environment '
        "name of letters, digits and '-' (the stack is sccos-<name>), at most 122 characters",
    ]


@pytest.mark.parametrize("context", [None, {}, [], "staging"])
def test_no_environments(context: Any) -> None:
    with pytest.raises(SettingsError) as caught:
        read_settings(context)
    assert caught.value.problems == [
        f"{CONTEXT_KEY}: got {json.dumps(context)}; allowed: a mapping of environment name "
        "to its settings"
    ]


def test_defaults_fill_what_is_left_out() -> None:
    context = environments()
    for key in ("pipelines", "zedEnvironment", "secrets", "approvalEmails"):
        context[ENV].pop(key)
    context[ENV]["hooks"] = {"install": {"computeType": "XLARGE"}}
    [staging] = read_settings(context)
    assert staging.pipelines is None  # every one, without destructive in production
    assert (staging.secrets, staging.approval_emails) == ({}, ())
    assert staging.hooks[Stage.INSTALL].compute_type == "XLARGE"
    assert staging.keep_deployed_versions == 20


def test_keep_deployed_versions_reaches_the_environment() -> None:
    context = environments()
    context[ENV]["keepDeployedVersions"] = 7
    [staging] = read_settings(context)
    assert staging.keep_deployed_versions == 7


def test_the_schema_is_draft_2020_12_and_describes_what_it_allows() -> None:
    data = schema()
    Draft202012Validator.check_schema(data)
    assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA_PATH.name == "settings.schema.json"

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("type", node.get("pattern")), str) and "enum" not in node:
                assert "description" in node or "$ref" in node, where
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}/{index}")

    walk(data["$defs"], "#/$defs")


def test_editors_can_check_cdk_json_with_the_same_schema() -> None:
    cdk_json = json.loads((ROOT / "cdk.json").read_text())
    assert list(Draft202012Validator(schema()).iter_errors(cdk_json)) == []
    cdk_json["context"][CONTEXT_KEY][ENV]["prodution"] = True
    [error] = Draft202012Validator(schema()).iter_errors(cdk_json)
    assert list(error.path) == ["context", CONTEXT_KEY, ENV]


def test_maintenance_allowed_ips_is_refused_naming_the_deploy_file_key() -> None:
    """Who passes during maintenance is the deploy file's, built into the frontend image;
    the setting that set the frontend's reserved ALLOWED_IP is gone, and a cdk.json that still
    has it is told where the addresses go.

    Spryker's "Configure access to applications in maintenance mode"
    (https://docs.spryker.com/docs/ca/dev/manage-maintenance-mode/configure-access-to-applications-in-maintenance-mode.html):
    "To allow access from particular IP addresses, define them in the needed deploy file."
    """
    context = environments()
    context[ENV]["maintenanceAllowedIps"] = ["203.0.113.7"]
    assert problems(context) == [
        f"{AT}.maintenanceAllowedIps: no longer a setting: the maintenance pipelines change "
        "SPRYKER_MAINTENANCE_MODE_ENABLED only, never ALLOWED_IP (SCCOS's reserved address of "
        "the AWS gateway); allowed: remove it, and list the addresses that pass during "
        "maintenance in the deploy file's docker.maintenance.whitelist.ips (built into the "
        "frontend image)",
    ]


def test_two_applications_in_one_service_need_their_own_containers() -> None:
    """Spryker's `storeapp` service runs several applications
    (https://docs.spryker.com/docs/ca/dev/deploy-in-a-staging-environment.html): two entries
    may name one ECS service, but never the same container of it."""
    context = environments()
    services = context[ENV]["services"]
    services["yves_eu"] = {"name": "spryker-demo-staging-storeapp", "container": "yves"}
    services["glue_eu"] = {"name": "spryker-demo-staging-storeapp", "container": "glue"}
    [staging] = read_settings(copy.deepcopy(context))
    assert staging.services["glue_eu"].name == "spryker-demo-staging-storeapp"
    services["glue_eu"]["container"] = "yves"
    assert problems(context) == [
        f'{AT}.services.glue_eu.container: is "yves", the container of {AT}.services.yves_eu '
        "in the same ECS service spryker-demo-staging-storeapp: one deployment would give it "
        "two images; allowed: each application's own container",
    ]
