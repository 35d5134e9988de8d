"""The environment plan: every pipeline, its stages in order, each project and its permissions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sccos_pipeline.core.deployfile.applications import hook_image_name
from sccos_pipeline.core.deployfile.findings import DeployFileError
from sccos_pipeline.core.deployfile.loader import load_deploy_file
from sccos_pipeline.core.plan.builder import build_environment_plan
from sccos_pipeline.core.plan.deployment import on_push
from sccos_pipeline.core.plan.model import PlanOptions
from sccos_pipeline.core.plan.render import plan_json, plan_mermaid, plan_text
from sccos_pipeline.core.stages import PipelineKind
from tests.conftest import MINIMAL, write_project

DEPLOYMENT_STAGES = [
    "Source",
    "Prepare_versions_information_for_Approval_stage",
    "Please_approve",
    "Build_and_Prepare",
    "Configure_RabbitMQ_Vhosts_and_Permissions",
    "Run_pre-deploy_hook",
    "Deploy_Scheduler",
    "Run_install",
    "Deploy_Spryker_services",
    "UpdateDeployedVersion",
    "Run_post-deploy_hook",
]


def model(tmp_path: Path):  # type: ignore[no-untyped-def]
    write_project(tmp_path, {"deploy.yml": MINIMAL})
    return load_deploy_file(tmp_path / "deploy.yml")


def test_deployment_stages_in_order_with_configuration_steps_left_out(tmp_path: Path) -> None:
    plan = build_environment_plan(model(tmp_path)).pipeline(PipelineKind.NORMAL)
    assert plan.name == "NORMAL_Deploy_Spryker_shop"
    assert [s.name for s in plan.stages] == DEPLOYMENT_STAGES
    assert plan.left_out == ("Pre_Deployment_Configuration", "Post_Deployment_Configuration")
    with_commands = build_environment_plan(
        model(tmp_path), PlanOptions(pre_deployment_commands=("echo pre",))
    ).pipeline(PipelineKind.NORMAL)
    names = [s.name for s in with_commands.stages]
    assert names.index("Pre_Deployment_Configuration") == names.index("Run_pre-deploy_hook") + 1
    assert with_commands.left_out == ("Post_Deployment_Configuration",)


def test_pipeline_names_are_the_sccos_ones(tmp_path: Path) -> None:
    plan = build_environment_plan(model(tmp_path))
    names = {p.kind.value: p.name for p in plan.pipelines}
    assert names["normal"] == "NORMAL_Deploy_Spryker_shop"
    assert names["destructive"] == "DESTRUCTIVE_Deploy_Spryker_shop"
    assert names["build"] == "Build_Spryker_shop"


def test_hooks_run_on_the_right_image_and_version(tmp_path: Path) -> None:
    the_model = model(tmp_path)
    assert hook_image_name(the_model) == "boffice_eu"
    plan = build_environment_plan(the_model)
    assert plan.projects["PreDeploy"].image == "hook:sccos-deployed"
    assert plan.projects["Install"].image == "hook:sccos-desired"
    assert plan.projects["PostDeploy"].image == "hook:sccos-deployed"
    assert plan.projects["Install"].name == "Run_install_for_shop"
    stages = {s.name: s for s in plan.pipeline(PipelineKind.DESTRUCTIVE).stages}
    [pre] = stages["Run_pre-deploy_hook"].actions
    [install] = stages["Run_install"].actions
    assert pre.variables["SCCOS_EXPECTED_VERSION"] == "#{Versions.LAST_DEPLOYED_VERSION}"
    assert install.variables["SCCOS_EXPECTED_VERSION"] == "#{Versions.DEPLOYMENT_VERSION}"
    assert install.variables["SPRYKER_PIPELINE_TYPE"] == "destructive"
    assert install.runs == (
        "SPRYKER_HOOK_DESTRUCTIVE_INSTALL on the new version's image, with the back office's "
        "variables"
    )
    assert install.inputs == ("Source", "Variables")
    assert [a.name for a in stages["Deploy_Spryker_services"].actions] == [
        "yves_eu",
        "boffice_eu",
        "frontend",
    ]


def test_the_version_to_deploy_is_decided_before_the_approval(tmp_path: Path) -> None:
    plan = build_environment_plan(model(tmp_path)).pipeline(PipelineKind.NORMAL)
    [variable] = plan.variables
    assert (variable.name, variable.default) == ("DESIRED_VERSION", "from-parameter-store")
    [versions] = plan.stages[1].actions
    assert versions.namespace == "Versions"
    assert versions.variables["SCCOS_REQUESTED"] == "#{variables.DESIRED_VERSION}"
    assert versions.variables["SCCOS_DEPLOY_ON_PUSH"] == "true"
    [approve] = plan.stages[2].actions
    assert approve.text == (
        "NORMAL_Deploy_Spryker_shop: deploy #{Versions.DEPLOYMENT_VERSION} over the last "
        "deployed version #{Versions.LAST_DEPLOYED_VERSION}"
    )
    build, read_variables = plan.stages[3].actions
    assert (read_variables.name, read_variables.run_order) == ("Read_hook_variables", 2)
    assert build.variables["SCCOS_COMMIT"] == "#{Versions.DEPLOYMENT_VERSION}"
    assert build.variables["SCCOS_SOURCE_COMMIT"] == "#{SourceVariables.CommitId}"


def test_production_deploys_desired_version_and_only_builds_on_push(tmp_path: Path) -> None:
    plan = build_environment_plan(
        model(tmp_path),
        PlanOptions(production=True, pipelines=(PipelineKind.NORMAL, PipelineKind.BUILD)),
    )
    normal, build = plan.pipelines
    assert (normal.on_push, build.on_push) == (False, True)
    assert normal.stages[1].actions[0].variables["SCCOS_DEPLOY_ON_PUSH"] == "false"
    assert [s.name for s in build.stages] == ["Source", "Build_Push_if_not_exist"]
    assert plan.projects["BuildImages"].name == "Build_images_for_shop"


def test_permissions_name_what_each_project_touches(tmp_path: Path) -> None:
    projects = build_environment_plan(model(tmp_path)).projects
    versions = {
        a: tuple(map(str, p.on)) for p in projects["Versions"].permissions for a in p.actions
    }
    # It reads the versions and writes none: desired_version is the operator's.
    read = (
        "parameter:desired_version",
        "parameter:last_deployed_version",
        "parameter:lastbuildversion",
    )
    assert versions == {
        "ssm:GetParameter": read,
        "ssm:GetParameters": read,
        "ecr:DescribeImages": ("repositories",),
        "codepipeline:GetPipelineExecution": ("pipeline:normal", "pipeline:destructive"),
    }
    record = {
        a: tuple(map(str, p.on)) for p in projects["RecordDeployed"].permissions for a in p.actions
    }
    assert record["ssm:PutParameter"] == ("parameter:last_deployed_version",)
    assert record["ecs:DescribeServices"] == ("services",)
    assert projects["PreDeploy"].permissions == ()


def test_text_mermaid_and_json(tmp_path: Path) -> None:
    plan = build_environment_plan(model(tmp_path))
    text = plan_text(plan)
    assert text.startswith("NORMAL_Deploy_Spryker_shop: deploy a version")
    assert "   -  Pre_Deployment_Configuration: left out" in text
    assert "\nBuild_Spryker_shop: build and push the images of every pushed commit" in text
    mermaid = plan_mermaid(plan)
    assert mermaid.startswith("flowchart TD\n")
    assert mermaid.count("  subgraph ") == len(plan.pipelines)
    assert mermaid.count("\n  end") == len(plan.pipelines)
    assert '  subgraph normal["NORMAL_Deploy_Spryker_shop"]' in mermaid
    assert "    normal0 --> normal1" in mermaid
    assert mermaid.count("normal9 -.- ") == 0 and mermaid.count("normal8 -.- ") == 3
    data = json.loads(plan_json(plan))
    assert [p["name"] for p in data["pipelines"]][:2] == [
        "NORMAL_Deploy_Spryker_shop",
        "DESTRUCTIVE_Deploy_Spryker_shop",
    ]
    assert data["projects"]["Versions"]["buildspec"]["version"] == 0.2


@pytest.mark.timeout(60)
def test_a_buildspec_over_codebuilds_limit_is_refused_with_the_fix(tmp_path: Path) -> None:
    applications = "".join(f"      app{i:03d}:\n        application: yves\n" for i in range(150))
    write_project(
        tmp_path,
        {
            "deploy.yml": MINIMAL.replace(
                "      yves_eu:\n        application: yves\n", applications
            )
        },
    )
    with pytest.raises(DeployFileError) as raised:
        build_environment_plan(load_deploy_file(tmp_path / "deploy.yml"))
    [first, *_] = raised.value.findings
    assert first.code == "SCC040"
    assert first.message.startswith("the buildspec of Build_spryker_app_for_shop would be ")
    assert first.message.endswith(" characters, over CodeBuild's 25600 for an inline buildspec")
    assert first.fix == "split the environment's applications over more environments"


def test_destructive_never_starts_on_push_in_production() -> None:
    asked = PlanOptions(deploy_on_push=True, destructive_on_push=True)
    assert on_push(PipelineKind.DESTRUCTIVE, asked) is True
    production = PlanOptions(production=True, deploy_on_push=True, destructive_on_push=True)
    assert on_push(PipelineKind.DESTRUCTIVE, production) is False
    assert on_push(PipelineKind.NORMAL, production) is True
