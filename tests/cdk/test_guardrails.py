"""Guardrails and props validation: every problem at once, with the value received and the fix."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest
from aws_cdk import assertions
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_ecs as ecs

from sccos_pipeline.cdk import (
    CodeStarConnectionSource,
    PropsError,
    SecretSource,
    ServiceTarget,
    SprykerPipeline,
)
from sccos_pipeline.core import naming
from sccos_pipeline.core.deployfile.findings import DeployFileError
from sccos_pipeline.core.stages import PipelineType
from tests.cdk.support import CONNECTION, SERVICE_KEYS, environment, new_stack, pipeline
from tests.conftest import write_project


def test_destructive_production_is_refused_unless_allowed() -> None:
    env = environment(new_stack(), production=True)
    assert env.destructive_pipeline is None  # left out by default
    with pytest.raises(PropsError) as caught:
        environment(
            new_stack(), production=True, pipelines=[PipelineType.NORMAL, PipelineType.DESTRUCTIVE]
        )
    # Worded for construct and cdk.json users alike; the app names its own key.
    assert caught.value.located == [
        (
            "pipelines",
            "has the destructive pipeline in a production environment: it would reset all "
            "production data. Fix: keep only the normal pipeline, or allow destructive pipelines "
            "in production explicitly",
        )
    ]


def test_production_with_normal_only_is_fine() -> None:
    env = environment(new_stack(), production=True, pipelines=[PipelineType.NORMAL])
    assert env.destructive_pipeline is None and env.normal_pipeline is not None


@pytest.fixture(scope="module")
def allowed_production() -> dict[str, Any]:
    stack = new_stack()
    environment(
        stack,
        production=True,
        allow_destructive_in_production=True,
        pre_deployment_commands=["echo before"],
        post_deployment_commands=["echo after"],
    )
    return dict(assertions.Template.from_stack(stack).to_json())


def test_allowed_destructive_production_never_starts_on_push(
    allowed_production: dict[str, Any],
) -> None:
    destructive = pipeline(allowed_production, "DESTRUCTIVE_Deploy_Spryker_spryker-demo-staging")
    assert "Triggers" not in destructive
    source = destructive["Stages"][0]["Actions"][0]
    assert source["Configuration"]["DetectChanges"] is False
    assert [s["Name"] for s in destructive["Stages"]][1:3] == [
        "Prepare_versions_information_for_Approval_stage",
        "Please_approve",
    ]


def test_configuration_steps_exist_with_commands(allowed_production: dict[str, Any]) -> None:
    normal = pipeline(allowed_production, "NORMAL_Deploy_Spryker_spryker-demo-staging")
    assert [s["Name"] for s in normal["Stages"]] == list(naming.STEPS)


def test_destructive_on_push_refused_in_production() -> None:
    with pytest.raises(PropsError, match="destructive_on_push: is set in a production environment"):
        environment(
            new_stack(),
            production=True,
            allow_destructive_in_production=True,
            destructive_on_push=True,
        )


def test_the_pipeline_construct_guards_itself() -> None:
    from sccos_pipeline.core.plan.builder import build_environment_plan
    from sccos_pipeline.core.stages import PipelineKind

    stack = new_stack()
    env = environment(stack, pipelines=[PipelineType.NORMAL])
    normal = env.normal_pipeline
    assert normal is not None
    destructive = build_environment_plan(env.model).pipeline(PipelineKind.DESTRUCTIVE)
    with pytest.raises(PropsError, match="resets all data of a production environment"):
        SprykerPipeline(
            stack,
            "Extra",
            plan=destructive,
            source=CodeStarConnectionSource(connection_arn=CONNECTION, owner="o", repository="r"),
            projects=env.projects,
            services={},
            artifact_bucket=env.artifact_bucket,
            action_role=env.action_role,
            approval_topic=env.approval_topic,
            production=True,
        )


def test_the_pipeline_construct_refuses_a_destructive_plan_that_starts_on_push_in_production() -> (
    None
):
    from sccos_pipeline.core.plan.builder import build_environment_plan
    from sccos_pipeline.core.plan.model import PlanOptions
    from sccos_pipeline.core.stages import PipelineKind

    stack = new_stack()
    env = environment(stack, pipelines=[PipelineType.NORMAL])
    options = PlanOptions(destructive_on_push=True)  # planned for staging: it starts on push
    destructive = build_environment_plan(env.model, options).pipeline(PipelineKind.DESTRUCTIVE)
    assert destructive.on_push
    # The environment's own services: without the guard, the pipeline would be built.
    services = {
        key: ServiceTarget(
            service=cast(ecs.IBaseService, stack.node.find_child(f"Svc-{key}")),
            container_name=key,
        )
        for key in SERVICE_KEYS
    }
    with pytest.raises(PropsError, match="a DESTRUCTIVE plan that starts on push with production"):
        SprykerPipeline(
            stack,
            "Extra",
            plan=destructive,
            source=CodeStarConnectionSource(connection_arn=CONNECTION, owner="o", repository="r"),
            projects=env.projects,
            services=services,
            artifact_bucket=env.artifact_bucket,
            action_role=env.action_role,
            approval_topic=env.approval_topic,
            production=True,
            allow_destructive_in_production=True,  # so that only the on-push guard refuses it
        )


def test_all_prop_problems_are_reported_together() -> None:
    with pytest.raises(PropsError) as caught:
        environment(
            new_stack(),
            services={},
            zed_environment={"SPRYKER_DB_PASSWORD": "hunter2", "SPRYKER_HOOK_INSTALL": "x"},
            secrets={"X": SecretSource()},
            approval_emails=["not-an-address"],
        )
    assert caught.value.located == [
        (
            "services",
            'lacks ["boffice_eu", "backgw_eu", "yves_eu", "glue_eu", "frontend", "jenkins"] '
            "(has []). Fix: add one for each application of the deploy file, `frontend` and "
            "`jenkins`",
        ),
        (
            "zed_environment.SPRYKER_DB_PASSWORD",
            "looks like a secret in plain text. Fix: give it as a secret (SSM or Secrets Manager)",
        ),
        (
            "zed_environment.SPRYKER_HOOK_INSTALL",
            "would shadow what the image or pipeline sets. Fix: set hooks in the deploy file",
        ),
        (
            "secrets.X",
            "needs exactly one of parameter_name or secret, received "
            "SecretSource(parameter_name=None, secret=None, json_key=None)",
        ),
        ("approval_emails", "has 'not-an-address', not an e-mail address"),
    ]
    assert (
        caught.value.problems[4] == "approval_emails: has 'not-an-address', not an e-mail address"
    )


def test_invalid_deploy_file_stops_synth_with_its_place(tmp_path: Any) -> None:
    write_project(tmp_path, {"deploy.yml": "image:\n  tag: acme/php:8\n"})
    with pytest.raises(DeployFileError) as caught:
        environment(new_stack(), deploy_file=tmp_path / "deploy.yml")
    assert "deploy.yml:2:8: error SCC025" in str(caught.value)


def test_late_check_keeps_a_destructive_production_pipeline_off_push() -> None:
    stack = new_stack()
    env = environment(stack, production=True, allow_destructive_in_production=True)
    destructive = env.destructive_pipeline
    assert destructive is not None
    source = destructive.pipeline.stages[0].actions[0]
    destructive.pipeline.add_trigger(  # through the escape hatch, after construction
        provider_type=codepipeline.ProviderType.CODE_STAR_SOURCE_CONNECTION,
        git_configuration=codepipeline.GitConfiguration(
            source_action=source,
            push_filter=[codepipeline.GitPushFilter(branches_includes=["main"])],
        ),
    )
    with pytest.raises(RuntimeError, match="must never start on push"):
        stack.node.root.synth()  # type: ignore[attr-defined]


def test_advisory_when_nobody_is_told_about_approvals() -> None:
    stack = new_stack()
    environment(stack, approval_emails=[])
    warnings = assertions.Annotations.from_stack(stack).find_warning(
        "*", assertions.Match.string_like_regexp("Nobody is told")
    )
    assert warnings and "sccos-pipeline:approval-without-subscribers" in str(warnings[0].entry.data)


@pytest.mark.parametrize(
    "mode", [codepipeline.ExecutionMode.SUPERSEDED, codepipeline.ExecutionMode.PARALLEL]
)
def test_execution_modes_that_cannot_keep_the_shared_tags_right_are_refused(
    mode: codepipeline.ExecutionMode,
) -> None:
    with pytest.raises(PropsError) as caught:
        environment(new_stack(), execution_mode=mode)
    assert f"execution_mode={mode.value}" in str(caught.value)
    assert "Fix: leave execution_mode unset (QUEUED)" in str(caught.value)


def test_pipelines_run_queued() -> None:
    stack = new_stack()
    environment(stack)
    template = assertions.Template.from_stack(stack).to_json()
    for name in (
        "NORMAL_Deploy_Spryker_spryker-demo-staging",
        "DESTRUCTIVE_Deploy_Spryker_spryker-demo-staging",
    ):
        assert pipeline(template, name)["ExecutionMode"] == "QUEUED"


def test_production_deploys_by_hand_and_builds_on_push() -> None:
    stack = new_stack()
    environment(stack, production=True)
    template = assertions.Template.from_stack(stack).to_json()
    normal = pipeline(template, "NORMAL_Deploy_Spryker_spryker-demo-staging")
    build = pipeline(template, "Build_Spryker_spryker-demo-staging")
    assert normal["Stages"][0]["Actions"][0]["Configuration"]["DetectChanges"] is False
    assert "Triggers" not in normal
    assert build["Stages"][0]["Actions"][0]["Configuration"]["DetectChanges"] is True
    [versions] = normal["Stages"][1]["Actions"]
    variables = json.loads(versions["Configuration"]["EnvironmentVariables"])
    assert {"name": "SCCOS_DEPLOY_ON_PUSH", "type": "PLAINTEXT", "value": "false"} in variables
    names = {
        r["Properties"]["Name"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::CodePipeline::Pipeline"
    }
    assert "DESTRUCTIVE_Deploy_Spryker_spryker-demo-staging" not in names


def test_production_may_deploy_on_push_when_configured() -> None:
    stack = new_stack()
    environment(stack, production=True, deploy_on_push=True)
    template = assertions.Template.from_stack(stack).to_json()
    normal = pipeline(template, "NORMAL_Deploy_Spryker_spryker-demo-staging")
    assert normal["Stages"][0]["Actions"][0]["Configuration"]["DetectChanges"] is True
