"""Rehearsal scenarios of versions: which version a deployment deploys, and the Build pipeline.

Spryker's "Deploy in a production environment" keeps the version to deploy in
`/<project>/desired_version`; a run may name another (DESIRED_VERSION), `latest` is the last
built version, and a version whose images are missing is refused before the approval. Each
test plays a built-in scenario and checks what every execution did and the final state.
Expected values are written out literally; commits are the rehearsal's own, read from its
source before and after the scenario.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sccos_pipeline.rehearsal.codepipeline.execution import Execution
from sccos_pipeline.rehearsal.scenario import Run, Scenario, load_scenario, play
from sccos_pipeline.rehearsal.session import Rehearsal
from sccos_pipeline.rehearsal.world.rabbitmq import RabbitMQ
from tests.rehearsal.conftest import EXAMPLE_STACK, edit_assembly, needs_rabbitmq

pytestmark = [needs_rabbitmq, pytest.mark.scenario, pytest.mark.timeout(900)]

NORMAL = "NORMAL_Deploy_Spryker_spryker-demo-staging"
BUILD = "Build_Spryker_spryker-demo-staging"
VERSIONS = "Prepare_versions_information_for_Approval_stage"
PUSH, MANUAL = "WebhookV2", "StartPipelineExecution"
BOOT = "docker/sdk boot deploy.spryker-demo-staging.yml"
REPOSITORIES = [
    "spryker-demo-staging-boffice_eu",
    "spryker-demo-staging-backgw_eu",
    "spryker-demo-staging-yves_eu",
    "spryker-demo-staging-glue_eu",
    "spryker-demo-staging-frontend",
    "spryker-demo-staging-jenkins",
    "spryker-demo-staging-pipeline",
]


@pytest.fixture
def rehearsal(example_assembly: Path, broker: RabbitMQ) -> Iterator[Rehearsal]:
    with Rehearsal(example_assembly, EXAMPLE_STACK, rabbit=broker) as session:
        yield session


def runs(executions: list[Execution]) -> list[tuple[str, str, str]]:
    return [(e.name, e.trigger["triggerType"], e.status) for e in executions]


def built(execution: Execution) -> list[str]:
    """The Docker SDK's calls in an execution: empty when it built nothing."""
    return [
        command.removeprefix("[stand-in] ")
        for step in execution.steps
        for command in step.commands
        if command.startswith("[stand-in] docker/sdk")
    ]


def chosen(execution: Execution) -> str:
    """What Prepare_versions_information_for_Approval_stage decided, as its log says it."""
    [step] = [s for s in execution.steps if s.stage == VERSIONS]
    [line] = [line for line in step.log.splitlines() if line.startswith("Deployment version: ")]
    return line


def versions(last_built: str, desired: str, last_deployed: str) -> dict[str, str]:
    return {
        "/spryker-demo-staging/lastbuildversion": last_built,
        "/spryker-demo-staging/desired_version": desired,
        "/spryker-demo-staging/last_deployed_version": last_deployed,
    }


def services_at(version: str) -> dict[str, str]:
    return {
        "spryker-demo-staging-boffice": f"spryker-demo-staging-boffice_eu:{version}",
        "spryker-demo-staging-backgw": f"spryker-demo-staging-backgw_eu:{version}",
        "spryker-demo-staging-yves": f"spryker-demo-staging-yves_eu:{version}",
        "spryker-demo-staging-glue": f"spryker-demo-staging-glue_eu:{version}",
        "spryker-demo-staging-frontend": f"spryker-demo-staging-frontend:{version}",
        "spryker-demo-staging-jenkins": f"spryker-demo-staging-jenkins:{version}",
    }


def updates(state: dict[str, Any]) -> dict[str, int]:
    """How many times each service was updated (UpdateService)."""
    return {name: len(s["deployments"]) for name, s in state["ecs_services"].items()}


