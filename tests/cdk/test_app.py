"""The app of cdk.json as users deploy it: cdk-nag, cfn-lint, snapshots, settings, `cdk synth`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Validations
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Match, Template
from cdk_nag import AwsSolutionsChecks
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from sccos_pipeline.app.main import build_app
from sccos_pipeline.app.settings import CONTEXT_KEY
from tests.cdk.support import PASS_ROLE_ONLY_TO_ECS_TASKS, app_context, pipeline, resources
from tests.conftest import CDK, ROOT, offline_env

# Whole-app synth, cdk-nag, cfn-lint and `cdk synth` run for minutes on a busy CI machine,
# past the suite's default timeout.
pytestmark = pytest.mark.timeout(600)

STACK = "sccos-spryker-demo-staging"
# cfn-lint warnings we keep, and why.
ACCEPTED_WARNINGS = {
    # aws-cdk-lib's Pipeline adds DependsOn on its role next to the GetAtt of the role's ARN.
    "W3005",
}


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example app with cdk-nag AwsSolutions as a validation plugin, synthesized once."""
    out = tmp_path_factory.mktemp("cdk.out")
    app = App(context=app_context(), outdir=str(out))
    build_app(app)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()  # raises ValidationFailed on any unacknowledged cdk-nag finding
    return out


