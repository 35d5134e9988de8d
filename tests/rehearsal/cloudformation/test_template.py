"""The rehearsal's view of a real cloud assembly: the example synthesized by `cdk synth`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sccos_pipeline.rehearsal.cloudformation.template import StackTemplate, load_stack
from sccos_pipeline.rehearsal.errors import RehearsalError
from tests.conftest import CDK, ROOT, offline_env

STACK = "sccos-spryker-demo-staging"

ARTIFACTS_BUCKET = "sccos-spryker-demo-stagin-environmentartifacts01d4-cm6t5ysdst2d"
ACTION_ROLE = "EnvironmentActionRole0000B947"


@pytest.fixture(scope="module")
def cdk_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled example, synthesized once by the CDK CLI the way `make synth` does."""
    out = tmp_path_factory.mktemp("cdk.out")
    env = offline_env(PYTHONPATH=str(ROOT))
    app = f"{sys.executable} app.py"  # this checkout's code, in the Python running the tests
    command = [str(CDK), "synth", "--no-notices", "--quiet", "-o", str(out), "--app", app]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def stack(cdk_out: Path) -> StackTemplate:
    return load_stack(cdk_out, STACK)


def test_loads_the_stack_with_its_environment(stack: StackTemplate) -> None:
    assert (stack.name, stack.account, stack.region, stack.partition) == (
        "sccos-spryker-demo-staging",
        "123456789012",
        "eu-central-1",
        "aws",
    )
    assert len(stack.resources("AWS::CodeBuild::Project")) == 13


def test_hook_image_resolves_to_the_ecr_uri(stack: StackTemplate) -> None:
    [install] = [
        lid
        for lid, project in stack.resources("AWS::CodeBuild::Project").items()
        if project["Properties"]["Name"] == "Run_install_for_spryker-demo-staging"
    ]
    environment = stack.property_value(install, "Environment")
    assert environment["Image"] == (
        "123456789012.dkr.ecr.eu-central-1.amazonaws.com/spryker-demo-staging-boffice_eu:sccos-desired"
    )


def test_names_arns_and_ids_are_concrete_and_fixed(stack: StackTemplate) -> None:
    assert stack.ref("EnvironmentArtifacts01D4D80D") == ARTIFACTS_BUCKET
    assert stack.get_att(ACTION_ROLE, "Arn") == (
        "arn:aws:iam::123456789012:role/sccos-spryker-demo-stagin-EnvironmentActionRole0000-G0Y6OM7NCC6H"
    )
    assert stack.get_att("EnvironmentKeyDEA985CB", "Arn") == (
        "arn:aws:kms:eu-central-1:123456789012:key/72380950-94ce-4f42-880e-f8eabba643ae"
    )
    assert stack.ref("EnvironmentApprovalTopic10818207") == (
        "arn:aws:sns:eu-central-1:123456789012:sccos-spryker-demo-staging-EnvironmentApprovalTopic10818207-1RLAYBJAMVPN"
    )
    assert stack.get_att("EnvironmentHooksInstallLogsBA2380E1", "Arn") == (
        "arn:aws:logs:eu-central-1:123456789012:log-group:/sccos/spryker-demo-staging/Run_install_for_spryker-demo-staging:*"
    )
    assert stack.get_att("EnvironmentHooksInstall4C94CAF7", "Arn") == (
        "arn:aws:codebuild:eu-central-1:123456789012:project/Run_install_for_spryker-demo-staging"
    )
    assert stack.get_att("EnvironmentRepositorybofficeeuEDE1ECEF", "Arn") == (
        "arn:aws:ecr:eu-central-1:123456789012:repository/spryker-demo-staging-boffice_eu"
    )
    assert (
        stack.get_att("EnvironmentHookSecurityGroupAE6403A1", "GroupId") == "sg-abcf0001dacf58938"
    )
    assert stack.ref("EnvironmentKeyAlias48F9BFD4") == "alias/sccos/spryker-demo-staging"
    assert stack.ref("EnvironmentParameterDesiredVersion75AFD13A") == (
        "/spryker-demo-staging/desired_version"
    )
    assert (
        stack.ref("EnvironmentNormalPipelineB783E792")
        == "NORMAL_Deploy_Spryker_spryker-demo-staging"
    )
    assert stack.get_att("EnvironmentArtifacts01D4D80D", "RegionalDomainName") == (
        f"{ARTIFACTS_BUCKET}.s3.eu-central-1.amazonaws.com"
    )