def hooks(rehearsal: Rehearsal) -> list[tuple[str, str, str]]:
    """(program, arguments, SPRYKER_BUILD_HASH seen) of the application's tools, in order."""
    return [
        (c["program"], " ".join(c["args"]), c["env"].get("SPRYKER_BUILD_HASH", ""))
        for c in rehearsal.standin_calls()
        if c["program"].startswith("vendor/bin/")
    ]


def first_deployment(version: str) -> list[tuple[str, str, str]]:
    return [
        ("vendor/bin/install", "-r EU/production --no-ansi -vvv", version),
        ("vendor/bin/console", "scheduler:setup -vvv --no-ansi", version),
    ]


def deployment(running: str, version: str) -> list[tuple[str, str, str]]:
    """Pre-deploy on the running version's image, then install on the new one."""
    return [
        ("vendor/bin/install", "-r EU/pre-deploy -vvv", running),
        ("vendor/bin/console", "scheduler:suspend -vvv --no-ansi", running),
        ("vendor/bin/install", "-r EU/production --no-ansi -vvv", version),
        ("vendor/bin/console", "scheduler:setup -vvv --no-ansi", version),
    ]


def test_desired_version_deploys_the_version_the_build_pipeline_built(
    rehearsal: Rehearsal,
) -> None:
    first = rehearsal.source.head()
    deployed, build, released = play(rehearsal, load_scenario("desired-version"))
    head = rehearsal.source.head()
    assert runs([deployed, build, released]) == [
        (NORMAL, PUSH, "Succeeded"),
        (BUILD, PUSH, "Succeeded"),
        (NORMAL, MANUAL, "Succeeded"),
    ]
    assert built(build) == [BOOT, f"docker/sdk export images -t {head} -d ecr"]
    assert chosen(released) == (
        f"Deployment version: {head} (from /spryker-demo-staging/desired_version)"
    )
    assert released.approval is not None
    assert released.approval.text == (
        f"{NORMAL}: deploy {head} over the last deployed version {first}"
    )
    assert built(released) == []  # the Build pipeline built it
    state = rehearsal.state()
    assert state["ssm"] == versions(head, head, head)
    assert state["ecs"] == services_at(head)
    assert hooks(rehearsal) == first_deployment(first) + deployment(first, head)


def test_a_run_given_desired_version_deploys_it_and_records_it(rehearsal: Rehearsal) -> None:
    older = rehearsal.source.head()
    first_build, second_build, released = play(rehearsal, load_scenario("override"))
    newer = rehearsal.source.head()
    assert runs([first_build, second_build, released]) == [
        (BUILD, PUSH, "Succeeded"),
        (BUILD, PUSH, "Succeeded"),
        (NORMAL, MANUAL, "Succeeded"),
    ]
    # desired_version named the newer commit; the run's variable wins, for this run only.
    assert released.pipeline_variables == {"DESIRED_VERSION": older}
    assert chosen(released) == (
        f"Deployment version: {older} (from the DESIRED_VERSION variable of this run)"
    )
    assert released.approval is not None
    assert released.approval.text == (
        f"{NORMAL}: deploy {older} over the last deployed version none"
    )
    assert built(released) == []
    state = rehearsal.state()
    assert state["ssm"] == versions(newer, newer, older)  # desired_version as the operator set it
    assert state["ecs"] == services_at(older)
    assert hooks(rehearsal) == first_deployment(older)


