"""One Spryker environment: the shared parts and its normal and destructive pipelines."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Annotations, Stack, Token
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from ..core import naming
from ..core.deployfile.applications import hook_image_name
from ..core.deployfile.model import DeployModel
from ..core.plan.builder import PLANNED, build_environment_plan
from ..core.plan.model import (
    DEFAULT_APP_DIR,
    DOCKER_SDK_REF,
    DOCKER_SDK_REPOSITORY,
    EnvironmentPlan,
    HookSize,
    PlanOptions,
)
from ..core.plan.references import Resources
from ..core.stages import PipelineKind, PipelineType, Stage
from . import props as p
from ._artifacts import artifact_bucket as make_artifact_bucket
from ._artifacts import expire_secret_artifacts
from ._encryption import allow_logs, environment_key
from ._metadata import describe_for_rehearsal, long_service_arn
from ._nag import ReviewedWildcards
from ._notifications import allow_notifications, notify
from ._privilege import (
    deny_other_services,
    limit_ecs_deploy_grants,
    task_families,
    task_role_arns,
)
from ._projects import ProjectContext, project_from_plan
from ._references import plan_resources
from ._repositories import create_repositories
from ._validation import load_deploy_file_with_warnings, validate_environment_props
from .pipeline import SprykerPipeline

_ROLE_PREFIX = re.compile(r"[A-Za-z0-9+=,.@_-]{1,63}")

# Construct ids are a public contract: changing one replaces the pipeline.
PIPELINE_IDS = {
    PipelineKind.NORMAL: "Normal",
    PipelineKind.DESTRUCTIVE: "Destructive",
    PipelineKind.BUILD: "Build",
    PipelineKind.MAINTENANCE_ENABLE: "MaintenanceEnable",
    PipelineKind.MAINTENANCE_DISABLE: "MaintenanceDisable",
    PipelineKind.ROLLOUT_SCHEDULER: "RolloutScheduler",
    PipelineKind.ECS_UPDATER: "EcsUpdater",
}


class SprykerEnvironment(Construct):
    """The SCCOS pipelines of one environment (the seven of `PipelineKind`: NORMAL, DESTRUCTIVE,
    Build, maintenance enable and disable, scheduler rollout, ECS-updater), and everything they
    share.

    Creates (and exposes): `encryption_key` (customer-managed, rotated), `artifact_bucket`,
    `access_logs_bucket`, `repositories` (ECR, one per image), `parameters` (SSM versions),
    `approval_topic`, `action_role` (shared by all actions), `projects` (every CodeBuild project
    of the plan, by key), `hook_projects` (the three hook projects, by stage) and `pipelines`
    (by kind).
    Accepts existing key, bucket, repositories and topic instead.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        deploy_file: str | Path,
        source: p.PipelineSource,
        vpc: ec2.IVpc,
        services: Mapping[str, p.ServiceTarget],
        broker: p.BrokerSettings,
        project: str | None = None,
        project_root: str | Path | None = None,
        deploy_file_in_repository: str | None = None,
        production: bool = False,
        allow_destructive_in_production: bool = False,
        destructive_on_push: bool = False,
        pipelines: Sequence[PipelineKind | PipelineType] | None = None,
        deploy_on_push: bool | None = None,
        subnets: ec2.SubnetSelection | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] | None = None,
        hook_settings: Mapping[Stage, p.HookProjectSettings] | None = None,
        zed_environment: Mapping[str, str] | None = None,
        secrets: Mapping[str, p.SecretSource] | None = None,
        pre_deployment_commands: Sequence[str] = (),
        post_deployment_commands: Sequence[str] = (),
        encryption_key: kms.IKey | None = None,
        artifact_bucket: s3.IBucket | None = None,
        repositories: Mapping[str, ecr.IRepository] | None = None,
        keep_deployed_versions: int = naming.DEFAULT_KEEP_DEPLOYED_VERSIONS,
        approval_topic: sns.ITopic | None = None,
        approval_emails: Sequence[str] = (),
        notification_topic: sns.ITopic | None = None,
        execution_mode: codepipeline.ExecutionMode = codepipeline.ExecutionMode.QUEUED,
        task_role_prefix: str | None = None,
        docker_sdk_repository: str = DOCKER_SDK_REPOSITORY,
        docker_sdk_ref: str = DOCKER_SDK_REF,
        app_dir: str = DEFAULT_APP_DIR,
    ) -> None:
        """
        :param deploy_file: the Spryker deploy file; loaded and validated at synth.
        :param source: where the pipelines take the code from.
        :param vpc: the environment's VPC; hooks and the broker step run in it.
        :param services: ECS services by key: every application of the deploy file (lower
            case), `frontend` and `jenkins`.
        :param broker: the RabbitMQ management API and its credentials.
        :param project: the environment's project name. Default: from the deploy file's name,
            else its `namespace`.
        :param project_root: where config/deploy-templates and config/install live. Default:
            the nearest folder at or above the deploy file that has them.
        :param deploy_file_in_repository: its path in the repository, for `docker/sdk boot`.
            Default: the deploy file's name.
        :param production: the environment serves customers. Default: False.
        :param allow_destructive_in_production: Default: False (a production environment with
            a destructive pipeline is refused).
        :param destructive_on_push: the destructive pipeline starts on push too. Default:
            False, by hand only; refused in production.
        :param pipelines: which pipelines to create. Default: every one this version plans
            (NORMAL, DESTRUCTIVE and the companions), without DESTRUCTIVE in production unless
            allow_destructive_in_production.
        :param deploy_on_push: NORMAL starts on push and deploys the pushed commit (the run's
            own; desired_version is left as the operator set it). Default: True, but False in
            production (deploy desired_version by hand).
        :param subnets: subnets of the hook and broker projects. Default: private with egress.
        :param security_groups: of the hook and broker projects. Default: one created, shared
            by them, all outbound allowed (exposed as `security_group`).
        :param hook_settings: timeout, compute type, privileged mode per hook stage. Default:
            Spryker's (20 min; MEDIUM, LARGE, MEDIUM; not privileged).
        :param zed_environment: plain back-office variables for the hooks. Default: none.
        :param secrets: secret variables for the hooks, from SSM or Secrets Manager. Default: none.
        :param pre_deployment_commands: Pre_Deployment_Configuration; left out when empty.
        :param post_deployment_commands: Post_Deployment_Configuration; left out when empty.
        :param encryption_key: Default: a customer-managed key with rotation.
        :param artifact_bucket: Default: a KMS-encrypted, versioned bucket with access logs.
        :param repositories: ECR repositories by image name. Default: created, KMS-encrypted.
        :param keep_deployed_versions: how many of the last deployed versions the created
            repositories' lifecycle policy keeps, on top of the running version and the one
            being deployed (never expired). Default: 20.
        :param approval_topic: Default: a KMS-encrypted topic.
        :param approval_emails: subscribed to the approval topic. Default: none.
        :param notification_topic: told of every pipeline's failed and succeeded executions,
            through CodeStar notification rules. Subscribe e-mail or AWS Chatbot (Slack) to it.
            Default: a KMS-encrypted topic, exposed as `notification_topic`.
        :param execution_mode: Default: QUEUED.
        :param task_role_prefix: the pipelines pass to ECS tasks only the roles whose names start
            with it (the services' task and execution roles; a deployment registers a revision
            with the roles of the one running). Default: the services' own task and execution
            roles when every service is defined in this app, else `<cluster name>-`. Give
            environments of one account prefixes that do not start one another.
        :param docker_sdk_repository: cloned by Build_and_Prepare when the repository has no
            docker/ folder. Default: Spryker's public Docker SDK.
        :param docker_sdk_ref: a released tag of it (needs `export -d ecr`). Default: 1.74.0.
        :param app_dir: where the application lives in the images. Default: /data.
        """
        super().__init__(scope, construct_id)
        given = _Given(
            name=f"SprykerEnvironment {construct_id}",
            deploy_file=deploy_file,
            source=source,
            vpc=vpc,
            services=services,
            broker=broker,
            project=project,
            project_root=project_root,
            deploy_file_in_repository=deploy_file_in_repository,
            production=production,
            allow_destructive_in_production=allow_destructive_in_production,
            destructive_on_push=destructive_on_push,
            pipelines=_chosen(pipelines, production, allow_destructive_in_production),
            deploy_on_push=deploy_on_push,
            subnets=subnets,
            security_groups=security_groups,
            hook_settings=hook_settings or {},
            zed_environment=zed_environment or {},
            secrets=secrets or {},
            pre_deployment_commands=pre_deployment_commands,
            post_deployment_commands=post_deployment_commands,
            encryption_key=encryption_key,
            artifact_bucket=artifact_bucket,
            repositories=repositories,
            keep_deployed_versions=keep_deployed_versions,
            approval_topic=approval_topic,
            approval_emails=approval_emails,
            notification_topic=notification_topic,
            execution_mode=execution_mode,
            task_role_prefix=task_role_prefix,
            docker_sdk_repository=docker_sdk_repository,
            docker_sdk_ref=docker_sdk_ref,
            app_dir=app_dir,
        )
        self.production = production
        self.model: DeployModel = self._checked_model(given)
        self._create_shared_resources(given)
        self.plan: EnvironmentPlan = self._build_plan(given)
        self._create_roles()
        self._create_projects(given)
        self._create_pipelines(given)
        self._add_guardrails(given)

    def _checked_model(self, given: _Given) -> DeployModel:
        """The deploy file's model, after every prop is checked (one PropsError lists all)."""
        model = load_deploy_file_with_warnings(
            self, given.deploy_file, project=given.project, project_root=given.project_root
        )
        validate_environment_props(
            given.name,
            model=model,
            services=given.services,
            repositories=given.repositories,
            keep_deployed_versions=given.keep_deployed_versions,
            pipelines=given.pipelines,
            production=given.production,
            allow_destructive_in_production=given.allow_destructive_in_production,
            destructive_on_push=given.destructive_on_push,
            zed_environment=given.zed_environment,
            secrets=given.secrets,
            hook_settings=given.hook_settings,
            approval_emails=given.approval_emails,
        )
        prefix = given.task_role_prefix
        if prefix is not None and not (
            Token.is_unresolved(prefix) or _ROLE_PREFIX.fullmatch(prefix)
        ):
            raise p.PropsError(
                given.name,
                [
                    (
                        "task_role_prefix",
                        f"is {prefix!r}. Fix: the start of an IAM role name, 1 to 63 "
                        "of letters, digits and '+=,.@_-'",
                    )
                ],
            )
        return model

    def _create_shared_resources(self, given: _Given) -> None:
        """What every pipeline shares: the key, the artifact bucket, the ECR repositories, the
        version parameters and the approval topic (each unless given)."""
        project = self.model.project
        self.encryption_key = given.encryption_key or environment_key(self, project)
        self.access_logs_bucket: s3.IBucket | None = None
        artifact_bucket = given.artifact_bucket
        if artifact_bucket is None:
            artifact_bucket, self.access_logs_bucket = make_artifact_bucket(
                self, self.encryption_key
            )
        self.artifact_bucket = artifact_bucket
        self.repositories = dict(
            given.repositories
            or create_repositories(
                self, self.model, self.encryption_key, given.keep_deployed_versions
            )
        )
        self.parameters = {
            name: ssm.StringParameter(
                self,
                f"Parameter{name.title().replace('_', '')}",
                parameter_name=naming.ssm_parameter(project, name),
                string_value="none",
                description=f"SCCOS {name} of {project}",
            )
            for name in (
                naming.PARAMETER_LATEST_BUILT,
                naming.PARAMETER_DESIRED,
                naming.PARAMETER_LAST_DEPLOYED,
            )
        }
        self.approval_topic = given.approval_topic or sns.Topic(
            self, "ApprovalTopic", master_key=self.encryption_key, enforce_ssl=True
        )
        for email in given.approval_emails:
            self.approval_topic.add_subscription(subscriptions.EmailSubscription(email))
        if given.approval_topic is None and not given.approval_emails:
            Annotations.of(self).add_warning_v2(
                "sccos-pipeline:approval-without-subscribers",
                "Nobody is told when a deployment waits for approval: pass approval_emails or "
                "subscribe to approval_topic.",
            )

    def _build_plan(self, given: _Given) -> EnvironmentPlan:
        """The core's plan of this environment: every pipeline, project and permission."""
        services = given.services
        self._service_arns = {k: long_service_arn(t.service) for k, t in services.items()}
        plan = build_environment_plan(
            self.model,
            PlanOptions(
                pipelines=tuple(PipelineKind(k.value) for k in given.pipelines),
                production=given.production,
                trigger_on_push=given.source.trigger_on_push,
                deploy_on_push=given.deploy_on_push,
                destructive_on_push=given.destructive_on_push,
                deploy_file_in_repository=(
                    given.deploy_file_in_repository or Path(given.deploy_file).name
                ),
                containers={k: t.container_name for k, t in services.items()},
                services={k: name for k, (name, _) in self._service_arns.items()},
                hook_sizes={
                    stage: HookSize(p.COMPUTE_NAME[s.compute_type], s.timeout_minutes, s.privileged)
                    for stage, s in given.hook_settings.items()
                },
                hook_variables=dict(given.zed_environment),
                hook_secret_names=tuple(given.secrets),
                pre_deployment_commands=tuple(given.pre_deployment_commands),
                post_deployment_commands=tuple(given.post_deployment_commands),
                app_dir=given.app_dir,
                docker_sdk_repository=given.docker_sdk_repository,
                docker_sdk_ref=given.docker_sdk_ref,
            ),
        )
        return plan

    def _create_roles(self) -> None:
        """Each pipeline's own role, and the action role that trusts them (not the account)."""
        project = self.model.project
        self._pipeline_roles = {
            t: iam.Role(
                self,
                f"{PIPELINE_IDS[t]}PipelineRole",
                assumed_by=iam.ServicePrincipal("codepipeline.amazonaws.com"),
                description=f"CodePipeline {naming.pipeline(project, t)}",
            )
            for t in (planned.kind for planned in self.plan.pipelines)
        }
        self.action_role = iam.Role(
            self,
            "ActionRole",
            assumed_by=iam.CompositePrincipal(*self._pipeline_roles.values()),
            description=f"Shared by the actions of the SCCOS pipelines of {project}",
        )

    def _create_projects(self, given: _Given) -> None:
        """Every CodeBuild project of the plan, its permissions resolved to this environment."""
        project = self.model.project
        self.security_group: ec2.ISecurityGroup | None = None
        security_groups = given.security_groups
        if not security_groups:
            self.security_group = ec2.SecurityGroup(
                self,
                "HookSecurityGroup",
                vpc=given.vpc,
                description=f"SCCOS hook and broker projects of {project}",
                allow_all_outbound=True,  # hooks reach database, broker, search, key-value store
            )
            security_groups = [self.security_group]
        expire_secret_artifacts(
            self, self.artifact_bucket, self.plan, own=self.access_logs_bucket is not None
        )
        if any(p.kind is PipelineKind.ECS_UPDATER for p in self.plan.pipelines):
            Annotations.of(self).add_info(
                f"{naming.pipeline(project, PipelineKind.ECS_UPDATER)} gives the services "
                f"the parameters of {naming.variable_tree(project)} as secrets; ECS reads "
                "them with each service's task execution role, which this construct does not "
                "own. Allow that role ssm:GetParameters on those parameters (and kms:Decrypt "
                "for a SecureString under a customer-managed key)."
            )
        self._resources = plan_resources(
            Stack.of(self),
            project=project,
            repositories=self.repositories,
            service_arns=self._service_arns,
            parameters=self.parameters,
            task_families=task_families(given.services),
            task_roles=task_role_arns(given.services, given.task_role_prefix),
            hook_secrets=given.secrets,
        )
        context = ProjectContext(
            project=project,
            key=self.encryption_key,
            vpc=given.vpc,
            hook_repository=self.repositories[hook_image_name(self.model)],
            account=Stack.of(self).account,
            broker=given.broker,
            resources=self._resources,
            subnets=given.subnets,
            security_groups=security_groups,
            hook_secrets=given.secrets,
        )
        hooks_scope, support_scope = Construct(self, "Hooks"), Construct(self, "Support")
        #: every CodeBuild project of the plan, by its key (a construct id)
        self.projects: dict[str, codebuild.PipelineProject] = {
            planned.key: project_from_plan(
                hooks_scope if planned.hook else support_scope, planned, context
            )
            for planned in self.plan.used_projects()
        }
        #: the three hook projects, by stage
        self.hook_projects = {
            Stage(planned.hook): self.projects[planned.key]
            for planned in self.plan.used_projects()
            if planned.hook
        }
        if any(s.privileged for s in given.hook_settings.values()):
            Annotations.of(self).add_warning_v2(
                "sccos-pipeline:privileged-hook",
                "A hook project runs privileged (Docker-in-Docker); give it only to hooks that "
                "run containers.",
            )

    def _create_pipelines(self, given: _Given) -> None:
        """One SprykerPipeline per planned pipeline, and the rules that tell of their runs."""
        self.pipelines: dict[PipelineKind, SprykerPipeline] = {}
        for planned_pipeline in self.plan.pipelines:
            self.pipelines[planned_pipeline.kind] = SprykerPipeline(
                self,
                PIPELINE_IDS[planned_pipeline.kind],
                plan=planned_pipeline,
                source=given.source,
                projects=self.projects,
                services=given.services,
                artifact_bucket=self.artifact_bucket,
                action_role=self.action_role,
                role=self._pipeline_roles[planned_pipeline.kind],
                approval_topic=self.approval_topic,
                execution_mode=given.execution_mode,
                production=given.production,
                allow_destructive_in_production=given.allow_destructive_in_production,
            )
        self.notification_topic = given.notification_topic or sns.Topic(
            self, "NotificationTopic", master_key=self.encryption_key, enforce_ssl=True
        )
        #: pipeline kind to its notification rule (failed and succeeded executions)
        self.notification_rules = notify(self, self.notification_topic, self.pipelines)

    def _add_guardrails(self, given: _Given) -> None:
        """What keeps the environment to itself: the Denies that narrow aws-cdk-lib's ECS deploy
        grants, the key policies of a key created here, the rehearsal's metadata and the
        cdk-nag acknowledgements."""
        deny_other_services(self.action_role, [arn for _, arn in self._service_arns.values()])
        describe_for_rehearsal(
            self,
            deploy_file=given.deploy_file,
            in_repository=given.deploy_file_in_repository,
            services=given.services,
            broker=given.broker,
            app_dir=given.app_dir,
            plan=self.plan,
        )
        limit_ecs_deploy_grants(
            self.action_role,
            family_arns=self._resources.arns(Resources.TASK_DEFINITIONS),
            role_arns=self._resources.arns(Resources.TASK_ROLES),
        )
        if given.encryption_key is None:  # created here: its key policy is ours
            allow_logs(self, self.encryption_key)
            if given.notification_topic is None:
                allow_notifications(self.encryption_key)
        # cdk-nag acknowledgements, made at validation from the policies as they then stand.
        self.node.add_validation(
            ReviewedWildcards(
                self,
                [self.artifact_bucket.bucket_arn],
                [self.encryption_key.key_arn],
                [self._resources.arns(Resources.VARIABLE_TREE)[-1]],
            )
        )

    @property
    def normal_pipeline(self) -> SprykerPipeline | None:
        return self.pipelines.get(PipelineKind.NORMAL)

    @property
    def destructive_pipeline(self) -> SprykerPipeline | None:
        return self.pipelines.get(PipelineKind.DESTRUCTIVE)


