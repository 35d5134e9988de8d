"""Small V2 pipelines added to the example's template, to rehearse what the new pipelines use:
pipeline variables, triggers, several input and output artifacts, a build starting a pipeline.

They share one role whose policy allows everything: what they check is the rehearsal's
CodePipeline and CodeBuild, not the construct's permissions.
"""

from __future__ import annotations

import copy
import json
from typing import Any

PROBE = "Probe_spryker-demo-staging"
STARTED = "Probe_Started_spryker-demo-staging"
ROLE_NAME = "sccos-rehearsal-probe"
ROLE_ARN = f"arn:aws:iam::123456789012:role/{ROLE_NAME}"

FIRST = """\
version: 0.2
phases:
  build:
    commands:
      - mkdir -p out/deep && echo made > out/deep/made.txt && echo top > top.txt
artifacts:
  files: ['out/**/*']
"""

# Primary source: Source; Made in its own folder. Two outputs, named by secondary artifacts.
SECOND = f"""\
version: 0.2
phases:
  build:
    commands:
      - test -f "$CODEBUILD_SRC_DIR/deploy.spryker-demo-staging.yml"
      - test ! -e "$CODEBUILD_SRC_DIR/out"
      - cat "$CODEBUILD_SRC_DIR_Made/out/deep/made.txt"
      - echo "desired=$DESIRED reason=$REASON"
      - mkdir -p left right
      - aws codepipeline get-pipeline-execution --pipeline-name {PROBE}
        --pipeline-execution-id "$EXECUTION" --output json > left/execution.json
      - aws codepipeline list-pipeline-executions --pipeline-name {PROBE}
        --output json > right/executions.json
      - aws codepipeline start-pipeline-execution --name {STARTED}
        --variables name=DESIRED_VERSION,value=from-build --output json > right/started.json
artifacts:
  secondary-artifacts:
    Left:
      files: ['*.json']
      base-directory: left
    Right:
      files: ['right/*.json']
      discard-paths: yes
"""

# Primary source: Right (PrimarySource); Left in its own folder.
THIRD = """\
version: 0.2
phases:
  build:
    commands:
      - ls "$CODEBUILD_SRC_DIR"
      - ls "$CODEBUILD_SRC_DIR_Left"
      - test -z "${CODEBUILD_SRC_DIR_Right:-}"
      - aws ssm get-parameters-by-path --path /spryker-demo-staging/probe --recursive
        --with-decryption --query 'Parameters[].[Name,Type,Value]' --output text
      - aws ssm get-parameters --names /spryker-demo-staging/probe/secret/token
        --with-decryption --query 'Parameters[0].Value' --output text
"""

ECHO = """\
version: 0.2
phases:
  build:
    commands:
      - echo "desired=$DESIRED"
"""


def _project(name: str, buildspec: str) -> dict[str, Any]:
    return {
        "Type": "AWS::CodeBuild::Project",
        "Properties": {
            "Name": name,
            "ServiceRole": {"Fn::GetAtt": ["ProbeRole", "Arn"]},
            "Environment": {
                "ComputeType": "BUILD_GENERAL1_SMALL",
                "Image": "aws/codebuild/standard:7.0",
                "Type": "LINUX_CONTAINER",
            },
            "Source": {"Type": "CODEPIPELINE", "BuildSpec": buildspec},
            "Artifacts": {"Type": "CODEPIPELINE"},
        },
    }


def _build(
    name: str,
    project: str,
    inputs: list[str],
    outputs: list[str],
    env: list[dict[str, str]] | None = None,
    primary: str | None = None,
) -> dict[str, Any]:
    configuration: dict[str, Any] = {"ProjectName": {"Ref": project}}
    if env:
        configuration["EnvironmentVariables"] = json.dumps(env)
    if primary:
        configuration["PrimarySource"] = primary
    return {
        "Name": name,
        "ActionTypeId": {"Category": "Build", "Owner": "AWS", "Provider": "CodeBuild",
                         "Version": "1"},
        "Configuration": configuration,
        "InputArtifacts": [{"Name": n} for n in inputs],
        "OutputArtifacts": [{"Name": n} for n in outputs],
        "RunOrder": 1,
    }  # fmt: skip