def test_a_rollback_deploys_the_earlier_version_on_its_own_images(rehearsal: Rehearsal) -> None:
    first = rehearsal.source.head()
    deployed, pushed, back = play(rehearsal, load_scenario("rollback"))
    second = rehearsal.source.head()
    assert runs([deployed, pushed, back]) == [
        (NORMAL, PUSH, "Succeeded"),
        (NORMAL, PUSH, "Succeeded"),
        (NORMAL, MANUAL, "Succeeded"),
    ]
    assert built(pushed) == [BOOT, f"docker/sdk export images -t {second} -d ecr"]
    assert back.approval is not None
    assert back.approval.text == (
        f"{NORMAL}: deploy {first} over the last deployed version {second}"
    )
    # Nothing built: no `docker/sdk boot` nor `export`; the first version's images are reused.
    assert built(back) == []
    [build] = [s for s in back.steps if s.stage == "Build_and_Prepare" == s.action]
    assert f"The images of {first} exist in ECR; nothing to build" in build.log.splitlines()
    state = rehearsal.state()
    assert state["ssm"] == versions(second, first, first)  # lastbuildversion unchanged
    assert state["ecs"] == services_at(first)
    # Every repository keeps what a rollback needs, on tags the lifecycle policy never expires
    # (cdk.repositories): the running version, the one last prepared, each deployed version.
    kept = {
        "sccos-desired": first, "sccos-deployed": first,
        f"sccos-deployed-{first}": first, f"sccos-deployed-{second}": second,
    }  # fmt: skip
    assert state["ecr"]["spryker-demo-staging-boffice_eu"] == {
        first: first, second: second, "latest": second, **kept,
    }  # fmt: skip
    assert {
        repository: {tag: at for tag, at in tags.items() if tag.startswith("sccos-")}
        for repository, tags in state["ecr"].items()
    } == {repository: kept for repository in REPOSITORIES}
    assert hooks(rehearsal) == (
        first_deployment(first) + deployment(first, second) + deployment(second, first)
    )


def test_a_version_never_built_is_refused_before_the_approval(rehearsal: Rehearsal) -> None:
    never = rehearsal.source.head()  # the scenario's first run commits on top of it
    deployed, refused = play(rehearsal, load_scenario("missing-image"))
    head = rehearsal.source.head()
    assert runs([deployed, refused]) == [(NORMAL, PUSH, "Succeeded"), (NORMAL, MANUAL, "Failed")]
    assert [(s.stage, s.status) for s in refused.steps] == [
        ("Source", "Succeeded"),
        (VERSIONS, "Failed"),
    ]
    missing = [
        f"spryker-demo-staging-boffice_eu:{never}",
        f"spryker-demo-staging-backgw_eu:{never}",
        f"spryker-demo-staging-yves_eu:{never}",
        f"spryker-demo-staging-glue_eu:{never}",
        f"spryker-demo-staging-frontend:{never}",
        f"spryker-demo-staging-jenkins:{never}",
        f"spryker-demo-staging-pipeline:{never}",
    ]
    assert (
        f"Version {never} cannot be deployed: no image {' '.join(missing)}. "
        "Build it first (the Build pipeline builds every pushed commit)."
    ) in refused.steps[-1].message.splitlines()
    # Each lookup's status is recorded, whatever it returned (issue 13, item 15).
    assert "No such file or directory" not in refused.steps[-1].log
    assert refused.approval is None
    assert built(refused) == []
    state = rehearsal.state()
    # desired_version is as the operator set it; nothing else moved.
    assert state["ssm"] == versions(head, never, head)
    assert state["ecs"] == services_at(head)
    assert set(updates(state).values()) == {1}  # the first deployment's update only
    assert state["ecr"]["spryker-demo-staging-yves_eu"] == {
        head: head, "latest": head,
        "sccos-desired": head, "sccos-deployed": head, f"sccos-deployed-{head}": head,
    }  # fmt: skip
    assert hooks(rehearsal) == first_deployment(head)


