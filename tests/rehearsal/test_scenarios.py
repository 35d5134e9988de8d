"""Rehearsal scenarios: the synthesized pipelines run end to end, and what they did is checked.

Each scenario reproduces a behaviour a user relies on, or a defect found by reading the
pipelines against Spryker's docs (see each test). Expected values are written out literally.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sccos_pipeline.rehearsal.codepipeline.execution import Execution
from sccos_pipeline.rehearsal.scenario import load_scenario, play
from sccos_pipeline.rehearsal.session import Rehearsal
from sccos_pipeline.rehearsal.world.rabbitmq import RabbitMQ
from tests.rehearsal.conftest import EXAMPLE_STACK, needs_rabbitmq

pytestmark = [needs_rabbitmq, pytest.mark.scenario, pytest.mark.timeout(900)]

DEPLOY_FILE = "deploy.spryker-demo-staging.yml"
PRE_DEPLOY_LINE = "    SPRYKER_HOOK_BEFORE_DEPLOY: 'vendor/bin/install -r EU/pre-deploy -vvv'\n"


@pytest.fixture
def rehearsal(example_assembly: Path, broker: RabbitMQ) -> Iterator[Rehearsal]:
    with Rehearsal(example_assembly, EXAMPLE_STACK, rabbit=broker) as session:
        yield session


def step(execution: Execution, stage: str, action: str | None = None) -> Any:
    [found] = [s for s in execution.steps if s.stage == stage and s.action == (action or stage)]
    return found


def tools(rehearsal: Rehearsal, since: int = 0) -> list[tuple[str, str, str]]:
    """(program, arguments, SPRYKER_BUILD_HASH seen) of the application's tools, in order."""
    return [
        (c["program"], " ".join(c["args"]), c["env"].get("SPRYKER_BUILD_HASH", ""))
        for c in rehearsal.standin_calls()[since:]
        if c["program"].startswith("vendor/bin/")
    ]


def test_first_deployment_of_the_example(rehearsal: Rehearsal) -> None:
    commit = rehearsal.source.head()
    [execution] = play(rehearsal, load_scenario(None))  # the default: first-deployment
    assert execution.status == "Succeeded", [s.message for s in execution.steps if s.message]
    state = rehearsal.state()
    assert state["ssm"] == {
        "/spryker-demo-staging/lastbuildversion": commit,
        "/spryker-demo-staging/desired_version": "none",  # the operator's: no run writes it
        "/spryker-demo-staging/last_deployed_version": commit,
    }
    assert state["ecr"]["spryker-demo-staging-boffice_eu"] == {
        commit: commit, "latest": commit, "sccos-desired": commit, "sccos-deployed": commit,
        f"sccos-deployed-{commit}": commit,
    }  # fmt: skip
    assert state["ecs"] == {
        "spryker-demo-staging-boffice": f"spryker-demo-staging-boffice_eu:{commit}",
        "spryker-demo-staging-backgw": f"spryker-demo-staging-backgw_eu:{commit}",
        "spryker-demo-staging-yves": f"spryker-demo-staging-yves_eu:{commit}",
        "spryker-demo-staging-glue": f"spryker-demo-staging-glue_eu:{commit}",
        "spryker-demo-staging-frontend": f"spryker-demo-staging-frontend:{commit}",
        "spryker-demo-staging-jenkins": f"spryker-demo-staging-jenkins:{commit}",
    }
    assert state["rabbitmq"]["vhosts"] == ["/", "at_queue", "de_queue"]
    assert {(p["user"], p["vhost"]) for p in state["rabbitmq"]["permissions"]} >= {
        ("spryker", "at_queue"), ("spryker", "de_queue"),
    }  # fmt: skip
    # Nothing runs yet: pre-deploy says so and runs no hook; install and post-deploy run.
    assert "First deployment: no version runs yet" in step(execution, "Run_pre-deploy_hook").log
    assert tools(rehearsal) == [
        ("vendor/bin/install", "-r EU/production --no-ansi -vvv", commit),
        ("vendor/bin/console", "scheduler:setup -vvv --no-ansi", commit),
    ]
    assert execution.approval is not None
    assert execution.approval.text == (
        f"NORMAL_Deploy_Spryker_spryker-demo-staging: deploy {commit} over the last deployed version none"
    )
    order = [s.stage for s in execution.steps]
    assert order.index("Run_install") < order.index("Deploy_Spryker_services")
    assert order.index("Deploy_Scheduler") < order.index("Run_install")
    denied = [c for s in execution.steps for c in s.calls if c.decision != "Allowed"]
    # Only the old name of CodeConnections' permission is asked first and not granted.
    assert [(c.action, c.decision) for c in denied] == [
        ("codestar-connections:UseConnection", "ImplicitlyDenied")
    ]