@pytest.fixture(scope="module")
def template(assembly: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((assembly / f"{STACK}.template.json").read_text())
    return data


def test_cdk_nag_reports_nothing_unacknowledged(assembly: Path) -> None:
    report = json.loads((assembly / "validation-report.json").read_text())
    assert report["pluginReports"] == []
    manifest = json.loads((assembly / "manifest.json").read_text())
    assert "aws:cdk:error" not in json.dumps(manifest["artifacts"][STACK].get("metadata", {}))


@pytest.mark.parametrize(
    ("actions", "findings"),
    [
        (["s3:*"], ["AwsSolutions-IAM5[Action::s3:*]", "AwsSolutions-IAM5[Resource::*]"]),
        # Added after construction, these share finding ids with reviewed statements.
        (["secretsmanager:GetSecretValue"], ["AwsSolutions-IAM5[Resource::*]"]),
        (
            ["s3:GetObject*"],
            ["AwsSolutions-IAM5[Action::s3:GetObject*]", "AwsSolutions-IAM5[Resource::*]"],
        ),
    ],
)
def test_cdk_nag_catches_an_unreviewed_wildcard(
    tmp_path: Path, actions: list[str], findings: list[str]
) -> None:
    app = App(context=app_context(), outdir=str(tmp_path))
    [stack] = build_app(app)
    stack.spryker.action_role.add_to_principal_policy(
        iam.PolicyStatement(actions=actions, resources=["*"])
    )
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    found = {
        v["ruleName"]: [r["constructPath"] for r in v["violatingConstructs"]]
        for p in report["pluginReports"]
        for v in p["violations"]
    }
    policy = f"{STACK}/Environment/ActionRole/DefaultPolicy/Resource"
    assert found == {f: [policy] for f in findings}  # and nothing else


def test_cfn_lint_has_no_errors(assembly: Path) -> None:
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    done = subprocess.run(
        [str(cfn_lint), "--format", "json", str(assembly / f"{STACK}.template.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    matches = json.loads(done.stdout or "[]")
    kept = {m["Rule"]["Id"] for m in matches}
    assert kept <= ACCEPTED_WARNINGS, [(m["Rule"]["Id"], m["Message"]) for m in matches]


def _without_metadata(template: dict[str, Any]) -> dict[str, Any]:
    resources_ = {
        k: v for k, v in template["Resources"].items() if v["Type"] != "AWS::CDK::Metadata"
    }
    return {**template, "Resources": resources_}


@pytest.mark.parametrize("kind", ["normal", "destructive"])
def test_pipeline_snapshot(
    template: dict[str, Any], snapshot: SnapshotAssertion, kind: str
) -> None:
    snap = snapshot.with_defaults(extension_class=JSONSnapshotExtension)
    name = {"normal": "NORMAL_Deploy_Spryker", "destructive": "DESTRUCTIVE_Deploy_Spryker"}[kind]
    assert pipeline(template, f"{name}_spryker-demo-staging") == snap


def test_template_snapshot(template: dict[str, Any], snapshot: SnapshotAssertion) -> None:
    assert _without_metadata(template) == snapshot.with_defaults(
        extension_class=JSONSnapshotExtension
    )


ACCOUNT = "123456789012"
REGION = "eu-central-1"


def _recommended_feature_flags() -> dict[str, Any]:
    """The flags `cdk init` writes for the installed aws-cdk-lib (its jsii tarball has them)."""
    import tarfile

    import aws_cdk

    [tarball] = (Path(aws_cdk.__file__).parent / "_jsii").glob("aws-cdk-lib@*.jsii.tgz")
    with tarfile.open(tarball) as archive:
        member = archive.extractfile("package/recommended-feature-flags.json")
        assert member is not None
        flags: dict[str, Any] = json.load(member)
    return flags


def test_cdk_json_sets_the_feature_flags_of_cdk_init() -> None:
    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    flags = {key: value for key, value in context.items() if key.startswith("@")}
    assert flags == _recommended_feature_flags()
    assert flags.items() <= app_context().items()  # the tests' apps have them too


# With the flags, ARNs are literals of the region's partition (@aws-cdk/core:enablePartitionLiterals)
# instead of joins with AWS::Partition. What each grants or denies must stay exactly as before.
def test_key_policy_with_partition_literals(template: dict[str, Any]) -> None:
    [key] = resources(template, "AWS::KMS::Key").values()
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    assert [s for s in statements if s["Action"] == "kms:*"] == [
        {
            "Action": "kms:*",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Resource": "*",
        }
    ]
    [logs] = [
        s for s in statements if s["Principal"] == {"Service": f"logs.{REGION}.amazonaws.com"}
    ]
    groups = [
        g["Properties"]["LogGroupName"] for g in resources(template, "AWS::Logs::LogGroup").values()
    ]
    assert len(groups) == 13  # one per CodeBuild project
    assert logs["Condition"] == {
        "ArnEquals": {
            "kms:EncryptionContext:aws:logs:arn": [
                f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}" for group in groups
            ]
        }
    }


def test_action_role_denies_with_partition_literals(template: dict[str, Any]) -> None:
    [policy] = [
        p["Properties"]["PolicyDocument"]
        for name, p in resources(template, "AWS::IAM::Policy").items()
        if name.startswith("EnvironmentActionRoleDefaultPolicy")
    ]
    denies = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
    services = ["boffice", "backgw", "yves", "glue", "frontend", "jenkins"]
    assert denies == [
        {
            "Action": ["ecs:DescribeServices", "ecs:UpdateService"],
            "Effect": "Deny",
            "NotResource": [
                f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/spryker-demo-staging/spryker-demo-staging-{s}"
                for s in services
            ],
        },
        PASS_ROLE_ONLY_TO_ECS_TASKS,
        {
            "Action": "iam:PassRole",
            "Effect": "Deny",
            "NotResource": f"arn:aws:iam::{ACCOUNT}:role/spryker-demo-staging-*",
        },
        {
            "Action": ["ecs:RegisterTaskDefinition", "ecs:TagResource"],
            "Effect": "Deny",
            "NotResource": [
                f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/spryker-demo-staging-{s}:*"
                for s in services
            ],
        },
    ]


def test_hook_secrets_with_partition_literals(template: dict[str, Any]) -> None:
    parameter = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/spryker-demo-staging/database/password"
    granted = [
        [s for s in p["Properties"]["PolicyDocument"]["Statement"] if "ssm:" in str(s["Action"])]
        for name, p in resources(template, "AWS::IAM::Policy").items()
        if name.startswith("EnvironmentHooks")
    ]
    granted = [statements for statements in granted if statements]
    expected = [{"Action": "ssm:GetParameters", "Effect": "Allow", "Resource": parameter}]
    assert granted == [expected] * 3  # pre-deploy, install, post-deploy


def test_partition_literals_follow_the_region(tmp_path: Path) -> None:
    context = app_context()
    settings = json.dumps(context[CONTEXT_KEY]["spryker-demo-staging"])
    settings = settings.replace(REGION, "cn-north-1").replace("arn:aws:", "arn:aws-cn:")
    context[CONTEXT_KEY]["spryker-demo-staging"] = json.loads(settings)
    [stack] = build_app(App(context=context, outdir=str(tmp_path)))
    template = Template.from_stack(stack).to_json()
    [key] = resources(template, "AWS::KMS::Key").values()
    text = json.dumps(key["Properties"]["KeyPolicy"])
    assert f"arn:aws-cn:iam::{ACCOUNT}:root" in text
    assert f"arn:aws-cn:logs:cn-north-1:{ACCOUNT}:log-group:/sccos/" in text
    assert "arn:aws:" not in json.dumps(template)


def test_template_fits_cloudformation(template: dict[str, Any]) -> None:
    assert len(template["Resources"]) < 500 * 0.6
    assert len(json.dumps(template)) < 1_000_000 * 0.6
    for policy in resources(template, "AWS::IAM::Policy").values():
        assert (
            len(json.dumps(policy["Properties"]["PolicyDocument"], separators=(",", ":"))) < 10_240
        )


def test_app_with_bad_settings_exits_1_without_traceback() -> None:
    context = {**app_context(), CONTEXT_KEY: {"x": {"account": "1"}}}
    done = subprocess.run(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env={**os.environ, "CDK_CONTEXT_JSON": json.dumps(context), "CDK_OUTDIR": "/nonexistent"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"{CONTEXT_KEY}.x.region: missing" in done.stderr


@pytest.mark.skipif(not CDK.exists(), reason="run `make setup` first")
def test_cdk_cli_synthesizes_offline(tmp_path: Path) -> None:
    env = offline_env(PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    done = subprocess.run(
        [
            str(CDK),
            "synth",
            "--no-notices",
            "--quiet",
            "-o",
            str(tmp_path),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # Neither jsii's end-of-life banner (Node.js is the pinned LTS) nor unconfigured flags.
    output = done.stdout + done.stderr
    assert "end-of-life" not in output
    assert "not configured" not in output
    template = json.loads((tmp_path / f"{STACK}.template.json").read_text())
    names = {
        p["Properties"]["Name"] for p in resources(template, "AWS::CodePipeline::Pipeline").values()
    }
    assert names == {
        "NORMAL_Deploy_Spryker_spryker-demo-staging",
        "DESTRUCTIVE_Deploy_Spryker_spryker-demo-staging",
        "Build_Spryker_spryker-demo-staging",
        "Maintenance_Enable_spryker-demo-staging",
        "Maintenance_Disable_spryker-demo-staging",
        "Rollout_Scheduler_spryker-demo-staging",
        "ECS-updater-spryker-demo-staging",
    }
    assert shutil.which("node")


def test_compute_types_of_cdk_json_reach_the_hook_projects(tmp_path: Path) -> None:
    from sccos_pipeline.app.schema import schema
    from sccos_pipeline.app.stack import COMPUTE_TYPES

    assert list(COMPUTE_TYPES) == schema()["$defs"]["hook"]["properties"]["computeType"]["enum"]
    context = app_context()
    context[CONTEXT_KEY]["spryker-demo-staging"]["hooks"] = {
        "install": {"computeType": "2XLARGE", "timeoutMinutes": 60},
        "post-deploy": {"computeType": "SMALL"},
    }
    [stack] = build_app(App(context=context, outdir=str(tmp_path)))
    template = Template.from_stack(stack).to_json()
    sizes = {
        p["Properties"]["Name"]: (
            p["Properties"]["Environment"]["ComputeType"],
            p["Properties"]["TimeoutInMinutes"],
        )
        for p in resources(template, "AWS::CodeBuild::Project").values()
        if p["Properties"]["Name"].startswith("Run_")
    }
    assert sizes == {
        "Run_pre-deploy_for_spryker-demo-staging": ("BUILD_GENERAL1_MEDIUM", 20),
        "Run_install_for_spryker-demo-staging": ("BUILD_GENERAL1_2XLARGE", 60),
        "Run_post-deploy_for_spryker-demo-staging": ("BUILD_GENERAL1_SMALL", 20),
    }


def test_the_maintenance_project_sets_the_mode_and_nothing_else(template: dict[str, Any]) -> None:
    """The maintenance pipelines change SPRYKER_MAINTENANCE_MODE_ENABLED of the frontend and
    never SCCOS's reserved ALLOWED_IP: who passes during maintenance is the deploy file's
    `docker.maintenance.whitelist.ips` (Spryker's "Configure access to applications in
    maintenance mode": "To allow access from particular IP addresses, define them in the
    needed deploy file.")."""
    Template.from_json(template).has_resource_properties(
        "AWS::CodeBuild::Project",
        {
            "Name": "Switch_maintenance_mode_for_spryker-demo-staging",
            "Environment": Match.object_like(
                {
                    "EnvironmentVariables": [
                        {
                            "Name": "SCCOS_CLUSTER",
                            "Type": "PLAINTEXT",
                            "Value": "spryker-demo-staging",
                        },
                        {
                            "Name": "SCCOS_SERVICE",
                            "Type": "PLAINTEXT",
                            "Value": "spryker-demo-staging-frontend",
                        },
                        {"Name": "SCCOS_CONTAINER", "Type": "PLAINTEXT", "Value": "frontend"},
                    ]
                }
            ),
        },
    )
    [buildspec] = [
        p["Properties"]["Source"]["BuildSpec"]
        for p in resources(template, "AWS::CodeBuild::Project").values()
        if p["Properties"]["Name"] == "Switch_maintenance_mode_for_spryker-demo-staging"
    ]
    assert [line.strip() for line in buildspec.splitlines() if '--set "' in line] == [
        '--set "SPRYKER_MAINTENANCE_MODE_ENABLED=$enabled"'
    ]


def _glob(pattern: str) -> re.Pattern[str]:
    """A CodePipeline push filter's file path glob: `**` any directories, `*` and `?` within
    one (https://docs.aws.amazon.com/codepipeline/latest/userguide/syntax-glob.html)."""
    parts = re.split(r"(\*\*/?|\*|\?)", pattern)
    wildcards = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
    return re.compile("".join(wildcards.get(p, re.escape(p)) for p in parts))


def push_starts(pipe: dict[str, Any], path: str) -> bool:
    """Whether a push to the source's branch that touches only `path` starts the pipeline."""
    [source] = [a for s in pipe["Stages"] for a in s["Actions"] if s["Name"] == "Source"]
    if source["Configuration"].get("DetectChanges") is False:
        return False
    filters = [
        push
        for trigger in pipe.get("Triggers") or []
        for push in trigger["GitConfiguration"].get("Push") or []
    ]
    if not filters:
        return True  # no push filter: every push to the branch
    return any(
        any(_glob(g).fullmatch(path) for g in push.get("FilePaths", {}).get("Includes", ["**"]))
        for push in filters
    )


# A Spryker shop's files that reach its images: the Docker SDK copies the repository into them.
FILES_IN_IMAGES = [
    "public/Yves/maintenance/index.html",
    "public/Zed/maintenance/index.html",
    "frontend/settings.js",
    "data/import/common/common/glossary.csv",
    "package.json",
    "package-lock.json",
    "composer.json",
    "composer.lock",
    "src/Pyz/Zed/Product/ProductConfig.php",
    "config/Shared/config_default.php",
    "deploy.spryker-demo-staging.yml",
    "tsconfig.json",
    ".dockerignore",
]


@pytest.mark.parametrize("path", FILES_IN_IMAGES)
def test_a_push_of_any_file_that_reaches_the_images_starts_the_build(
    template: dict[str, Any], path: str
) -> None:
    """Spryker's "Getting started with cloud administration": Build "Compiles images and pushes
    them into the Amazon Elastic Container Registry. Starts automatically when a new commit's
    detected." A changed maintenance page, frontend build or lock file is a new image."""
    build = pipeline(template, "Build_Spryker_spryker-demo-staging")
    assert push_starts(build, path)


def test_push_starts_reads_the_push_filter_as_codepipeline_does() -> None:
    """The check above, on the filter the example had: it missed public/ and package.json."""
    filtered = {
        "Stages": [{"Name": "Source", "Actions": [{"Configuration": {}}]}],
        "Triggers": [
            {
                "GitConfiguration": {
                    "Push": [
                        {
                            "Branches": {"Includes": ["staging"]},
                            "FilePaths": {"Includes": ["src/**", "composer.lock"]},
                        }
                    ]
                }
            }
        ],
    }
    assert push_starts(filtered, "src/Pyz/Zed/Product/ProductConfig.php")
    assert push_starts(filtered, "composer.lock")
    assert not push_starts(filtered, "public/Yves/maintenance/index.html")
    assert not push_starts(filtered, "package.json")
    assert not push_starts(filtered, "srcx/file.php")
    unfiltered = {"Stages": filtered["Stages"]}
    assert push_starts(unfiltered, "package.json")
    never = {
        "Stages": [{"Name": "Source", "Actions": [{"Configuration": {"DetectChanges": False}}]}]
    }
    assert not push_starts(never, "src/a.php")
