"""Rollout_Scheduler_<project>: the scheduler (Jenkins) alone is deployed again on the version
that runs, and its jobs set up (Spryker's "Getting started with cloud administration" lists
Rollout Scheduler; "Add variables in the Parameter Store" runs it after scheduler variables
change: https://docs.spryker.com/docs/ca/dev/add-variables-in-the-parameter-store.html).

Prepare_scheduler_rollout reads `/<project>/last_deployed_version`, refuses `none` (nothing was
deployed), checks the scheduler image of that version exists and writes its image definitions;
Deploy_Scheduler is CodePipeline's ECS deployment of the jenkins service, as in the deployment
pipelines; Setup_scheduler reads the back office's variables as the deployments do for their
hooks (core.plan.hook_variables), then runs `vendor/bin/console scheduler:setup` on the back-office
image of the running version (`sccos-deployed`), after checking that the image is that version:
as the install hook step sets the scheduler up.

An execution started by the pipeline's creation stops itself in Prepare_scheduler_rollout
(StopPipelineExecution, "stop and wait"), before anything is deployed.
"""

from __future__ import annotations

import shlex
from dataclasses import replace
from typing import Any

from .. import naming
from ..deployfile.applications import hook_image_name
from ..deployfile.model import DeployModel
from ..stages import SCHEDULER_COMMAND, PipelineKind, Stage
from . import permissions as can
from .hook_buildspec import CHECK_IMAGE, NOTHING_DEPLOYED, source_variables
from .hook_variables import (
    VARIABLES_ARTIFACT,
    VARIABLES_FILE,
    hook_variables_action,
    kept_variables,
)
from .model import (
    DEFAULT_HOOK_SIZES,
    EXECUTION_ID,
    HOOK_IMAGE,
    SOURCE_ARTIFACT,
    ActionKind,
    PipelinePlan,
    PlanAction,
    PlanOptions,
    PlanProject,
    PlanStage,
    Variable,
    source_stage,
)
from .references import Placeholder
from .shell import REGISTRY, TRIGGER, missing_images, spec

# Construct ids: a public contract.
ROLLOUT, SETUP = "SchedulerRollout", "SchedulerSetup"
SCHEDULER = "jenkins"  # the ECS service key and image of the scheduler
ROLLOUT_NAMESPACE = "Rollout"
RUNNING_VERSION = "#{Rollout.RUNNING_VERSION}"
SCHEDULER_ARTIFACT = "SchedulerImage"
IMAGE_DEFINITIONS = f"imagedefinitions-{SCHEDULER}.json"


def rollout_buildspec(model: DeployModel, container: str) -> dict[str, Any]:
    repository = naming.ecr_repository(model.project, SCHEDULER)
    image = f'{REGISTRY}/{repository}:"$version"'
    stop = (
        "Started by the creation of the pipeline: stopped before anything is deployed. "
        "Start it by hand (Release change) to roll out the scheduler."
    )
    script = (
        "set -euo pipefail\n"
        f"{TRIGGER}\n"
        'if [ "$SCCOS_TRIGGER" = CreatePipeline ]; then\n'
        f"  echo {shlex.quote(stop)}\n"
        '  aws codepipeline stop-pipeline-execution --pipeline-name "$SCCOS_PIPELINE" \\\n'
        '    --pipeline-execution-id "$SCCOS_EXECUTION_ID" --no-abandon \\\n'
        f"    --reason {shlex.quote(stop)} >/dev/null\n"
        f"  echo '[]' > {IMAGE_DEFINITIONS}  # the artifact; an empty one deploys nothing\n"
        f"  export RUNNING_VERSION={NOTHING_DEPLOYED}\n"
        "else\n"
        '  version=$(aws ssm get-parameter --name "$SCCOS_LAST_DEPLOYED_PARAMETER" '
        "--query Parameter.Value --output text)\n"
        f'  if [ "$version" = {NOTHING_DEPLOYED} ]; then\n'
        '    echo "Nothing to roll out: no version runs yet" \\\n'
        f'      "($SCCOS_LAST_DEPLOYED_PARAMETER is {NOTHING_DEPLOYED}). Deploy a version" \\\n'
        '      "first: its Deploy_Scheduler deploys the scheduler too." >&2\n'
        "    exit 1\n"
        "  fi\n"
        "  " + missing_images(repository, "$version").replace("\n", "\n  ") + "\n"
        '  if [ -n "$missing" ]; then\n'
        '    echo "The running version $version has no scheduler image:$missing" >&2\n'
        "    exit 1\n"
        "  fi\n"
        f'  printf \'[{{"name":"%s","imageUri":"%s"}}]\' {shlex.quote(container)} '
        f"{image} > {IMAGE_DEFINITIONS}\n"
        f'  echo "Rolling out the scheduler ({SCHEDULER}) on the running version $version"\n'
        '  export RUNNING_VERSION="$version"\n'
        "fi"
    )
    result = spec([script], **{"exported-variables": ["RUNNING_VERSION"]})
    result["artifacts"] = {"files": [IMAGE_DEFINITIONS]}
    return result