def test_a_pre_deploy_hook_added_takes_effect_from_the_second_deployment(
    rehearsal: Rehearsal,
) -> None:
    """Defect: the buildspec fell back to the hook the deploy file had at synth, so the new
    hook ran on the old image at once."""
    text = rehearsal.source.read(DEPLOY_FILE)
    first = rehearsal.source.commit(
        "no pre-deploy hook", {DEPLOY_FILE: text.replace(PRE_DEPLOY_LINE, "")}
    )
    assert rehearsal.start().run().status == "Succeeded"
    second = rehearsal.source.commit("add a pre-deploy hook", {DEPLOY_FILE: text})
    seen = len(rehearsal.standin_calls())
    assert rehearsal.start().run().status == "Succeeded"
    assert tools(rehearsal, seen) == [
        ("vendor/bin/install", "-r pre-deploy -vvv", first),  # Spryker's default, old image
        ("vendor/bin/console", "scheduler:suspend -vvv --no-ansi", first),
        ("vendor/bin/install", "-r EU/production --no-ansi -vvv", second),
        ("vendor/bin/console", "scheduler:setup -vvv --no-ansi", second),
    ]
    third = rehearsal.source.commit("next change", {"src/next.txt": "next\n"})
    seen = len(rehearsal.standin_calls())
    assert rehearsal.start().run().status == "Succeeded"
    assert tools(rehearsal, seen)[:2] == [
        ("vendor/bin/install", "-r EU/pre-deploy -vvv", second),
        ("vendor/bin/console", "scheduler:suspend -vvv --no-ansi", second),
    ]
    assert tools(rehearsal, seen)[2][2] == third


def test_a_redeploy_of_a_built_commit_builds_and_pushes_nothing(rehearsal: Rehearsal) -> None:
    """Defect: the build role could not DescribeImages, so every run rebuilt and re-pushed."""
    assert rehearsal.start().run().status == "Succeeded"
    ecr = rehearsal.aws.admin("ecr")
    before = ecr.list_images(repositoryName="spryker-demo-staging-yves_eu")["imageIds"]
    built = rehearsal.state()["ssm"]["/spryker-demo-staging/lastbuildversion"]
    seen = len(rehearsal.standin_calls())
    execution = rehearsal.start().run()
    assert execution.status == "Succeeded"
    assert not [c for c in rehearsal.standin_calls()[seen:] if c["program"] == "docker/sdk"]
    assert "nothing to build" in step(execution, "Build_and_Prepare").log
    after = ecr.list_images(repositoryName="spryker-demo-staging-yves_eu")["imageIds"]
    assert sorted(map(str, after)) == sorted(map(str, before))
    assert rehearsal.state()["ssm"]["/spryker-demo-staging/lastbuildversion"] == built


def test_a_failing_install_changes_nothing_and_a_retry_runs_that_commits_image(
    rehearsal: Rehearsal,
) -> None:
    old = rehearsal.source.head()
    assert rehearsal.start().run().status == "Succeeded"
    new = rehearsal.source.commit("a change", {"src/change.txt": "change\n"})
    rehearsal.set_knobs(fail=[{"program": "vendor/bin/install", "args": "production", "exit": 3}])
    execution = rehearsal.start().run()
    assert execution.status == "Failed"
    assert execution.steps[-1].stage == "Run_install"
    state = rehearsal.state()
    assert state["ssm"]["/spryker-demo-staging/last_deployed_version"] == old
    assert state["ecr"]["spryker-demo-staging-boffice_eu"]["sccos-deployed"] == old
    assert set(state["ecs"].values()) - {f"spryker-demo-staging-jenkins:{new}"} == {
        f"spryker-demo-staging-{image}:{old}"
        for image in ("boffice_eu", "backgw_eu", "yves_eu", "glue_eu", "frontend")
    }
    rehearsal.set_knobs()  # the cause is fixed
    seen = len(rehearsal.standin_calls())
    assert execution.retry().status == "Succeeded"
    assert tools(rehearsal, seen)[0] == (
        "vendor/bin/install",
        "-r EU/production --no-ansi -vvv",
        new,
    )
    assert rehearsal.state()["ssm"]["/spryker-demo-staging/last_deployed_version"] == new


