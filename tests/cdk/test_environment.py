"""The example environment, synthesized once: steps, names, images, variables, security."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from aws_cdk import assertions

from sccos_pipeline.core import naming
from sccos_pipeline.core.deployfile.loader import load_deploy_file
from sccos_pipeline.core.plan.hook_buildspec import render_buildspec
from sccos_pipeline.core.stages import Stage
from tests.cdk.support import (
    DEPLOY_FILE,
    SERVICE_KEYS,
    environment,
    new_stack,
    pipeline,
    project,
    resources,
)

PROJECT = "spryker-demo-staging"
VERSIONS_PROJECT = "EnvironmentSupportVersions7D3A6F2A"
NORMAL = f"NORMAL_Deploy_Spryker_{PROJECT}"
DESTRUCTIVE = f"DESTRUCTIVE_Deploy_Spryker_{PROJECT}"
STEPS_WITHOUT_CONFIGURATION = [
    s for s in naming.STEPS if s not in (naming.STEP_PRE_CONFIG, naming.STEP_POST_CONFIG)
]


@pytest.fixture(scope="module")
def built() -> tuple[Any, dict[str, Any]]:
    stack = new_stack()
    env = environment(stack)
    template = assertions.Template.from_stack(stack)
    return env, dict(template.to_json())


@pytest.fixture(scope="module")
def template(built: tuple[Any, dict[str, Any]]) -> dict[str, Any]:
    return built[1]


def actions(pipe: dict[str, Any], stage: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]]
    [found] = [s["Actions"] for s in pipe["Stages"] if s["Name"] == stage]
    return found


def env_vars(action: dict[str, Any]) -> dict[str, str]:
    raw = action["Configuration"]["EnvironmentVariables"]
    text = json.dumps(raw) if not isinstance(raw, str) else raw
    return {
        v["name"]: v["value"]
        for v in json.loads(json.loads(text) if text.startswith('"') else text)
    }


@pytest.mark.parametrize("name", [NORMAL, DESTRUCTIVE])
def test_pipelines_have_the_steps_in_order(template: dict[str, Any], name: str) -> None:
    pipe = pipeline(template, name)
    assert [s["Name"] for s in pipe["Stages"]] == STEPS_WITHOUT_CONFIGURATION
    assert pipe["PipelineType"] == "V2"
    assert pipe["ExecutionMode"] == "QUEUED"
    [versions] = actions(pipe, "Prepare_versions_information_for_Approval_stage")
    assert versions["Namespace"] == "Versions"
    assert versions["Configuration"]["ProjectName"] == {"Ref": VERSIONS_PROJECT}
    [approve] = actions(pipe, naming.STEP_APPROVE)
    assert approve["Name"] == "Approve"
    assert approve["ActionTypeId"]["Provider"] == "Manual"
    assert "NotificationArn" in approve["Configuration"]
    info = approve["Configuration"]["CustomData"]
    assert info.startswith(f"{name}: deploy #{{Versions.DEPLOYMENT_VERSION}} over the last ")
    assert info.endswith("deployed version #{Versions.LAST_DEPLOYED_VERSION}") or info.endswith(
        "#{Versions.LAST_DEPLOYED_VERSION} - this RESETS ALL DATA"
    )
    assert pipe["Variables"] == [
        {
            "Name": "DESIRED_VERSION",
            "DefaultValue": "from-parameter-store",
            "Description": "A version (commit) to deploy instead of "
            "/spryker-demo-staging/desired_version; `latest` deploys the last built version",
        }
    ]


def test_hook_actions_set_the_pipeline_type(template: dict[str, Any]) -> None:
    for name, kind in ((NORMAL, "normal"), (DESTRUCTIVE, "destructive")):
        pipe = pipeline(template, name)
        for step in (
            naming.STEP_PRE_DEPLOY,
            naming.STEP_INSTALL,
            naming.STEP_POST_DEPLOY,
            naming.STEP_BROKER,
        ):
            [action] = actions(pipe, step)
            variables = env_vars(action)
            assert variables["SPRYKER_PIPELINE_TYPE"] == kind
            assert variables["SCCOS_COMMIT"] == "#{Versions.DEPLOYMENT_VERSION}"


def test_one_install_project_serves_both_pipelines(template: dict[str, Any]) -> None:
    install = [
        actions(pipeline(template, n), naming.STEP_INSTALL)[0]["Configuration"]["ProjectName"]
        for n in (NORMAL, DESTRUCTIVE)
    ]
    assert install[0] == install[1]


def test_services_deploy_in_parallel_scheduler_first(template: dict[str, Any]) -> None:
    pipe = pipeline(template, NORMAL)
    services = actions(pipe, naming.STEP_SERVICES)
    assert sorted(a["Name"] for a in services) == sorted(k for k in SERVICE_KEYS if k != "jenkins")
    assert {a["RunOrder"] for a in services} == {1}
    assert all(a["ActionTypeId"]["Provider"] == "ECS" for a in services)
    [scheduler] = actions(pipe, naming.STEP_SCHEDULER)
    assert scheduler["Configuration"]["ServiceName"] == "demo-jenkins"
    assert scheduler["Configuration"]["FileName"] == "imagedefinitions-jenkins.json"


@pytest.mark.parametrize(
    ("stage", "compute", "tag"),
    [
        (Stage.PRE_DEPLOY, "BUILD_GENERAL1_MEDIUM", naming.IMAGE_TAG_DEPLOYED),
        (Stage.INSTALL, "BUILD_GENERAL1_LARGE", naming.IMAGE_TAG_DESIRED),
        (Stage.POST_DEPLOY, "BUILD_GENERAL1_MEDIUM", naming.IMAGE_TAG_DEPLOYED),
    ],
)
def test_hook_projects(template: dict[str, Any], stage: Stage, compute: str, tag: str) -> None:
    props = project(template, f"Run_{stage.value}_for_{PROJECT}")
    assert props["TimeoutInMinutes"] == 20
    assert props["Environment"]["ComputeType"] == compute
    assert props["Environment"]["PrivilegedMode"] is False
    image = json.dumps(props["Environment"]["Image"])
    assert "EnvironmentRepositorybofficeeu" in image and f":{tag}" in image
    assert props["Environment"]["ImagePullCredentialsType"] == "SERVICE_ROLE"
    assert props["VpcConfig"]["Subnets"] == ["subnet-1"]
    variables = {
        v["Name"]: (v.get("Type"), v["Value"]) for v in props["Environment"]["EnvironmentVariables"]
    }
    assert variables["SPRYKER_PROJECT_NAME"] == ("PLAINTEXT", PROJECT)
    assert variables["SPRYKER_DB_HOST"] == ("PLAINTEXT", "db.internal")
    assert variables["SPRYKER_DB_PASSWORD"] == ("PARAMETER_STORE", "/demo/db/password")
    assert variables["SPRYKER_BROKER_API_PASSWORD"][0] == "SECRETS_MANAGER"
    model = load_deploy_file(DEPLOY_FILE)
    spec = yaml.safe_load(props["Source"]["BuildSpec"])
    assert spec["env"] == render_buildspec(model, stage)["env"]
    [script] = spec["phases"]["build"]["commands"]
    # The back office's variables are read before the hook; the settings' ones keep their values.
    assert 'SCCOS_VARIABLES_FILE="${CODEBUILD_SRC_DIR_Variables:-}/hook-variables.sh"' in script
    assert (
        "  for sccos_name in SPRYKER_PROJECT_NAME SCCOS_STAGE SCCOS_APP_DIR SPRYKER_PIPELINE_TYPE "
        "SCCOS_EXPECTED_VERSION SCCOS_COMMIT SPRYKER_DB_HOST SPRYKER_DB_PASSWORD "
        "SPRYKER_BROKER_API_PASSWORD; do"
    ) in script
    assert script.index('. "$SCCOS_VARIABLES_FILE"') < script.index('sh -c "$SCCOS_HOOK"')


def test_support_projects(template: dict[str, Any]) -> None:
    build = project(template, f"Build_spryker_app_for_{PROJECT}")
    assert build["Environment"]["PrivilegedMode"] is True
    assert build["TimeoutInMinutes"] == 60
    spec = yaml.safe_load(build["Source"]["BuildSpec"])
    assert (
        "docker/sdk boot deploy.spryker-demo-staging.yml" in spec["phases"]["build"]["commands"][2]
    )
    broker = project(template, f"Configure_RabbitMQ_for_{PROJECT}")
    assert "de_queue" in json.dumps(broker["Source"]) and "at_queue" in json.dumps(broker["Source"])
    types = {v["Name"]: v.get("Type") for v in broker["Environment"]["EnvironmentVariables"]}
    assert types["SCCOS_BROKER_ADMIN_PASSWORD"] == "SECRETS_MANAGER"
    for name in (
        f"Update_pipeline_approval_info_for_{PROJECT}",
        f"Update_latest_deployed_version_of_{PROJECT}",
    ):
        assert project(template, name)


def test_versions_live_in_ssm(template: dict[str, Any]) -> None:
    names = {v["Properties"]["Name"] for v in resources(template, "AWS::SSM::Parameter").values()}
    assert names == {
        f"/{PROJECT}/{n}" for n in ("lastbuildversion", "desired_version", "last_deployed_version")
    }


def test_one_repository_per_image(template: dict[str, Any]) -> None:
    names = {
        v["Properties"]["RepositoryName"]
        for v in resources(template, "AWS::ECR::Repository").values()
    }
    assert names == {
        f"{PROJECT}-{n}"
        for n in (
            "boffice_eu",
            "backgw_eu",
            "yves_eu",
            "glue_eu",
            "frontend",
            "jenkins",
            "pipeline",
        )
    }


def test_push_triggers_normal_only(template: dict[str, Any]) -> None:
    normal = pipeline(template, NORMAL)
    push = normal["Triggers"][0]["GitConfiguration"]["Push"][0]
    assert push == {"Branches": {"Includes": ["staging"]}, "FilePaths": {"Includes": ["src/**"]}}
    destructive = pipeline(template, DESTRUCTIVE)
    assert "Triggers" not in destructive
    [source] = actions(destructive, naming.STEP_SOURCE)
    assert source["Configuration"]["DetectChanges"] is False


def test_security_defaults(template: dict[str, Any]) -> None:
    [key] = resources(template, "AWS::KMS::Key").values()
    assert key["Properties"]["EnableKeyRotation"] is True
    buckets = resources(template, "AWS::S3::Bucket")
    artifacts = next(b for k, b in buckets.items() if "Artifacts" in k)["Properties"]
    assert (
        artifacts["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
            "ServerSideEncryptionByDefault"
        ]["SSEAlgorithm"]
        == "aws:kms"
    )
    assert artifacts["LoggingConfiguration"]["LogFilePrefix"] == "artifacts/"
    for bucket in buckets.values():
        assert all(bucket["Properties"]["PublicAccessBlockConfiguration"].values())
    policies = json.dumps(resources(template, "AWS::S3::BucketPolicy"))
    assert policies.count('"aws:SecureTransport": "false"') == 2
    for group in resources(template, "AWS::Logs::LogGroup").values():
        assert "KmsKeyId" in group["Properties"]
    for props in (v["Properties"] for v in resources(template, "AWS::CodeBuild::Project").values()):
        assert "EncryptionKey" in props
        assert all(
            v.get("Type") != "PLAINTEXT" or "PASSWORD" not in v["Name"]
            for v in props["Environment"].get("EnvironmentVariables", [])
        )
    topics = resources(template, "AWS::SNS::Topic").values()
    assert len(topics) == 2  # approvals, notifications
    assert all("KmsMasterKeyId" in topic["Properties"] for topic in topics)


def test_shared_action_role_and_scoped_service_updates(built: tuple[Any, dict[str, Any]]) -> None:
    _, template = built
    role_arns = {
        json.dumps(a.get("RoleArn"))
        for p in resources(template, "AWS::CodePipeline::Pipeline").values()
        for s in p["Properties"]["Stages"]
        for a in s["Actions"]
    }
    assert len(role_arns) == 1  # every action of both pipelines uses the one action role
    statements = [
        s
        for p in resources(template, "AWS::IAM::Policy").values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if s["Effect"] == "Deny"
    ]
    assert statements[0]["Action"] == ["ecs:DescribeServices", "ecs:UpdateService"] and len(
        statements[0]["NotResource"]
    ) == len(SERVICE_KEYS)


def test_exposes_what_it_creates(built: tuple[Any, dict[str, Any]]) -> None:
    env, _ = built
    assert env.model.project == PROJECT
    assert set(env.hook_projects) == set(Stage)
    assert list(env.projects) == [
        "PreDeploy",
        "Install",
        "PostDeploy",
        "Build",
        "Broker",
        "Versions",
        "RecordDeployed",
        "HookVariables",
        "BuildImages",
        "Maintenance",
        "SchedulerRollout",
        "SchedulerSetup",
        "UpdateServices",
    ]
    assert env.normal_pipeline is not None and env.destructive_pipeline is not None
    assert env.artifact_bucket is not None and env.access_logs_bucket is not None
    assert env.encryption_key is not None and env.action_role is not None
    assert set(env.parameters) == {
        "lastbuildversion",
        "desired_version",
        "last_deployed_version",
    }


# Construct ids are a public contract: a changed logical id replaces the resource in AWS.
PINNED_LOGICAL_IDS = {
    "EnvironmentKeyDEA985CB",
    "EnvironmentArtifacts01D4D80D",
    "EnvironmentAccessLogs5580CF7A",
    "EnvironmentActionRole0000B947",
    "EnvironmentApprovalTopic10818207",
    "EnvironmentHooksPreDeploy33CE12CD",
    "EnvironmentHooksInstall4C94CAF7",
    "EnvironmentHooksPostDeploy502DB076",
    "EnvironmentSupportBuildED354A8B",
    "EnvironmentSupportBroker0EE0B15E",
    "EnvironmentSupportVersions7D3A6F2A",
    "EnvironmentSupportRecordDeployed2FFF8AF5",
    "EnvironmentNormalPipelineB783E792",
    "EnvironmentDestructivePipeline77D10E71",
    "EnvironmentRepositorybofficeeuEDE1ECEF",
}


def test_construct_ids_are_pinned(template: dict[str, Any]) -> None:
    assert set(template["Resources"]) >= PINNED_LOGICAL_IDS, sorted(
        PINNED_LOGICAL_IDS - set(template["Resources"])
    )


# What the rehearsal found: each fix has its own assertion besides the snapshot.
def test_the_ecs_deny_lists_long_service_arns(template: dict[str, Any]) -> None:
    denies = [
        s
        for policy in resources(template, "AWS::IAM::Policy").values()
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if s["Effect"] == "Deny" and "ecs:UpdateService" in s["Action"]
    ]
    [deny] = denies
    arns = [json.dumps(a) for a in deny["NotResource"]]
    assert [a.rsplit(":service/", 1)[1].rstrip('"]}') for a in arns] == [
        f"demo/demo-{key}" for key in SERVICE_KEYS
    ]


def test_the_build_role_may_describe_every_image_repository(template: dict[str, Any]) -> None:
    build_role = project(template, f"Build_spryker_app_for_{PROJECT}")["ServiceRole"]
    [policy] = [
        p["Properties"]["PolicyDocument"]
        for p in resources(template, "AWS::IAM::Policy").values()
        if {"Ref": build_role["Fn::GetAtt"][0]} in p["Properties"]["Roles"]
    ]
    described = [
        s["Resource"]
        for s in policy["Statement"]
        if "ecr:DescribeImages" in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    ]
    assert len(json.dumps(described).split("Repository")) - 1 >= 7


def test_each_hook_action_says_which_version_its_image_must_be(template: dict[str, Any]) -> None:
    pipe = pipeline(template, NORMAL)
    expected = {
        "Run_pre-deploy_hook": "#{Versions.LAST_DEPLOYED_VERSION}",
        "Run_install": "#{Versions.DEPLOYMENT_VERSION}",
        "Run_post-deploy_hook": "#{Versions.DEPLOYMENT_VERSION}",
    }
    for stage, version in expected.items():
        [action] = actions(pipe, stage)
        assert env_vars(action)["SCCOS_EXPECTED_VERSION"] == version


def test_the_build_action_names_its_pipeline_and_execution(template: dict[str, Any]) -> None:
    build, read_variables = actions(pipeline(template, NORMAL), "Build_and_Prepare")
    assert (read_variables["Name"], read_variables["RunOrder"]) == ("Read_hook_variables", 2)
    variables = env_vars(build)
    assert variables["SCCOS_PIPELINE"] == NORMAL
    assert variables["SCCOS_EXECUTION_ID"] == "#{codepipeline.PipelineExecutionId}"
    assert variables["SCCOS_OTHER_PIPELINE"] == DESTRUCTIVE
    assert variables["SCCOS_COMMIT"] == "#{Versions.DEPLOYMENT_VERSION}"
    assert variables["SCCOS_SOURCE_COMMIT"] == "#{SourceVariables.CommitId}"


def test_the_versions_step_knows_how_the_run_was_started(template: dict[str, Any]) -> None:
    for name, on_push in ((NORMAL, "true"), (DESTRUCTIVE, "false")):
        [versions] = actions(pipeline(template, name), naming.STEP_VERSIONS)
        variables = env_vars(versions)
        assert variables["SCCOS_REQUESTED"] == "#{variables.DESIRED_VERSION}"
        assert variables["SCCOS_DEPLOY_ON_PUSH"] == on_push
        assert variables["SCCOS_PIPELINE"] == name


def test_the_build_pipeline_starts_on_every_push(template: dict[str, Any]) -> None:
    build = pipeline(template, f"Build_Spryker_{PROJECT}")
    assert [s["Name"] for s in build["Stages"]] == ["Source", "Build_Push_if_not_exist"]
    [source] = actions(build, "Source")
    assert source["Configuration"]["DetectChanges"] is True
    [step] = actions(build, "Build_Push_if_not_exist")
    assert env_vars(step) == {"SCCOS_COMMIT": "#{SourceVariables.CommitId}"}
    built = project(template, f"Build_images_for_{PROJECT}")
    assert built["Environment"]["PrivilegedMode"] is True


def test_the_docker_sdk_is_a_released_tag(template: dict[str, Any]) -> None:
    variables = project(template, f"Build_spryker_app_for_{PROJECT}")["Environment"][
        "EnvironmentVariables"
    ]
    assert {"Name": "SCCOS_DOCKER_SDK_REF", "Type": "PLAINTEXT", "Value": "1.74.0"} in variables


def test_hook_buildspecs_carry_no_hook_of_the_deploy_file(template: dict[str, Any]) -> None:
    spec = project(template, f"Run_install_for_{PROJECT}")["Source"]["BuildSpec"]
    assert "EU/production" not in spec and "EU/destructive" not in spec
    assert "vendor/bin/install -r production --no-ansi -vvv" in spec
    assert 'if [ "${SPRYKER_BUILD_HASH:-}" != "$SCCOS_EXPECTED_VERSION" ]; then' in spec


def test_the_action_role_may_use_the_connection_under_its_new_name(
    template: dict[str, Any],
) -> None:
    statements = [
        s
        for policy in resources(template, "AWS::IAM::Policy").values()
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert {
        "Action": "codeconnections:UseConnection",
        "Effect": "Allow",
        "Resource": "arn:aws:codeconnections:eu-central-1:123456789012:connection/abc",
    } in statements


def test_every_pipeline_notifies_failed_and_succeeded_executions(template: dict[str, Any]) -> None:
    rules = resources(template, "AWS::CodeStarNotifications::NotificationRule").values()
    names = sorted(r["Properties"]["Name"] for r in rules)
    assert names == [
        f"Build_Spryker_{PROJECT}-executions",
        f"DESTRUCTIVE_Deploy_Spryker_{PROJECT}-executions",
        f"ECS-updater-{PROJECT}-executions",
        f"Maintenance_Disable_{PROJECT}-executions",
        f"Maintenance_Enable_{PROJECT}-executions",
        f"NORMAL_Deploy_Spryker_{PROJECT}-executions",
        f"Rollout_Scheduler_{PROJECT}-executions",
    ]
    topic = {"Ref": "EnvironmentNotificationTopicE0958D3E"}
    for rule in rules:
        assert rule["Properties"]["EventTypeIds"] == [
            "codepipeline-pipeline-pipeline-execution-failed",
            "codepipeline-pipeline-pipeline-execution-succeeded",
        ]
        assert rule["Properties"]["Targets"] == [{"TargetAddress": topic, "TargetType": "SNS"}]
    encrypted = resources(template, "AWS::SNS::Topic")["EnvironmentNotificationTopicE0958D3E"]
    assert encrypted["Properties"]["KmsMasterKeyId"] == {
        "Fn::GetAtt": ["EnvironmentKeyDEA985CB", "Arn"]
    }
    statements = [
        s
        for p in resources(template, "AWS::SNS::TopicPolicy").values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if s["Resource"] == topic
    ]
    assert {
        "Action": "sns:Publish",
        "Effect": "Allow",
        "Principal": {"Service": "codestar-notifications.amazonaws.com"},
        "Resource": topic,
        "Sid": "1",
    } in statements
    [key] = resources(template, "AWS::KMS::Key").values()
    assert {
        "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
        "Condition": {"StringEquals": {"kms:ViaService": "sns.eu-central-1.amazonaws.com"}},
        "Effect": "Allow",
        "Principal": {"Service": "codestar-notifications.amazonaws.com"},
        "Resource": "*",
    } in key["Properties"]["KeyPolicy"]["Statement"]
