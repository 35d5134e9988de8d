"""CodeBuild projects: the three hook stages and the support steps around them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aws_cdk import Acknowledgment, Duration, RemovalPolicy, Validations
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from ..core import naming
from ..core.buildspec import DEFAULT_APP_DIR, buildspec_yaml, render_buildspec
from ..core.model import DeployModel
from ..core.stages import STAGE_IMAGE, Stage, StageImage
from . import props as p

STANDARD_IMAGE = codebuild.LinuxBuildImage.STANDARD_7_0
# Which mutable tag each stage's image is (core.support explains how the pipeline moves them).
STAGE_TAG = {
    StageImage.RUNNING: naming.IMAGE_TAG_DEPLOYED,
    StageImage.BUILT: naming.IMAGE_TAG_DESIRED,
    StageImage.ACTIVE: naming.IMAGE_TAG_DEPLOYED,
}
# Construct ids are a public contract: changing one replaces the resource.
HOOK_IDS = {
    Stage.PRE_DEPLOY: "PreDeploy",
    Stage.INSTALL: "Install",
    Stage.POST_DEPLOY: "PostDeploy",
}


def encrypted_project(
    scope: Construct,
    construct_id: str,
    *,
    name: str,
    project: str,
    buildspec: Mapping[str, Any],
    key: kms.IKey,
    description: str,
    build_image: codebuild.IBuildImage = STANDARD_IMAGE,
    compute_type: codebuild.ComputeType = codebuild.ComputeType.SMALL,
    timeout_minutes: int = 20,
    privileged: bool = False,
    variables: Mapping[str, codebuild.BuildEnvironmentVariable] | None = None,
    vpc: ec2.IVpc | None = None,
    subnets: ec2.SubnetSelection | None = None,
    security_groups: Sequence[ec2.ISecurityGroup] | None = None,
    cache: codebuild.Cache | None = None,
) -> codebuild.PipelineProject:
    """A pipeline project whose artifacts and logs are encrypted with the environment's key.

    It logs to its own group, `naming.log_group`; it makes no test reports.
    """
    log_group = logs.LogGroup(
        scope,
        f"{construct_id}Logs",
        log_group_name=naming.log_group(project, name),
        encryption_key=key,
        retention=logs.RetentionDays.ONE_YEAR,
        removal_policy=RemovalPolicy.RETAIN,
    )
    return codebuild.PipelineProject(
        scope,
        construct_id,
        project_name=name,
        description=description,
        build_spec=codebuild.BuildSpec.from_object_to_yaml(dict(buildspec)),
        environment=codebuild.BuildEnvironment(
            build_image=build_image, compute_type=compute_type, privileged=privileged
        ),
        environment_variables=dict(variables or {}),
        encryption_key=key,
        timeout=Duration.minutes(timeout_minutes),
        logging=codebuild.LoggingOptions(
            cloud_watch=codebuild.CloudWatchLoggingOptions(log_group=log_group)
        ),
        vpc=vpc,
        subnet_selection=subnets,
        security_groups=list(security_groups) if security_groups else None,
        cache=cache,
        grant_report_group_permissions=False,
    )


def plain(value: str) -> codebuild.BuildEnvironmentVariable:
    return codebuild.BuildEnvironmentVariable(value=value)


def secret_variable(source: p.SecretSource) -> codebuild.BuildEnvironmentVariable:
    if source.parameter_name is not None:
        return codebuild.BuildEnvironmentVariable(
            value=source.parameter_name,
            type=codebuild.BuildEnvironmentVariableType.PARAMETER_STORE,
        )
    assert source.secret is not None  # checked by the environment's validation
    value = source.secret.secret_arn + (f":{source.json_key}" if source.json_key else "")
    return codebuild.BuildEnvironmentVariable(
        value=value, type=codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER
    )


class SprykerHookProjects(Construct):
    """`Run_pre-deploy_for_<project>`, `Run_install_for_<project>`, `Run_post-deploy_for_<project>`.

    Each runs its generated buildspec on the back-office (Zed) image of `repository`, tagged per
    stage (pre- and post-deploy: `sccos-deployed`, install: `sccos-desired`), inside the VPC.
    One install project serves both pipelines: each pipeline's action sets SPRYKER_PIPELINE_TYPE.

    Attributes: `projects` (stage to project).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        model: DeployModel,
        repository: ecr.IRepository,
        key: kms.IKey,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] | None = None,
        settings: Mapping[Stage, p.HookProjectSettings] | None = None,
        zed_environment: Mapping[str, str] | None = None,
        secrets: Mapping[str, p.SecretSource] | None = None,
        app_dir: str = DEFAULT_APP_DIR,
    ) -> None:
        """
        :param settings: per stage; default DEFAULT_HOOK_SETTINGS (Spryker's sizes).
        :param subnets: default: the VPC's private subnets.
        :param security_groups: default: one created for the hooks, all outbound allowed.
        :param zed_environment: plain back-office variables. Default: none.
        :param secrets: secret variables from SSM or Secrets Manager. Default: none.
        :param app_dir: where the application lives in the image. Default: /data.
        """
        super().__init__(scope, construct_id)
        sizes = {**p.DEFAULT_HOOK_SETTINGS, **(settings or {})}
        variables = {"SPRYKER_PROJECT_NAME": plain(model.project)}
        variables.update({k: plain(v) for k, v in (zed_environment or {}).items()})
        variables.update({k: secret_variable(s) for k, s in (secrets or {}).items()})
        self.projects: dict[Stage, codebuild.PipelineProject] = {}
        for stage in Stage:
            size = sizes[stage]
            buildspec_yaml(model, stage, app_dir=app_dir)  # refuses one over CodeBuild's limit
            image = codebuild.LinuxBuildImage.from_ecr_repository(
                repository, STAGE_TAG[STAGE_IMAGE[stage]]
            )
            self.projects[stage] = encrypted_project(
                self,
                HOOK_IDS[stage],
                name=naming.hook_project(stage, model.project),
                project=model.project,
                description=f"SCCOS {stage.value} hook of {model.project}",
                buildspec=render_buildspec(model, stage, app_dir=app_dir),
                key=key,
                build_image=image,
                compute_type=size.compute_type,
                timeout_minutes=size.timeout_minutes,
                privileged=size.privileged,
                variables=variables,
                vpc=vpc,
                subnets=subnets
                or ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
                security_groups=security_groups,
                cache=codebuild.Cache.local(codebuild.LocalCacheMode.SOURCE),
            )
            Validations.of(self.projects[stage]).acknowledge(
                Acknowledgment(
                    id="AwsSolutions-CB5",
                    reason="SCCOS hooks must run on the shop's own back-office (Zed) image",
                )
            )


def grant_retag(role: iam.IRole | None, repository: ecr.IRepository) -> None:
    """What moving a tag of the hook image takes: read the manifest, put it under a new tag."""
    if role is None:
        return
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["ecr:BatchGetImage", "ecr:DescribeImages", "ecr:PutImage"],
            resources=[repository.repository_arn],
        )
    )