def test_a_lost_image_push_fails_the_build_before_any_hook(rehearsal: Rehearsal) -> None:
    commit = rehearsal.source.head()
    [execution] = play(rehearsal, load_scenario("lost-push"))  # the built-in loses yves_eu
    assert execution.status == "Failed"
    assert [s.stage for s in execution.steps][-1] == "Build_and_Prepare"
    assert f"docker/sdk export did not push: spryker-demo-staging-yves_eu:{commit}" in (
        step(execution, "Build_and_Prepare").message
    )
    assert tools(rehearsal) == []
    assert rehearsal.state()["ssm"]["/spryker-demo-staging/lastbuildversion"] == "none"


def test_pipelines_started_together_one_gives_way(rehearsal: Rehearsal) -> None:
    commit = rehearsal.source.head()
    # The built-in starts normal, then destructive at once; the later one must give way. Both
    # are started by hand with DESIRED_VERSION the head, as an operator does since deployments
    # choose a version: a push does not deploy through DESTRUCTIVE in staging, which would then
    # stop before Build_and_Prepare, where giving way is decided.
    destructive, normal = play(rehearsal, load_scenario("together"))
    assert (destructive.name, normal.name) == (
        "DESTRUCTIVE_Deploy_Spryker_spryker-demo-staging",
        "NORMAL_Deploy_Spryker_spryker-demo-staging",
    )
    assert destructive.status == "Failed"
    assert "NORMAL_Deploy_Spryker_spryker-demo-staging started earlier and still runs" in (
        step(destructive, "Build_and_Prepare").message
    )
    assert normal.status == "Succeeded"
    state = rehearsal.state()
    assert state["ecr"]["spryker-demo-staging-boffice_eu"]["sccos-deployed"] == commit
    assert state["ssm"]["/spryker-demo-staging/last_deployed_version"] == commit
    assert all(args != "-r EU/destructive --no-ansi -vvv" for _, args, _ in tools(rehearsal))


DYNAMIC_STORE = """\
version: '0.1'
namespace: spryker-dms
image:
  tag: spryker/php:8.3
  environment:
    SPRYKER_DYNAMIC_STORE_MODE: true
    SPRYKER_HOOK_DESTRUCTIVE_INSTALL: 'vendor/bin/install -r EU/destructive --no-ansi -vvv'
regions:
  EU:
    services:
      broker:
        namespace: eu-docker
      key_value_store:
        namespace: 1
      search:
        namespace: eu_search
groups:
  EU:
    region: EU
    applications:
      boffice:
        application: backoffice
      yves:
        application: yves
"""


def test_destructive_deployment_of_a_dynamic_store_file_resets_its_region_vhost(
    tmp_path: Path, broker: RabbitMQ
) -> None:
    """Defect: the broker step read per-store namespaces only, so region vhosts of
    dynamic-store files were never created nor reset."""
    from tests.rehearsal.conftest import environment_context, synthesize

    shop = tmp_path / "shop"
    shop.mkdir()
    deploy_file = shop / "deploy.spryker-dms-staging.yml"
    deploy_file.write_text(DYNAMIC_STORE)
    services = {"boffice": "boffice", "yves": "yves", "frontend": "frontend", "jenkins": "jenkins"}
    context = environment_context("spryker-dms-staging", deploy_file, services)
    assembly = synthesize(tmp_path / "cdk.out", context)
    with Rehearsal(assembly, "sccos-spryker-dms-staging", rabbit=broker) as rehearsal:
        # A queue left from before: a reset vhost no longer has it.
        broker.request("PUT", "/vhosts/eu-docker")
        broker.request("PUT", "/queues/eu-docker/leftover", {"durable": True})
        # Started by hand with the head as DESIRED_VERSION: a push does not deploy through
        # DESTRUCTIVE in staging (it would refuse before any broker step).
        version = {"DESIRED_VERSION": rehearsal.source.head()}
        execution = rehearsal.start("destructive", trigger="manual", variables=version).run()
        assert execution.status == "Succeeded", [s.message for s in execution.steps if s.message]
        assert rehearsal.state()["rabbitmq"]["vhosts"] == ["/", "eu-docker"]
        assert broker.request("GET", "/queues/eu-docker") == []
        install = [c for c in rehearsal.standin_calls() if c["program"] == "vendor/bin/install"]
        assert [(" ".join(c["args"]), c["env"]["SPRYKER_PIPELINE_TYPE"]) for c in install] == [
            ("-r EU/destructive --no-ansi -vvv", "destructive")
        ]