def test_the_build_pipeline_builds_each_commit_once_and_deploys_nothing(
    rehearsal: Rehearsal,
) -> None:
    deployed_version = rehearsal.source.head()
    deployed, build, again = play(rehearsal, load_scenario("build"))
    commit = rehearsal.source.head()
    assert runs([deployed, build, again]) == [
        (NORMAL, PUSH, "Succeeded"),
        (BUILD, PUSH, "Succeeded"),
        (BUILD, PUSH, "Succeeded"),
    ]
    assert [s.stage for s in build.steps] == ["Source", "Build_Push_if_not_exist"]
    assert built(build) == [BOOT, f"docker/sdk export images -t {commit} -d ecr"]
    assert built(again) == []
    assert f"The images of {commit} exist in ECR; nothing to build" in (
        again.steps[-1].log.splitlines()
    )
    state = rehearsal.state()
    assert {repository: tags.get(commit) for repository, tags in state["ecr"].items()} == {
        "spryker-demo-staging-boffice_eu": commit,
        "spryker-demo-staging-backgw_eu": commit,
        "spryker-demo-staging-yves_eu": commit,
        "spryker-demo-staging-glue_eu": commit,
        "spryker-demo-staging-frontend": commit,
        "spryker-demo-staging-jenkins": commit,
        "spryker-demo-staging-pipeline": commit,
    }
    assert state["ssm"] == versions(commit, "none", deployed_version)  # none: the operator's
    assert state["ecs"] == services_at(deployed_version)
    assert set(updates(state).values()) == {1}
    assert hooks(rehearsal) == first_deployment(deployed_version)


def test_latest_deploys_the_last_built_version_not_the_newest_commit(
    rehearsal: Rehearsal,
) -> None:
    last_built = rehearsal.source.head()
    build, released = play(rehearsal, load_scenario("latest"))
    newest = rehearsal.source.head()  # committed by the release's run, never built
    assert runs([build, released]) == [(BUILD, PUSH, "Succeeded"), (NORMAL, MANUAL, "Succeeded")]
    assert chosen(released) == (
        f"Deployment version: {last_built} "
        "(from /spryker-demo-staging/desired_version: latest, the last built version)"
    )
    assert released.approval is not None
    assert released.approval.text == (
        f"{NORMAL}: deploy {last_built} over the last deployed version none"
    )
    assert built(released) == []
    state = rehearsal.state()
    assert state["ssm"] == versions(last_built, "latest", last_built)  # latest stays latest
    assert state["ecs"] == services_at(last_built)
    assert newest not in state["ecr"]["spryker-demo-staging-boffice_eu"]


def no_deploy_on_push(template: dict[str, Any]) -> None:
    """NORMAL as in production: a push does not choose the version (SCCOS_DEPLOY_ON_PUSH)."""
    [pipeline] = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::CodePipeline::Pipeline" and r["Properties"]["Name"] == NORMAL
    ]
    [action] = [a for s in pipeline["Stages"] for a in s["Actions"] if a["Name"] == VERSIONS]
    variables = json.loads(action["Configuration"]["EnvironmentVariables"])
    [switch] = [v for v in variables if v["name"] == "SCCOS_DEPLOY_ON_PUSH"]
    assert switch["value"] == "true"  # the example is a staging environment
    switch["value"] = "false"
    action["Configuration"]["EnvironmentVariables"] = json.dumps(variables)


PRODUCTION = Scenario(
    "production",
    "a commit built; a newer one pushed while desired_version names the built one",
    (
        Run("build"),
        Run(
            files={"src/pushed.txt": "pushed\n"},
            parameters={"/{project}/desired_version": "{HEAD~1}"},
        ),
    ),
)


def test_without_deploy_on_push_a_push_deploys_desired_version(
    example_assembly: Path, broker: RabbitMQ, tmp_path: Path
) -> None:
    """Production's flow (Spryker: a push builds, desired_version says what is deployed),
    on the example's template with SCCOS_DEPLOY_ON_PUSH false in NORMAL."""
    edited = edit_assembly(example_assembly, tmp_path / "out", template=no_deploy_on_push)
    with Rehearsal(edited, EXAMPLE_STACK, rabbit=broker) as rehearsal:
        desired = rehearsal.source.head()
        build, pushed = play(rehearsal, PRODUCTION)
        head = rehearsal.source.head()
        state = rehearsal.state()
    assert runs([build, pushed]) == [(BUILD, PUSH, "Succeeded"), (NORMAL, PUSH, "Succeeded")]
    assert chosen(pushed) == (
        f"Deployment version: {desired} (from /spryker-demo-staging/desired_version)"
    )
    assert built(pushed) == []
    assert state["ssm"] == versions(desired, desired, desired)
    assert state["ecs"] == services_at(desired)
    assert head not in state["ecr"]["spryker-demo-staging-boffice_eu"]


