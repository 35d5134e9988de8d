"""The benchmark's baseline: the example environment written by hand in plain aws-cdk-lib.

It creates the same resources as sccos_pipeline does for `examples/spryker-demo-staging`
(same types, counts and settings) without importing sccos_pipeline. The buildspecs are data,
read from the JSON file named by SCCOS_BENCH_BUILDSPECS, as a hand-written app would hold them
as literals. SCCOS_BENCH_ENVIRONMENTS sets how many environments (default 1).
"""

from __future__ import annotations

import json
import os

from aws_cdk import App, Duration, Environment, RemovalPolicy, Stack
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_codepipeline_actions as actions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_ssm as ssm

APPS = ["boffice_eu", "backgw_eu", "yves_eu", "glue_eu"]
SECRET = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:demo/broker-AbCdEf"

with open(os.environ["SCCOS_BENCH_BUILDSPECS"], encoding="utf-8") as handle:
    SPECS = json.load(handle)

app = App(context={"@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True})


def build_environment(index: int) -> None:
    prefix = f"demo-{index:02d}"
    stack = Stack(
        app, f"handwritten-{index}", env=Environment(account="123456789012", region="eu-central-1")
    )
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-1",
        availability_zones=["eu-central-1a"],
        private_subnet_ids=["subnet-1"],
        private_subnet_route_table_ids=["rtb-1"],
    )
    cluster = ecs.Cluster.from_cluster_attributes(stack, "Cluster", cluster_name=prefix, vpc=vpc)
    services = {
        k: ecs.FargateService.from_fargate_service_attributes(
            stack, f"Svc-{k}", cluster=cluster, service_name=f"{prefix}-{k}"
        )
        for k in [*APPS, "frontend", "jenkins"]
    }

    key = kms.Key(stack, "Key", enable_key_rotation=True, alias=f"alias/sccos/{prefix}")
    key.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("logs.eu-central-1.amazonaws.com")],
            actions=["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"],
            resources=["*"],
        )
    )
    access_logs = s3.Bucket(
        stack,
        "AccessLogs",
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
    )
    artifacts = s3.Bucket(
        stack,
        "Artifacts",
        encryption=s3.BucketEncryption.KMS,
        encryption_key=key,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        versioned=True,
        server_access_logs_bucket=access_logs,
        removal_policy=RemovalPolicy.RETAIN,
    )
    repos = {
        n: ecr.Repository(
            stack,
            f"Repo-{n}",
            repository_name=f"{prefix}-{n}",
            image_scan_on_push=True,
            encryption=ecr.RepositoryEncryption.KMS,
            encryption_key=key,
        )
        for n in [*APPS, "frontend", "jenkins", "pipeline"]
    }
    params = {
        n: ssm.StringParameter(
            stack, f"Param-{n}", parameter_name=f"/{prefix}/pipeline/{n}", string_value="none"
        )
        for n in ("latest_built_version", "desired_version", "last_deployed_version")
    }
    topic = sns.Topic(stack, "Topic", master_key=key, enforce_ssl=True)
    topic.add_subscription(subscriptions.EmailSubscription("ops@example.com"))
    role = iam.Role(stack, "ActionRole", assumed_by=iam.AccountRootPrincipal())
    group = ec2.SecurityGroup(stack, "HookSecurityGroup", vpc=vpc, allow_all_outbound=True)

    def project(name: str, spec: dict[str, object], **extra: object) -> codebuild.PipelineProject:
        log_group = logs.LogGroup(stack, f"{name}Logs", encryption_key=key)
        return codebuild.PipelineProject(
            stack,
            name,
            project_name=f"{name}_for_{prefix}",
            build_spec=codebuild.BuildSpec.from_object_to_yaml(spec),
            encryption_key=key,
            logging=codebuild.LoggingOptions(
                cloud_watch=codebuild.CloudWatchLoggingOptions(log_group=log_group)
            ),
            timeout=Duration.minutes(20),
            **extra,  # type: ignore[arg-type]
        )

    hook_env = {
        "SPRYKER_PROJECT_NAME": codebuild.BuildEnvironmentVariable(value=prefix),
        "SPRYKER_DB_PASSWORD": codebuild.BuildEnvironmentVariable(
            value="/demo/db/password", type=codebuild.BuildEnvironmentVariableType.PARAMETER_STORE
        ),
    }
    hooks = {
        stage: project(
            f"Run_{stage}",
            SPECS[stage],
            environment=codebuild.BuildEnvironment(
                build_image=codebuild.LinuxBuildImage.from_ecr_repository(repos["boffice_eu"], tag),
                compute_type=compute,
            ),
            environment_variables=hook_env,
            vpc=vpc,
            security_groups=[group],
        )
        for stage, tag, compute in (
            ("pre-deploy", "sccos-deployed", codebuild.ComputeType.MEDIUM),
            ("install", "sccos-desired", codebuild.ComputeType.LARGE),
            ("post-deploy", "sccos-deployed", codebuild.ComputeType.MEDIUM),
        )
    }
    build = project(
        "Build",
        SPECS["build"],
        environment=codebuild.BuildEnvironment(
            build_image=codebuild.LinuxBuildImage.STANDARD_7_0,
            compute_type=codebuild.ComputeType.LARGE,
            privileged=True,
        ),
    )
    for repo in repos.values():
        repo.grant_pull_push(build)
    params["latest_built_version"].grant_write(build)
    broker = project(
        "Broker",
        SPECS["broker"],
        vpc=vpc,
        security_groups=[group],
        environment_variables={
            "SCCOS_BROKER_ADMIN_PASSWORD": codebuild.BuildEnvironmentVariable(
                value=f"{SECRET}:password",
                type=codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER,
            )
        },
    )
    versions = project("Versions", SPECS["versions"])
    params["desired_version"].grant_write(versions)
    record = project("Record", SPECS["record"])
    params["last_deployed_version"].grant_write(record)

    for kind in ("normal", "destructive"):
        source_output, images = codepipeline.Artifact(), codepipeline.Artifact()
        source = actions.CodeStarConnectionsSourceAction(
            action_name="Source",
            connection_arn="arn:aws:codeconnections:eu-central-1:123456789012:connection/abc",
            owner="example-org",
            repo="demo-shop",
            branch="staging",
            output=source_output,
            trigger_on_push=kind == "normal",
            variables_namespace="SourceVariables",
            role=role,
        )
        commit = source.variables.commit_id

        variables = {
            "SCCOS_COMMIT": codebuild.BuildEnvironmentVariable(value=commit),
            "SPRYKER_PIPELINE_TYPE": codebuild.BuildEnvironmentVariable(value=kind),
        }

        def run(
            name: str,
            proj: codebuild.IProject,
            source_output: codepipeline.Artifact = source_output,
            variables: dict[str, codebuild.BuildEnvironmentVariable] = variables,
            **extra: object,
        ) -> actions.CodeBuildAction:
            return actions.CodeBuildAction(
                action_name=name,
                project=proj,
                input=source_output,
                role=role,
                environment_variables=variables,
                **extra,  # type: ignore[arg-type]
            )

        def deploy(name: str, images: codepipeline.Artifact = images) -> actions.EcsDeployAction:
            return actions.EcsDeployAction(
                action_name=name,
                service=services[name],
                role=role,
                image_file=images.at_path(f"imagedefinitions-{name}.json"),
            )

        read = run("Read_versions", versions, variables_namespace="Versions", run_order=1)
        codepipeline.Pipeline(
            stack,
            f"Pipeline-{kind}",
            pipeline_name=f"{prefix}-{kind}-deploy",
            pipeline_type=codepipeline.PipelineType.V2,
            execution_mode=codepipeline.ExecutionMode.QUEUED,
            artifact_bucket=artifacts,
            stages=[
                codepipeline.StageProps(stage_name="Source", actions=[source]),
                codepipeline.StageProps(
                    stage_name="Please_approve",
                    actions=[
                        read,
                        actions.ManualApprovalAction(
                            action_name="Approve",
                            run_order=2,
                            notification_topic=topic,
                            role=role,
                            additional_information=f"{read.variable('DESIRED_VERSION')} over "
                            f"{read.variable('LAST_DEPLOYED_VERSION')}",
                        ),
                    ],
                ),
                codepipeline.StageProps(
                    stage_name="Build_and_Prepare",
                    actions=[run("Build_and_Prepare", build, outputs=[images])],
                ),
                codepipeline.StageProps(
                    stage_name="Configure_RabbitMQ_Vhosts_and_Permissions",
                    actions=[run("Configure_RabbitMQ_Vhosts_and_Permissions", broker)],
                ),
                codepipeline.StageProps(
                    stage_name="Run_pre-deploy_hook",
                    actions=[run("Run_pre-deploy_hook", hooks["pre-deploy"])],
                ),
                codepipeline.StageProps(stage_name="Deploy_Scheduler", actions=[deploy("jenkins")]),
                codepipeline.StageProps(
                    stage_name="Run_install", actions=[run("Run_install", hooks["install"])]
                ),
                codepipeline.StageProps(
                    stage_name="Deploy_Spryker_services",
                    actions=[deploy(n) for n in [*APPS, "frontend"]],
                ),
                codepipeline.StageProps(
                    stage_name="UpdateDeployedVersion",
                    actions=[run("UpdateDeployedVersion", record)],
                ),
                codepipeline.StageProps(
                    stage_name="Run_post-deploy_hook",
                    actions=[run("Run_post-deploy_hook", hooks["post-deploy"])],
                ),
            ],
        )


for number in range(int(os.environ.get("SCCOS_BENCH_ENVIRONMENTS", "1"))):
    build_environment(number)
app.synth()