def test_a_new_load_gives_the_same_names(cdk_out: Path, stack: StackTemplate) -> None:
    again = load_stack(cdk_out, STACK)
    resolved = again.resolve(again.template)
    assert resolved == stack.resolve(stack.template)


def test_nothing_unresolved_remains_in_the_whole_template(stack: StackTemplate) -> None:
    text = json.dumps(stack.resolve(stack.template))
    assert '"Ref"' not in text
    assert "Fn::" not in text


def test_action_role_may_update_services(stack: StackTemplate) -> None:
    actions: set[str] = set()
    for document in stack.role_policies(ACTION_ROLE):
        for statement in document["Statement"]:
            if statement["Effect"] == "Allow":
                action = statement["Action"]
                actions |= {action} if isinstance(action, str) else set(action)
    assert "ecs:UpdateService" in actions
    assert stack.trust_policy(ACTION_ROLE)["Statement"][0]["Principal"] == {
        "AWS": [
            "arn:aws:iam::123456789012:role/sccos-spryker-demo-stagin-EnvironmentBuildPipelineR-Q3FAPP37GC8B",
            "arn:aws:iam::123456789012:role/sccos-spryker-demo-stagin-EnvironmentDestructivePip-DIEFT6OU2HLT",
            "arn:aws:iam::123456789012:role/sccos-spryker-demo-stagin-EnvironmentEcsUpdaterPipe-MXEG9EIM9P3L",
            "arn:aws:iam::123456789012:role/sccos-spryker-demo-stagin-EnvironmentMaintenanceDis-FI0RDC9CTBVX",
            "arn:aws:iam::123456789012:role/sccos-spryker-demo-stagin-EnvironmentMaintenanceEna-E19RAADBYVBC",
            "arn:aws:iam::123456789012:role/sccos-spryker-demo-stagin-EnvironmentNormalPipeline-0QG76C0FV8DN",
            "arn:aws:iam::123456789012:role/sccos-spryker-demo-stagin-EnvironmentRolloutSchedul-6BHYZJCQUF82",
        ]
    }


def test_project_roles_map_back_to_their_roles(stack: StackTemplate) -> None:
    for project in stack.resources("AWS::CodeBuild::Project"):
        arn = stack.property_value(project, "ServiceRole")
        assert arn.startswith("arn:aws:iam::123456789012:role/sccos-spryker-demo-stagin-")
        role = stack.role_by_arn(arn)
        assert role is not None
        assert stack.get_att(role, "Arn") == arn
    assert stack.role_by_arn("arn:aws:iam::123456789012:role/elsewhere") is None


def test_hook_role_gets_its_vpc_policy_too(stack: StackTemplate) -> None:
    documents = stack.role_policies("EnvironmentHooksInstallRoleA72D7EA2")
    actions = json.dumps(documents)
    assert "ec2:CreateNetworkInterface" in actions
    assert len(documents) == 2


