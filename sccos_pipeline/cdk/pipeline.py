"""One SCCOS deployment pipeline, normal or destructive: the 12 steps SCCOS runs, in order.

The steps and their names are Spryker's:
https://docs.spryker.com/docs/ca/dev/configure-deployment-pipelines/deployment-in-states.html
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import jsii
from aws_cdk import Stack
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_codepipeline_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct, IValidation

from ..core import naming
from ..core.model import DeployModel
from ..core.plan import service_names
from ..core.stages import PipelineType, Stage
from . import props as p


@dataclass(frozen=True)
class PipelineProjects:
    """The CodeBuild projects a pipeline runs; the environment creates them once for both."""

    hooks: Mapping[Stage, codebuild.IProject]
    build: codebuild.IProject
    broker: codebuild.IProject
    versions: codebuild.IProject
    record_deployed: codebuild.IProject
    pre_deployment: codebuild.IProject | None = None
    post_deployment: codebuild.IProject | None = None


@jsii.implements(IValidation)
class _NoTriggers:
    """Late check: a destructive production pipeline keeps no trigger, whatever was added later
    (e.g. `pipeline.add_trigger()` through an escape hatch)."""

    def __init__(self, owner: SprykerPipeline) -> None:
        self.owner = owner

    def validate(self) -> list[str]:
        cfn = self.owner.pipeline.node.default_child
        triggers = Stack.of(self.owner).resolve(cfn.triggers) if cfn is not None else None  # type: ignore[attr-defined]
        if triggers:
            return [
                "a destructive pipeline of a production environment must never start on push, "
                f"but it has triggers {triggers!r}; remove them and start it by hand"
            ]
        return []


SOURCE_NAMESPACE = "SourceVariables"
VERSIONS_NAMESPACE = "Versions"


class SprykerPipeline(Construct):
    """A CodePipeline V2 with the SCCOS steps for one pipeline type.

    Guardrails: a destructive pipeline of a production environment is refused unless
    `allow_destructive_in_production`, and then never starts on push. A destructive pipeline
    starts on push only with `destructive_on_push`. Every pipeline has the Please_approve step.

    Attributes: `pipeline`, `pipeline_type`, `source_output`, `build_output`.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        model: DeployModel,
        pipeline_type: PipelineType,
        source: p.PipelineSource,
        projects: PipelineProjects,
        services: Mapping[str, p.ServiceTarget],
        artifact_bucket: s3.IBucket,
        action_role: iam.IRole,
        approval_topic: sns.ITopic,
        production: bool = False,
        allow_destructive_in_production: bool = False,
        destructive_on_push: bool = False,
        execution_mode: codepipeline.ExecutionMode = codepipeline.ExecutionMode.QUEUED,
        other_pipeline_name: str | None = None,
        role: iam.IRole | None = None,
    ) -> None:
        """
        :param services: ECS service key (application name, `frontend`, `jenkins`) to target.
        :param production: the environment serves customers. Default: False.
        :param allow_destructive_in_production: Default: False (refused).
        :param destructive_on_push: a destructive pipeline starts on push too. Default: False,
            it is started by hand; never in production.
        :param execution_mode: Default: QUEUED, one deployment at a time.
        :param other_pipeline_name: the environment's other pipeline; Build_and_Prepare waits
            for none of it to run, as both move the same image tags. Default: no check.
        :param role: the pipeline's own role (the one that assumes `action_role`). Default:
            created by CodePipeline's construct.
        """
        super().__init__(scope, construct_id)
        destructive = pipeline_type is PipelineType.DESTRUCTIVE
        problems = []
        if execution_mode is not codepipeline.ExecutionMode.QUEUED:
            problems.append(
                f"execution_mode={execution_mode.value}: the pipelines move shared image tags and "
                "versions, which only one execution at a time keeps right. Fix: leave "
                "execution_mode unset (QUEUED)"
            )
        if production and destructive and not allow_destructive_in_production:
            problems.append(
                "pipeline_type=DESTRUCTIVE with production=True: a destructive pipeline resets "
                "all data of a production environment. Fix: leave it out, or pass "
                "allow_destructive_in_production=True"
            )
        if production and destructive and destructive_on_push:
            problems.append(
                "destructive_on_push=True with production=True: a push would reset production "
                "data. Fix: leave destructive_on_push unset and start the pipeline by hand"
            )
        if problems:
            raise p.PropsError(f"SprykerPipeline {construct_id}", problems)
        on_push = source.trigger_on_push and (not destructive or destructive_on_push)
        self.pipeline_type = pipeline_type
        self.source_output = codepipeline.Artifact("Source")
        self.build_output = codepipeline.Artifact("Images")
        self._role = action_role
        pipeline_name = naming.pipeline(model.project, pipeline_type)
        source_action, commit = self._source(source, on_push)
        self.commit_variable = commit

        def codebuild_action(
            name: str,
            project: codebuild.IProject,
            expected_version: str | None = None,
            **extra: object,
        ) -> actions.CodeBuildAction:
            variables = {
                "SCCOS_COMMIT": codebuild.BuildEnvironmentVariable(value=commit),
                "SPRYKER_PIPELINE_TYPE": codebuild.BuildEnvironmentVariable(
                    value=pipeline_type.value
                ),
            }
            if expected_version is not None:  # hooks refuse an image of another version
                variables["SCCOS_EXPECTED_VERSION"] = codebuild.BuildEnvironmentVariable(
                    value=expected_version
                )
            return actions.CodeBuildAction(
                action_name=name,
                project=project,
                input=self.source_output,
                environment_variables=variables,
                role=action_role,
                **extra,  # type: ignore[arg-type]
            )

        read_versions = codebuild_action(
            "Read_versions", projects.versions, variables_namespace=VERSIONS_NAMESPACE, run_order=1
        )
        approve = actions.ManualApprovalAction(
            action_name="Approve",
            run_order=2,
            notification_topic=approval_topic,
            role=action_role,
            additional_information=(
                f"{naming.pipeline(model.project, pipeline_type)}: deploy "
                f"{read_versions.variable('DESIRED_VERSION')} over the last deployed version "
                f"{read_versions.variable('LAST_DEPLOYED_VERSION')}"
                + (" - this RESETS ALL DATA" if destructive else "")
            ),
        )
        build = actions.CodeBuildAction(
            action_name=naming.STEP_BUILD,
            project=projects.build,
            input=self.source_output,
            outputs=[self.build_output],
            role=action_role,
            environment_variables={
                "SCCOS_COMMIT": codebuild.BuildEnvironmentVariable(value=commit),
                "SCCOS_PIPELINE": codebuild.BuildEnvironmentVariable(value=pipeline_name),
                "SCCOS_EXECUTION_ID": codebuild.BuildEnvironmentVariable(
                    value="#{codepipeline.PipelineExecutionId}"
                ),
                "SCCOS_OTHER_PIPELINE": codebuild.BuildEnvironmentVariable(
                    value=other_pipeline_name or ""
                ),
            },
        )

        def deploy(key: str) -> actions.EcsDeployAction:
            return actions.EcsDeployAction(
                action_name=key,
                service=services[key].service,
                image_file=self.build_output.at_path(f"imagedefinitions-{key}.json"),
                role=action_role,
            )

        # The version each hook's image must be: pre-deploy runs the one deployed before.
        running = read_versions.variable("LAST_DEPLOYED_VERSION")
        expected = {Stage.PRE_DEPLOY: running, Stage.INSTALL: commit, Stage.POST_DEPLOY: commit}
        # One CodeBuild project per step, or none for a configuration step without commands.
        single: dict[str, codebuild.IProject | None] = {
            naming.STEP_BROKER: projects.broker,
            naming.STEP_PRE_CONFIG: projects.pre_deployment,
            naming.STEP_VERSION: projects.record_deployed,
            naming.STEP_POST_CONFIG: projects.post_deployment,
        }
        special: dict[str, list[codepipeline.IAction]] = {
            naming.STEP_SOURCE: [source_action],
            naming.STEP_APPROVE: [read_versions, approve],
            naming.STEP_BUILD: [build],
            naming.STEP_SCHEDULER: [deploy("jenkins")],
            naming.STEP_SERVICES: [deploy(k) for k in service_names(model)],
            **{
                naming.HOOK_STEP[stage]: [
                    codebuild_action(
                        naming.HOOK_STEP[stage], projects.hooks[stage], expected[stage]
                    )
                ]
                for stage in Stage
            },
        }
        steps: list[tuple[str, list[codepipeline.IAction]]] = []
        for name in naming.STEPS:  # the one place the order of the steps is spelled
            if name in special:
                steps.append((name, special[name]))
            elif (project := single[name]) is not None:
                steps.append((name, [codebuild_action(name, project)]))
        triggers = self._triggers(source, source_action, on_push)
        if production and destructive:
            self.node.add_validation(_NoTriggers(self))
        self.pipeline = codepipeline.Pipeline(
            self,
            "Pipeline",
            pipeline_name=pipeline_name,
            pipeline_type=codepipeline.PipelineType.V2,
            role=role,
            execution_mode=execution_mode,
            artifact_bucket=artifact_bucket,
            cross_account_keys=False,
            restart_execution_on_update=False,
            triggers=triggers,
            stages=[codepipeline.StageProps(stage_name=n, actions=a) for n, a in steps],
        )

    def _source(self, source: p.PipelineSource, on_push: bool) -> tuple[codepipeline.IAction, str]:
        if isinstance(source, p.CodeStarConnectionSource):
            action = actions.CodeStarConnectionsSourceAction(
                action_name=naming.STEP_SOURCE,
                connection_arn=source.connection_arn,
                owner=source.owner,
                repo=source.repository,
                branch=source.branch,
                output=self.source_output,
                trigger_on_push=on_push,
                variables_namespace=SOURCE_NAMESPACE,
                role=self._role,
            )
            if ":codeconnections:" in source.connection_arn:
                # aws-cdk-lib grants only the old codestar-connections name; an IAM evaluator
                # (and the rehearsal) matches codeconnections ARNs with the service's new name.
                self._role.add_to_principal_policy(
                    iam.PolicyStatement(
                        actions=["codeconnections:UseConnection"],
                        resources=[source.connection_arn],
                    )
                )
            return action, action.variables.commit_id
        if isinstance(source, p.CodeCommitSource):
            commit_action = actions.CodeCommitSourceAction(
                action_name=naming.STEP_SOURCE,
                repository=source.repository,
                branch=source.branch,
                output=self.source_output,
                trigger=(
                    actions.CodeCommitTrigger.EVENTS if on_push else actions.CodeCommitTrigger.NONE
                ),
                variables_namespace=SOURCE_NAMESPACE,
                role=self._role,
            )
            return commit_action, commit_action.variables.commit_id
        s3_action = actions.S3SourceAction(
            action_name=naming.STEP_SOURCE,
            bucket=source.bucket,
            bucket_key=source.key,
            output=self.source_output,
            trigger=actions.S3Trigger.EVENTS if on_push else actions.S3Trigger.NONE,
            variables_namespace=SOURCE_NAMESPACE,
            role=self._role,
        )
        return s3_action, s3_action.variables.version_id

    @staticmethod
    def _triggers(
        source: p.PipelineSource, action: codepipeline.IAction, on_push: bool
    ) -> list[codepipeline.TriggerProps] | None:
        """Push filters (branches, file paths) of a pipeline V2, for connection sources."""
        if not isinstance(source, p.CodeStarConnectionSource) or not on_push:
            return None
        if not source.file_paths and not source.extra_branches:
            return None
        return [
            codepipeline.TriggerProps(
                provider_type=codepipeline.ProviderType.CODE_STAR_SOURCE_CONNECTION,
                git_configuration=codepipeline.GitConfiguration(
                    source_action=action,
                    push_filter=[
                        codepipeline.GitPushFilter(
                            branches_includes=[source.branch, *source.extra_branches],
                            file_paths_includes=list(source.file_paths) or None,
                        )
                    ],
                ),
            )
        ]