# Spryker's staging guide: desired_version `latest`, the Build pipeline builds every push.
BUILT_AS_LATEST = Scenario(
    "built-as-latest",
    "desired_version latest; a commit built by the Build pipeline",
    (Run("build", parameters={"/{project}/desired_version": "latest"}),),
)
REJECTED = Scenario(
    "rejected",
    "a newer commit pushed; NORMAL deploys it on push and the approver rejects it",
    (Run(files={"src/rejected.txt": "rejected at the approval\n"}, approve=False),),
)
RELEASED = Scenario(
    "released", "NORMAL released by hand (Release change)", (Run(trigger="manual"),)
)


def test_a_rejected_run_changes_no_parameter_and_no_image_tag(rehearsal: Rehearsal) -> None:
    """desired_version is the operator's: a run never writes it, whether it is rejected at the
    approval or deploys; the version a run deploys travels with the run.

    Spryker's "Deploy in a staging environment"
    (https://docs.spryker.com/docs/ca/dev/deploy-in-a-staging-environment.html): "Enter
    *latest* if you want to deploy the last built application version. [...] We recommend
    deploying *latest* in the staging environment to: [...] Avoid updating
    */spryker-staging/desired_version* during each deployment." and "If the deployment is
    successful, the */spryker-staging/lastdeployedversion* parameter [...] is updated with the
    application version you've deployed."
    """
    last_built = rehearsal.source.head()
    [build] = play(rehearsal, BUILT_AS_LATEST)
    assert runs([build]) == [(BUILD, PUSH, "Succeeded")]
    before = rehearsal.state()
    assert before["ssm"] == versions(last_built, "latest", "none")
    assert before["ecr"]["spryker-demo-staging-boffice_eu"] == {
        last_built: last_built, "latest": last_built,
    }  # fmt: skip

    [rejected] = play(rehearsal, REJECTED)
    pushed = rehearsal.source.head()
    assert runs([rejected]) == [(NORMAL, PUSH, "Failed")]
    assert [(s.stage, s.status) for s in rejected.steps] == [
        ("Source", "Succeeded"),
        (VERSIONS, "Succeeded"),
        ("Please_approve", "Failed"),
    ]
    assert chosen(rejected) == f"Deployment version: {pushed} (from the pushed commit ({PUSH}))"
    assert rejected.approval is not None
    assert (
        rejected.approval.text == f"{NORMAL}: deploy {pushed} over the last deployed version none"
    )
    after = rehearsal.state()
    # Nothing moved: no parameter (desired_version is still the operator's latest), no tag.
    assert after["ssm"] == versions(last_built, "latest", "none")
    assert after["ecr"] == before["ecr"]
    assert after["ecs_services"] == before["ecs_services"]

    # Release change deploys what desired_version says, latest, not the rejected commit.
    [released] = play(rehearsal, RELEASED)
    assert runs([released]) == [(NORMAL, MANUAL, "Succeeded")]
    assert chosen(released) == (
        f"Deployment version: {last_built} "
        "(from /spryker-demo-staging/desired_version: latest, the last built version)"
    )
    assert built(released) == []
    state = rehearsal.state()
    assert state["ssm"] == versions(last_built, "latest", last_built)
    assert state["ecs"] == services_at(last_built)
    assert pushed not in state["ecr"]["spryker-demo-staging-boffice_eu"]
    assert hooks(rehearsal) == first_deployment(last_built)