def _pipeline(
    name: str, normal: dict[str, Any], variables: list[dict[str, str]], stages: list[Any]
) -> dict[str, Any]:
    source = copy.deepcopy(normal["Stages"][0])
    del source["Actions"][0]["RoleArn"]  # the pipeline's role: the probe's
    return {
        "Type": "AWS::CodePipeline::Pipeline",
        "Properties": {
            "Name": name,
            "PipelineType": "V2",
            "ExecutionMode": "QUEUED",
            "RoleArn": {"Fn::GetAtt": ["ProbeRole", "Arn"]},
            "ArtifactStore": copy.deepcopy(normal["ArtifactStore"]),
            # NORMAL's push filter, when it has one (the example has none: every push).
            **({"Triggers": copy.deepcopy(normal["Triggers"])} if "Triggers" in normal else {}),
            "Variables": variables,
            "Stages": [source, *stages],
        },
    }


def add_probe(template: dict[str, Any]) -> None:
    """The probe pipelines, their projects and role, added to the example's template."""
    resources = template["Resources"]
    normal = next(
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::CodePipeline::Pipeline"
        and r["Properties"]["Name"] == "NORMAL_Deploy_Spryker_spryker-demo-staging"
    )
    trust = [
        {"Effect": "Allow", "Action": "sts:AssumeRole",
         "Principal": {"Service": ["codepipeline.amazonaws.com", "codebuild.amazonaws.com"]}}
    ]  # fmt: skip
    resources["ProbeRole"] = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "RoleName": ROLE_NAME,
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": trust},
        },
    }
    resources["ProbePolicy"] = {
        "Type": "AWS::IAM::Policy",
        "Properties": {
            "PolicyName": "probe",
            "Roles": [{"Ref": "ProbeRole"}],
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
            },
        },
    }
    for logical, name, spec in (
        ("ProbeFirst", "probe-first", FIRST),
        ("ProbeSecond", "probe-second", SECOND),
        ("ProbeThird", "probe-third", THIRD),
        ("ProbeEcho", "probe-echo", ECHO),
    ):
        resources[logical] = _project(name, spec)
    second_env = [
        {"name": "DESIRED", "value": "#{variables.DESIRED_VERSION}", "type": "PLAINTEXT"},
        {"name": "REASON", "value": "#{variables.REASON}", "type": "PLAINTEXT"},
        {"name": "EXECUTION", "value": "#{codepipeline.PipelineExecutionId}",
         "type": "PLAINTEXT"},
    ]  # fmt: skip
    resources["ProbePipeline"] = _pipeline(
        PROBE,
        normal,
        [
            {"Name": "DESIRED_VERSION", "DefaultValue": "none", "Description": "a commit"},
            {"Name": "REASON", "Description": "why; no default"},
        ],
        [
            {"Name": "First", "Actions": [_build("Make", "ProbeFirst", ["Source"], ["Made"])]},
            {"Name": "Second", "Actions": [
                _build("Use", "ProbeSecond", ["Source", "Made"], ["Left", "Right"], second_env,
                       primary="Source")]},
            {"Name": "Third", "Actions": [
                _build("Check", "ProbeThird", ["Left", "Right"], [], primary="Right")]},
        ],
    )  # fmt: skip
    echo_env = [{"name": "DESIRED", "value": "#{variables.DESIRED_VERSION}"}]
    resources["ProbeStartedPipeline"] = _pipeline(
        STARTED,
        normal,
        [{"Name": "DESIRED_VERSION", "DefaultValue": "none"}],
        [{"Name": "Echo", "Actions": [_build("Echo", "ProbeEcho", ["Source"], [], echo_env)]}],
    )
