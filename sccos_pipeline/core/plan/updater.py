"""The plan of ECS-updater-<project>: Parameter Store variables brought to the running services.

Spryker's variables live at /{project}/{environment}/{type}/{bucket}/{grant}/{name}, and a
change reaches the containers only when an ECS-updater pipeline runs (Spryker's "Add variables
in the Parameter Store":
https://docs.spryker.com/docs/ca/dev/add-variables-in-the-parameter-store.html).
Its one step, Update_ECS_services, checks the whole tree first (a reserved name
refuses the run before any service changes), then gives each service's container the tree's
variables of its bucket (`app` for applications and frontend, `scheduler` for Jenkins, `common`
for all) as `secrets` that name the parameters, and restarts its tasks: ECS reads such values
only when a task starts
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html).
It ends when every service is stable again.

The pipeline starts by hand only. The services' task execution role reads the parameters when
a task starts; that role is not ours (docs/operating.md and a construct annotation say so).
"""

from __future__ import annotations

import shlex
from itertools import groupby

from .. import naming
from ..deployfile.applications import service_names
from ..deployfile.model import DeployModel
from ..scripts import script_code
from ..stages import PipelineKind
from . import permissions as can
from .model import (
    EXECUTION_ID,
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
from .shell import SKIP_WHEN_CREATED, spec

UPDATE_SERVICES = "UpdateServices"  # the project's construct id: a public contract
SCHEDULER = "jenkins"
STABLE_ATTEMPTS = 3  # `aws ecs wait services-stable` gives up after 10 minutes; 30 in all
WAIT_BATCH = 10  # DescribeServices takes at most 10 services

# Runs the update script's own resolver for each bucket (its main() does not run: the text is
# executed under another __name__), so that every problem is known before anything changes.
_CHECK_TREE = """\
import os, sys
script = {"__name__": "sccos_update_service"}
exec(os.environ["SCCOS_UPDATE_SERVICE"], script)
problems = []
for bucket in sys.argv[2:]:
    try:
        script["tree_variables"](sys.argv[1], bucket)
    except script["ScriptError"] as exc:
        problems += [p for p in str(exc).splitlines() if p not in problems]
if problems:
    sys.exit("No service was changed: the variables of " + sys.argv[1] + " break Spryker's "
             "rules\\n" + "\\n".join(problems))
print("The variables of " + sys.argv[1] + " follow Spryker's rules")
"""

UPDATER_PERMISSIONS = (
    can.READ_VARIABLES,
    can.describe_services(),
    can.update_services(),
    can.DESCRIBE_TASK_DEFINITIONS,
    can.register_task_definitions(),
    can.tag_new_task_definitions(),
    can.PASS_TASK_ROLES,
    can.trigger_of(PipelineKind.ECS_UPDATER),
)


def bucket(service_key: str) -> str:
    """The variables' bucket of an ECS service: Jenkins is the scheduler, the rest apps."""
    return "scheduler" if service_key == SCHEDULER else "app"


def updater_buildspec(model: DeployModel, options: PlanOptions) -> dict[str, object]:
    """Update_ECS_services: check the tree, update every service, wait until all are stable."""
    keys = [*service_names(model), SCHEDULER]
    targets = [(key, *options.service(model.project, key).split("/", 1)) for key in keys]
    q = shlex.quote
    updates = [
        f"update {q(cluster)} {q(service)} {q(options.container(key))} {bucket(key)}"
        for key, cluster, service in targets
    ]
    waits = []
    for cluster, group in groupby(sorted(targets, key=lambda t: t[1]), key=lambda t: t[1]):
        names = [service for _, _, service in group]
        for start in range(0, len(names), WAIT_BATCH):
            batch = " ".join(q(n) for n in names[start : start + WAIT_BATCH])
            waits.append(f"stable {q(cluster)} {batch}")
    script = "\n".join(
        [
            "set -euo pipefail",
            SKIP_WHEN_CREATED,
            f'python3 -c {q(_CHECK_TREE)} "$SCCOS_VARIABLE_TREE" '
            + " ".join(sorted({bucket(k) for k in keys})),
            "update() {  # cluster, service, container, bucket",
            '  python3 -c "$SCCOS_UPDATE_SERVICE" --cluster "$1" --service "$2" \\',
            '    --container "$3" --tree "$SCCOS_VARIABLE_TREE" --bucket "$4" \\',
            "    --force-new-deployment",
            "}",
            *updates,
            "stable() {  # cluster, services: wait for their new tasks, up to 30 minutes",
            "  cluster=$1; shift",
            f"  for attempt in {' '.join(str(n) for n in range(1, STABLE_ATTEMPTS + 1))}; do",
            '    if aws ecs wait services-stable --cluster "$cluster" --services "$@"; then',
            '      echo "Stable: $*"; return 0',
            "    fi",
            "  done",
            '  echo "Not stable after 30 minutes in $cluster: $*" >&2; return 1',
            "}",
            *waits,
        ]
    )
    return spec([script], variables={"SCCOS_UPDATE_SERVICE": script_code("update_service")})


def updater_projects(model: DeployModel, options: PlanOptions) -> list[PlanProject]:
    tree = options.variable_tree or naming.variable_tree(model.project)
    return [
        PlanProject(
            key=UPDATE_SERVICES,
            name=naming.ecs_updater_project(model.project),
            runs=f"bring the variables of {tree} to every ECS service and restart its tasks",
            buildspec=updater_buildspec(model, options),
            timeout_minutes=45,
            variables=(Variable("SCCOS_VARIABLE_TREE", tree),),
            permissions=UPDATER_PERMISSIONS,
        )
    ]


def updater_pipeline(model: DeployModel, options: PlanOptions) -> PipelinePlan:
    name = naming.pipeline(model.project, PipelineKind.ECS_UPDATER)
    step = naming.STEP_UPDATE_SERVICES
    return PipelinePlan(
        kind=PipelineKind.ECS_UPDATER,
        name=name,
        purpose="bring the Parameter Store variables to the ECS services and restart them",
        on_push=False,
        stages=(
            source_stage(),
            PlanStage(
                step,
                (
                    PlanAction(
                        step,
                        ActionKind.BUILD,
                        "each service's container gets its bucket's variables; new deployments",
                        project=UPDATE_SERVICES,
                        inputs=(SOURCE_ARTIFACT,),
                        variables={"SCCOS_PIPELINE": name, "SCCOS_EXECUTION_ID": EXECUTION_ID},
                    ),
                ),
            ),
        ),
    )