def _policy_edit(assembly: Path, tmp_path: Path, edit: Any) -> Path:
    """A copy of the assembly whose template `edit(template)` changed."""

    copy = tmp_path / "edited.out"
    shutil.copytree(assembly, copy)
    path = copy / f"{EXAMPLE_STACK}.template.json"
    template = json.loads(path.read_text())
    edit(template)
    path.write_text(json.dumps(template))
    return copy


def _statements(template: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::IAM::Policy":
            yield from resource["Properties"]["PolicyDocument"]["Statement"]


def test_the_authorizer_fails_a_step_whose_role_lacks_a_permission(
    example_assembly: Path, broker: RabbitMQ, tmp_path: Path
) -> None:
    def drop_batch_get_image_from_hooks(template: dict[str, Any]) -> None:
        for statement in _statements(template):
            actions = (
                statement["Action"]
                if isinstance(statement["Action"], list)
                else [statement["Action"]]
            )
            if "ecr:BatchGetImage" in actions and "ecr:PutImage" not in actions:
                statement["Action"] = [a for a in actions if a != "ecr:BatchGetImage"]

    edited = _policy_edit(example_assembly, tmp_path, drop_batch_get_image_from_hooks)
    with Rehearsal(edited, EXAMPLE_STACK, rabbit=broker) as rehearsal:
        execution = rehearsal.start().run()
    assert execution.status == "Failed"
    failed = execution.steps[-1]
    assert failed.stage == "Run_pre-deploy_hook"
    assert "is not authorized to perform: ecr:BatchGetImage on resource: " in failed.message
    assert ":repository/spryker-demo-staging-boffice_eu" in failed.message


def test_a_short_service_arn_in_the_deny_blocks_the_environments_own_services(
    example_assembly: Path, broker: RabbitMQ, tmp_path: Path
) -> None:
    """Defect 1 as it was: the Deny on ecs:UpdateService listed `service/<name>` ARNs, which
    never match the long `service/<cluster>/<name>` ARNs of services created since 2021."""

    def short_arns(template: dict[str, Any]) -> None:
        for statement in _statements(template):
            if statement.get("Effect") == "Deny" and "ecs:UpdateService" in statement["Action"]:
                statement["Action"] = "ecs:UpdateService"  # as it was, without DescribeServices
                statement["NotResource"] = [
                    "arn:aws:ecs:eu-central-1:123456789012:service/"
                    + json.dumps(arn).rsplit("/", 1)[1].split('"')[0]
                    for arn in statement["NotResource"]
                ]

    edited = _policy_edit(example_assembly, tmp_path, short_arns)
    with Rehearsal(edited, EXAMPLE_STACK, rabbit=broker) as rehearsal:
        execution = rehearsal.start().run()
    assert execution.status == "Failed"
    failed = execution.steps[-1]
    assert (failed.stage, failed.action) == ("Deploy_Scheduler", "jenkins")
    assert "is not authorized to perform: ecs:UpdateService" in failed.message
    assert "with an explicit deny in an identity-based policy" in failed.message


@pytest.mark.parametrize(
    ("name", "outcomes"),
    [
        # first-deployment, lost-push and together are played in detail above.
        ("redeploy", [("NORMAL_Deploy_Spryker_spryker-demo-staging", "Succeeded")] * 2),
        # by hand, with DESIRED_VERSION {HEAD}: DESTRUCTIVE does not deploy on push in staging
        ("destructive", [("DESTRUCTIVE_Deploy_Spryker_spryker-demo-staging", "Succeeded")]),
        (
            "failing-install",
            [("NORMAL_Deploy_Spryker_spryker-demo-staging", "Succeeded")],
        ),  # retried
    ],
)
def test_built_in_scenarios_end_as_documented(
    rehearsal: Rehearsal, name: str, outcomes: list[tuple[str, str]]
) -> None:
    executions = play(rehearsal, load_scenario(name))
    assert [(e.name, e.status) for e in executions] == outcomes