def _chosen(
    pipelines: Sequence[PipelineKind | PipelineType] | None,
    production: bool,
    allow_destructive_in_production: bool,
) -> Sequence[PipelineKind | PipelineType]:
    """The pipelines asked for; by default every one planned, without DESTRUCTIVE in
    production unless allowed."""
    if pipelines is not None:
        return pipelines
    refused = production and not allow_destructive_in_production
    return [k for k in PLANNED if not (refused and k is PipelineKind.DESTRUCTIVE)]


@dataclass(frozen=True)
class _Given:
    """SprykerEnvironment's arguments (its docstring says what each means), for its steps."""

    name: str  # how errors name the construct
    deploy_file: str | Path
    source: p.PipelineSource
    vpc: ec2.IVpc
    services: Mapping[str, p.ServiceTarget]
    broker: p.BrokerSettings
    project: str | None
    project_root: str | Path | None
    deploy_file_in_repository: str | None
    production: bool
    allow_destructive_in_production: bool
    destructive_on_push: bool
    pipelines: Sequence[PipelineKind | PipelineType]
    deploy_on_push: bool | None
    subnets: ec2.SubnetSelection | None
    security_groups: Sequence[ec2.ISecurityGroup] | None
    hook_settings: Mapping[Stage, p.HookProjectSettings]
    zed_environment: Mapping[str, str]
    secrets: Mapping[str, p.SecretSource]
    pre_deployment_commands: Sequence[str]
    post_deployment_commands: Sequence[str]
    encryption_key: kms.IKey | None
    artifact_bucket: s3.IBucket | None
    repositories: Mapping[str, ecr.IRepository] | None
    keep_deployed_versions: int
    approval_topic: sns.ITopic | None
    approval_emails: Sequence[str]
    notification_topic: sns.ITopic | None
    execution_mode: codepipeline.ExecutionMode
    task_role_prefix: str | None
    docker_sdk_repository: str
    docker_sdk_ref: str
    app_dir: str
