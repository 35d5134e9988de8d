"""The synthesized template is the plan: pipeline by pipeline, stage by stage, action by action,
and every planned project with its buildspec, image and permissions."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from aws_cdk import assertions

from sccos_pipeline.core.plan.model import ActionKind, EnvironmentPlan, PlanProject
from tests.cdk.support import environment, new_stack, pipeline, resources

CATEGORY = {
    ActionKind.SOURCE: ("Source", "CodeStarSourceConnection"),
    ActionKind.BUILD: ("Build", "CodeBuild"),
    ActionKind.APPROVAL: ("Approval", "Manual"),
    ActionKind.ECS_DEPLOY: ("Deploy", "ECS"),
}


@pytest.fixture(scope="module")
def built() -> tuple[EnvironmentPlan, dict[str, Any]]:
    stack = new_stack()
    env = environment(stack, pre_deployment_commands=["echo before"])
    return env.plan, dict(assertions.Template.from_stack(stack).to_json())


def _project_names(template: dict[str, Any]) -> dict[str, str]:
    """Logical id of each CodeBuild project to its name."""
    return {
        lid: r["Properties"]["Name"]
        for lid, r in resources(template, "AWS::CodeBuild::Project").items()
    }


def _variables(action: dict[str, Any]) -> dict[str, str]:
    raw = action["Configuration"].get("EnvironmentVariables")
    return {v["name"]: v["value"] for v in json.loads(raw)} if raw else {}


def test_every_planned_pipeline_and_only_those(built: tuple[EnvironmentPlan, Any]) -> None:
    plan, template = built
    synthesized = sorted(
        r["Properties"]["Name"] for r in resources(template, "AWS::CodePipeline::Pipeline").values()
    )
    assert synthesized == sorted(p.name for p in plan.pipelines)
    assert len(plan.pipelines) >= 3


def test_stages_and_actions_are_the_plans(built: tuple[EnvironmentPlan, Any]) -> None:
    plan, template = built
    names = _project_names(template)
    for planned in plan.pipelines:
        synthesized = pipeline(template, planned.name)
        assert [s["Name"] for s in synthesized["Stages"]] == [s.name for s in planned.stages]
        assert synthesized.get("Variables", []) == [
            {"Name": v.name, "DefaultValue": v.default, "Description": v.description}
            for v in planned.variables
        ]
        for stage, planned_stage in zip(synthesized["Stages"], planned.stages, strict=True):
            assert [a["Name"] for a in stage["Actions"]] == [a.name for a in planned_stage.actions]
            for action, planned_action in zip(stage["Actions"], planned_stage.actions, strict=True):
                where = f"{planned.name}/{stage['Name']}/{action['Name']}"
                kind = action["ActionTypeId"]
                assert (kind["Category"], kind["Provider"]) == CATEGORY[planned_action.kind], where
                assert action.get("RunOrder", 1) == planned_action.run_order, where
                assert [a["Name"] for a in action.get("InputArtifacts", [])] == list(
                    planned_action.inputs
                ), where
                assert [a["Name"] for a in action.get("OutputArtifacts", [])] == list(
                    planned_action.outputs
                ), where
                assert action.get("Namespace") == planned_action.namespace, where
                if planned_action.kind is ActionKind.BUILD:
                    ref = action["Configuration"]["ProjectName"]["Ref"]
                    assert names[ref] == plan.projects[planned_action.project or ""].name, where
                    assert _variables(action) == dict(planned_action.variables), where
                if planned_action.kind is ActionKind.APPROVAL:
                    assert action["Configuration"]["CustomData"] == planned_action.text, where
                if planned_action.kind is ActionKind.ECS_DEPLOY:
                    assert action["Configuration"]["FileName"] == planned_action.text, where


def _project(template: dict[str, Any], planned: PlanProject) -> tuple[str, dict[str, Any]]:
    [(lid, found)] = [
        (lid, r["Properties"])
        for lid, r in resources(template, "AWS::CodeBuild::Project").items()
        if r["Properties"]["Name"] == planned.name
    ]
    return lid, found


def _allowed(template: dict[str, Any], role_ref: dict[str, Any]) -> set[str]:
    actions: set[str] = set()
    for policy in resources(template, "AWS::IAM::Policy").values():
        if {"Ref": role_ref["Fn::GetAtt"][0]} not in policy["Properties"]["Roles"]:
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement["Effect"] == "Allow":
                action = statement["Action"]
                actions |= {action} if isinstance(action, str) else set(action)
    return actions


def test_every_planned_project_is_synthesized_as_planned(
    built: tuple[EnvironmentPlan, Any],
) -> None:
    plan, template = built
    planned_projects = plan.used_projects()
    assert len(resources(template, "AWS::CodeBuild::Project")) == len(planned_projects)
    for planned in planned_projects:
        lid, found = _project(template, planned)
        assert lid.startswith(f"Environment{'Hooks' if planned.hook else 'Support'}{planned.key}")
        assert yaml.safe_load(found["Source"]["BuildSpec"]) == planned.buildspec, planned.name
        assert found["Environment"]["ComputeType"] == planned.compute, planned.name
        assert found["Environment"]["PrivilegedMode"] is planned.privileged, planned.name
        assert found["TimeoutInMinutes"] == planned.timeout_minutes, planned.name
        assert ("VpcConfig" in found) is planned.in_vpc, planned.name
        image = json.dumps(found["Environment"]["Image"])
        if planned.image.startswith("hook:"):
            assert image.endswith(f':{planned.image.removeprefix("hook:")}"]]}}'), planned.name
        else:
            assert image == '"aws/codebuild/standard:7.0"', planned.name
        variables = {
            v["Name"]: v["Value"] for v in found["Environment"].get("EnvironmentVariables", [])
        }
        for variable in planned.variables:
            if variable.kind == "plain" and "{" not in variable.value:
                assert variables[variable.name] == variable.value, (planned.name, variable)
            else:
                assert variable.name in variables, (planned.name, variable)
        allowed = _allowed(template, found["ServiceRole"])
        for permission in planned.permissions:
            assert set(permission.actions) <= allowed, (planned.name, permission)