def test_resource_policies_resolve(stack: StackTemplate) -> None:
    expected = {
        "Statement": [
            {
                "Action": "s3:*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Resource": [
                    f"arn:aws:s3:::{ARTIFACTS_BUCKET}",
                    f"arn:aws:s3:::{ARTIFACTS_BUCKET}/*",
                ],
            }
        ],
        "Version": "2012-10-17",
    }
    assert stack.resource_policy(f"arn:aws:s3:::{ARTIFACTS_BUCKET}") == expected
    assert stack.resource_policy(f"arn:aws:s3:::{ARTIFACTS_BUCKET}/pipeline/source.zip") == expected
    key = stack.resource_policy(stack.get_att("EnvironmentKeyDEA985CB", "Arn"))
    assert key is not None
    assert key["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    topic = stack.resource_policy(stack.ref("EnvironmentApprovalTopic10818207"))
    assert topic is not None
    assert topic["Statement"][0]["Sid"] == "AllowPublishThroughSSLOnly"
    boffice = stack.get_att("EnvironmentRepositorybofficeeuEDE1ECEF", "Arn")
    assert stack.resource_policy(boffice) is None
    assert stack.resource_policy("arn:aws:s3:::someone-elses-bucket") is None


def test_stack_is_found_by_artifact_id_stack_name_or_display_name(
    cdk_out: Path, tmp_path: Path
) -> None:
    out = _copy(cdk_out, tmp_path / "out")
    manifest: dict[str, Any] = json.loads((out / "manifest.json").read_text())
    manifest["artifacts"][STACK]["properties"]["stackName"] = "renamed"
    manifest["artifacts"][STACK]["displayName"] = "Stage/Renamed"
    (out / "manifest.json").write_text(json.dumps(manifest))
    for wanted in [STACK, "renamed", "Stage/Renamed"]:
        assert load_stack(out, wanted).name == "renamed"


def test_unknown_stack_lists_the_stacks(cdk_out: Path) -> None:
    with pytest.raises(
        RehearsalError, match=r"no stack 'nope'.*it has: sccos-spryker-demo-staging"
    ):
        load_stack(cdk_out, "nope")


def test_missing_folder_says_synth(tmp_path: Path) -> None:
    with pytest.raises(RehearsalError, match=r"does not exist: run `make synth`"):
        load_stack(tmp_path / "cdk.out", STACK)


def test_folder_without_manifest_is_not_a_cloud_assembly(tmp_path: Path) -> None:
    with pytest.raises(RehearsalError, match=r"not a cloud assembly.*run `make synth` / cdk synth"):
        load_stack(tmp_path, STACK)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(RehearsalError, match="not a cloud assembly"):
        load_stack(tmp_path, STACK)


def _copy(cdk_out: Path, target: Path) -> Path:
    shutil.copytree(cdk_out, target)
    return target


def test_bad_template_json_says_synth(cdk_out: Path, tmp_path: Path) -> None:
    out = _copy(cdk_out, tmp_path / "out")
    (out / f"{STACK}.template.json").write_text('{"Resources": ')
    with pytest.raises(RehearsalError, match=r"cannot read the template.*run `make synth`"):
        load_stack(out, STACK)
    (out / f"{STACK}.template.json").unlink()
    with pytest.raises(RehearsalError, match="cannot read the template"):
        load_stack(out, STACK)


def test_environment_agnostic_stack_is_refused(cdk_out: Path, tmp_path: Path) -> None:
    out = _copy(cdk_out, tmp_path / "out")
    manifest: dict[str, Any] = json.loads((out / "manifest.json").read_text())
    manifest["artifacts"][STACK]["environment"] = "aws://unknown-account/unknown-region"
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(RehearsalError, match=r"environment-agnostic.*set both for it in cdk.json"):
        load_stack(out, STACK)


def test_a_role_s_trust_policy_decides_who_may_assume_it(stack: StackTemplate) -> None:
    """The action role's trust is its resource policy: its pipelines' roles may assume it,
    a build role may not, even when its own policies would allow sts:AssumeRole."""
    from sccos_pipeline.rehearsal.aws.iam import Authorizer, IamRequest

    action_role = stack.get_att(ACTION_ROLE, "Arn")
    assert stack.resource_policy(action_role) == stack.trust_policy(ACTION_ROLE)
    anything = [
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
        }
    ]
    callers = {
        "EnvironmentNormalPipelineRoleDC5A1F6D": "Allowed",
        "EnvironmentSupportBuildRole36F85E2F": "ImplicitlyDenied",
    }
    with Authorizer() as authorizer:
        for caller, expected in callers.items():
            decision = authorizer.authorize(
                IamRequest(
                    principal=stack.get_att(caller, "Arn"),
                    action="sts:AssumeRole",
                    resource=action_role,
                    identity_policies=anything,
                    resource_policy=stack.resource_policy(action_role),
                )
            )
            assert decision.result == expected, caller
