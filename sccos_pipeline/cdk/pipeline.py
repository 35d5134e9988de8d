"""One pipeline of the plan as a CodePipeline V2: its stages and actions, as planned.

The deployment pipelines' steps and names are Spryker's:
https://docs.spryker.com/docs/ca/dev/configure-deployment-pipelines/deployment-in-states.html
"""

from __future__ import annotations

from collections.abc import Mapping

import jsii
from aws_cdk import Stack
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_codepipeline_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct, IValidation

from ..core.plan.model import (
    SOURCE_NAMESPACE,
    SOURCE_REVISION,
    ActionKind,
    PipelinePlan,
    PlanAction,
)
from ..core.stages import PipelineKind
from . import props as p

S3_REVISION = "#{SourceVariables.VersionId}"  # an S3 source's version is the object version


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


class SprykerPipeline(Construct):
    """A CodePipeline V2 that runs one pipeline of the environment's plan.

    Every action runs as `action_role`; CodeBuild actions run the environment's projects.
    Attributes: `pipeline`, `kind`, `plan`, `artifacts` (by name).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        plan: PipelinePlan,
        source: p.PipelineSource,
        projects: Mapping[str, codebuild.IProject],
        services: Mapping[str, p.ServiceTarget],
        artifact_bucket: s3.IBucket,
        action_role: iam.IRole,
        approval_topic: sns.ITopic | None = None,
        role: iam.IRole | None = None,
        execution_mode: codepipeline.ExecutionMode = codepipeline.ExecutionMode.QUEUED,
        production: bool = False,
        allow_destructive_in_production: bool = False,
    ) -> None:
        """
        :param projects: the environment's CodeBuild projects by plan key.
        :param services: ECS service key (application name, `frontend`, `jenkins`) to target.
        :param approval_topic: notified by approval actions. Default: none (needs none).
        :param role: the pipeline's own role (the one that assumes `action_role`). Default:
            created by CodePipeline's construct.
        :param execution_mode: Default: QUEUED, one execution at a time.
        :param production: the environment serves customers. Default: False.
        :param allow_destructive_in_production: Default: False (a DESTRUCTIVE plan is refused
            in production); allowed, it still never starts on push.
        """
        super().__init__(scope, construct_id)
        destructive = plan.kind is PipelineKind.DESTRUCTIVE
        problems = []
        if execution_mode is not codepipeline.ExecutionMode.QUEUED:
            problems.append(
                f"execution_mode={execution_mode.value}: the pipelines move shared image tags and "
                "versions, which only one execution at a time keeps right. Fix: leave "
                "execution_mode unset (QUEUED)"
            )
        if production and destructive and not allow_destructive_in_production:
            problems.append(
                "a DESTRUCTIVE plan with production=True: a destructive pipeline resets all data "
                "of a production environment. Fix: leave it out, or pass "
                "allow_destructive_in_production=True"
            )
        if production and destructive and plan.on_push:
            problems.append(
                "a DESTRUCTIVE plan that starts on push with production=True: a push would reset "
                "production data. Fix: plan it with production=True (it never starts on push)"
            )
        if problems:
            raise p.PropsError(f"SprykerPipeline {construct_id}", problems)
        self.plan = plan
        self.kind = plan.kind
        self._role = action_role
        self._source_setting = source
        self._projects = projects
        self._services = services
        self._topic = approval_topic
        self.artifacts: dict[str, codepipeline.Artifact] = {}
        self._source_action: codepipeline.IAction | None = None
        stages = [
            codepipeline.StageProps(
                stage_name=stage.name, actions=[self._action(a) for a in stage.actions]
            )
            for stage in plan.stages
        ]
        if production and destructive:
            self.node.add_validation(_NoTriggers(self))
        self.pipeline = codepipeline.Pipeline(
            self,
            "Pipeline",
            pipeline_name=plan.name,
            pipeline_type=codepipeline.PipelineType.V2,
            role=role,
            execution_mode=execution_mode,
            artifact_bucket=artifact_bucket,
            cross_account_keys=False,
            restart_execution_on_update=False,
            triggers=self._triggers(),
            variables=[
                codepipeline.Variable(
                    variable_name=v.name, default_value=v.default, description=v.description
                )
                for v in plan.variables
            ]
            or None,
            stages=stages,
        )

    def _artifact(self, name: str) -> codepipeline.Artifact:
        if name not in self.artifacts:
            self.artifacts[name] = codepipeline.Artifact(name)
        return self.artifacts[name]

    def _value(self, value: str) -> str:
        if isinstance(self._source_setting, p.S3Source):
            return value.replace(SOURCE_REVISION, S3_REVISION)
        return value

    def _action(self, planned: PlanAction) -> codepipeline.IAction:
        if planned.kind is ActionKind.SOURCE:
            self._source_action = self._source(planned)
            return self._source_action
        if planned.kind is ActionKind.APPROVAL:
            return actions.ManualApprovalAction(
                action_name=planned.name,
                run_order=planned.run_order,
                notification_topic=self._topic,
                role=self._role,
                additional_information=planned.text,
            )
        inputs = [self._artifact(n) for n in planned.inputs]
        if planned.kind is ActionKind.ECS_DEPLOY:
            return actions.EcsDeployAction(
                action_name=planned.name,
                run_order=planned.run_order,
                service=self._services[planned.service or ""].service,
                image_file=inputs[0].at_path(planned.text),
                role=self._role,
            )
        return actions.CodeBuildAction(
            action_name=planned.name,
            run_order=planned.run_order,
            project=self._projects[planned.project or ""],
            input=inputs[0],
            extra_inputs=inputs[1:] or None,
            outputs=[self._artifact(n) for n in planned.outputs] or None,
            variables_namespace=planned.namespace,
            environment_variables={
                k: codebuild.BuildEnvironmentVariable(value=self._value(v))
                for k, v in planned.variables.items()
            },
            role=self._role,
        )

    def _source(self, planned: PlanAction) -> codepipeline.IAction:
        source, on_push = self._source_setting, self.plan.on_push
        output = self._artifact(planned.outputs[0])
        if isinstance(source, p.CodeStarConnectionSource):
            if ":codeconnections:" in source.connection_arn:
                # aws-cdk-lib grants only the old codestar-connections name; an IAM evaluator
                # (and the rehearsal) matches codeconnections ARNs with the service's new name.
                self._role.add_to_principal_policy(
                    iam.PolicyStatement(
                        actions=["codeconnections:UseConnection"],
                        resources=[source.connection_arn],
                    )
                )
            return actions.CodeStarConnectionsSourceAction(
                action_name=planned.name,
                connection_arn=source.connection_arn,
                owner=source.owner,
                repo=source.repository,
                branch=source.branch,
                output=output,
                trigger_on_push=on_push,
                variables_namespace=SOURCE_NAMESPACE,
                role=self._role,
            )
        if isinstance(source, p.CodeCommitSource):
            return actions.CodeCommitSourceAction(
                action_name=planned.name,
                repository=source.repository,
                branch=source.branch,
                output=output,
                trigger=(
                    actions.CodeCommitTrigger.EVENTS if on_push else actions.CodeCommitTrigger.NONE
                ),
                variables_namespace=SOURCE_NAMESPACE,
                role=self._role,
            )
        return actions.S3SourceAction(
            action_name=planned.name,
            bucket=source.bucket,
            bucket_key=source.key,
            output=output,
            trigger=actions.S3Trigger.EVENTS if on_push else actions.S3Trigger.NONE,
            variables_namespace=SOURCE_NAMESPACE,
            role=self._role,
        )

    def _triggers(self) -> list[codepipeline.TriggerProps] | None:
        """Push filters (branches, file paths) of a pipeline V2, for connection sources."""
        source = self._source_setting
        if not isinstance(source, p.CodeStarConnectionSource) or not self.plan.on_push:
            return None
        if not source.file_paths and not source.extra_branches:
            return None
        return [
            codepipeline.TriggerProps(
                provider_type=codepipeline.ProviderType.CODE_STAR_SOURCE_CONNECTION,
                git_configuration=codepipeline.GitConfiguration(
                    source_action=self._source_action,  # type: ignore[arg-type]
                    push_filter=[
                        codepipeline.GitPushFilter(
                            branches_includes=[source.branch, *source.extra_branches],
                            file_paths_includes=list(source.file_paths) or None,
                        )
                    ],
                ),
            )
        ]