def setup_buildspec(options: PlanOptions) -> dict[str, Any]:
    """Setup_scheduler: the scheduler's jobs from the running version's configuration, with the
    back office's variables (the project's own keep their values)."""
    own = ("SCCOS_APP_DIR", "SCCOS_EXPECTED_VERSION", *kept_variables(options))
    script = [
        "set -e",
        CHECK_IMAGE,
        source_variables(VARIABLES_ARTIFACT, VARIABLES_FILE, own),
        'cd "$SCCOS_APP_DIR"',
        SCHEDULER_COMMAND[Stage.INSTALL],
    ]
    return {
        "version": 0.2,
        "env": {"variables": {"SCCOS_APP_DIR": options.app_dir}},
        "phases": {"build": {"commands": ["\n".join(script)]}},
    }


def scheduler_projects(model: DeployModel, options: PlanOptions) -> list[PlanProject]:
    project = model.project
    size = DEFAULT_HOOK_SIZES[Stage.POST_DEPLOY]  # SCCOS's hook projects' size
    return [
        PlanProject(
            key=ROLLOUT,
            name=naming.scheduler_rollout_project(project),
            runs="refuse unless a version runs; write the image definitions of its scheduler",
            buildspec=rollout_buildspec(model, options.container(SCHEDULER)),
            variables=(
                Variable("AWS_ACCOUNT_ID", Placeholder.ACCOUNT),
                Variable(
                    "SCCOS_LAST_DEPLOYED_PARAMETER",
                    naming.ssm_parameter(project, naming.PARAMETER_LAST_DEPLOYED),
                ),
            ),
            permissions=(
                can.read_parameters(naming.PARAMETER_LAST_DEPLOYED),
                can.find_image(SCHEDULER),
                can.trigger_of(PipelineKind.ROLLOUT_SCHEDULER),
                can.stop_execution(PipelineKind.ROLLOUT_SCHEDULER),
            ),
        ),
        PlanProject(
            key=SETUP,
            name=naming.scheduler_setup_project(project),
            runs=f"{SCHEDULER_COMMAND[Stage.INSTALL]} on the running version's image",
            buildspec=setup_buildspec(options),
            image=HOOK_IMAGE + naming.IMAGE_TAG_DEPLOYED,
            compute=size.compute,
            timeout_minutes=size.timeout_minutes,
            in_vpc=True,  # the scheduler (Jenkins) is reached inside the VPC, as by the hooks
            variables=(
                Variable("SPRYKER_PROJECT_NAME", project),
                *(Variable(k, v) for k, v in options.hook_variables.items()),
            ),
        ),
    ]


def rollout_pipeline(model: DeployModel, options: PlanOptions) -> PipelinePlan:
    name = naming.pipeline(model.project, PipelineKind.ROLLOUT_SCHEDULER)
    hook_image = hook_image_name(model)
    return PipelinePlan(
        kind=PipelineKind.ROLLOUT_SCHEDULER,
        name=name,
        purpose="deploy the scheduler (Jenkins) again on the running version and set up its jobs",
        on_push=False,
        stages=(
            source_stage(),
            PlanStage(
                naming.STEP_SCHEDULER_ROLLOUT,
                (
                    PlanAction(
                        naming.STEP_SCHEDULER_ROLLOUT,
                        ActionKind.BUILD,
                        "the running version (last_deployed_version) and its scheduler image",
                        project=ROLLOUT,
                        inputs=(SOURCE_ARTIFACT,),
                        outputs=(SCHEDULER_ARTIFACT,),
                        namespace=ROLLOUT_NAMESPACE,
                        variables={"SCCOS_PIPELINE": name, "SCCOS_EXECUTION_ID": EXECUTION_ID},
                    ),
                ),
            ),
            PlanStage(
                naming.STEP_SCHEDULER,
                (
                    PlanAction(
                        SCHEDULER,
                        ActionKind.ECS_DEPLOY,
                        "the scheduler (Jenkins) gets the running version's image",
                        service=SCHEDULER,
                        inputs=(SCHEDULER_ARTIFACT,),
                        text=IMAGE_DEFINITIONS,
                    ),
                ),
            ),
            PlanStage(
                naming.STEP_SCHEDULER_SETUP,
                (
                    replace(hook_variables_action(model), run_order=1),
                    PlanAction(
                        naming.STEP_SCHEDULER_SETUP,
                        ActionKind.BUILD,
                        f"scheduler:setup on the running version's {hook_image} image",
                        run_order=2,
                        project=SETUP,
                        inputs=(SOURCE_ARTIFACT, VARIABLES_ARTIFACT),
                        variables={"SCCOS_EXPECTED_VERSION": RUNNING_VERSION},
                    ),
                ),
            ),
        ),
    )
