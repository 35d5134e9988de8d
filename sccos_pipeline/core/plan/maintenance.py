"""Maintenance_Enable_<project> and Maintenance_Disable_<project>: the frontend (nginx) serves
Spryker's maintenance pages, or stops serving them (Spryker's "Enable and disable maintenance
mode": https://docs.spryker.com/docs/ca/dev/manage-maintenance-mode/enable-and-disable-maintenance-mode.html).

The frontend image substitutes SPRYKER_MAINTENANCE_MODE_ENABLED into its nginx configuration
when its container starts (the Docker SDK's generator/src/templates/nginx/entrypoint.sh.twig),
and answers 503 with the maintenance page while the value is `1`
(http/application.server.conf.twig compares it with "1"; "true" would not switch it on). So
the switch is a new task definition revision of the frontend service with that one variable
changed (its tags kept), and a deployment of it; no other variable and no other service
changes. A container already set as asked registers nothing.

Who passes during maintenance is not the pipelines' to decide: the deploy file's
`docker.maintenance.whitelist.ips`, built into the frontend image (Spryker's "Configure access
to applications in maintenance mode":
https://docs.spryker.com/docs/ca/dev/manage-maintenance-mode/configure-access-to-applications-in-maintenance-mode.html).
The frontend's ALLOWED_IP is SCCOS's reserved address of the AWS gateway, which deploy files
exclude from basic auth; the pipelines never touch it.
"""

from __future__ import annotations

from .. import naming
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
from .references import Service, TaskDefinitions
from .shell import SKIP_WHEN_CREATED, spec

MAINTENANCE = "Maintenance"  # the project's construct id: a public contract
FRONTEND = "frontend"  # the ECS service key of the nginx frontend
MODE_VARIABLE = "SPRYKER_MAINTENANCE_MODE_ENABLED"
# What each pipeline asks for (SCCOS_MAINTENANCE), and the value nginx reads.
MODES = {PipelineKind.MAINTENANCE_ENABLE: "true", PipelineKind.MAINTENANCE_DISABLE: "false"}
_VALUE = {"true": "1", "false": "0"}


def maintenance_buildspec() -> dict[str, object]:
    """Switch_maintenance_mode: the frontend container's variables (core.scripts.update_service:
    a new revision only when one changes), then the service waited for until it is stable."""
    script = (
        "set -euo pipefail\n"
        f"{SKIP_WHEN_CREATED}\n"
        'case "$SCCOS_MAINTENANCE" in\n'
        + "".join(f"  {mode}) enabled={value} ;;\n" for mode, value in _VALUE.items())
        + '  *) echo "SCCOS_MAINTENANCE must be true or false, not $SCCOS_MAINTENANCE" >&2\n'
        "     exit 1 ;;\n"
        "esac\n"
        f"python3 -c \"$(cat <<'PY'\n{script_code('update_service').rstrip()}\nPY\n)\" \\\n"
        '  --cluster "$SCCOS_CLUSTER" --service "$SCCOS_SERVICE" \\\n'
        '  --container "$SCCOS_CONTAINER" \\\n'
        f'  --set "{MODE_VARIABLE}=$enabled"\n'
        'echo "Waiting until $SCCOS_SERVICE is stable"\n'
        'aws ecs wait services-stable --cluster "$SCCOS_CLUSTER" --services "$SCCOS_SERVICE"'
    )
    return spec([script])


def maintenance_projects(model: DeployModel, options: PlanOptions) -> list[PlanProject]:
    """One project for both pipelines; each action says which mode it switches to."""
    cluster, _, service = options.service(model.project, FRONTEND).partition("/")
    variables = (
        Variable("SCCOS_CLUSTER", cluster),
        Variable("SCCOS_SERVICE", service),
        Variable("SCCOS_CONTAINER", options.container(FRONTEND)),
    )
    return [
        PlanProject(
            key=MAINTENANCE,
            name=naming.maintenance_project(model.project),
            runs=f"set {MODE_VARIABLE} of the frontend service and redeploy it, if it changes",
            buildspec=maintenance_buildspec(),
            variables=variables,
            permissions=(
                can.describe_services(Service(FRONTEND)),
                can.update_services(Service(FRONTEND)),
                can.DESCRIBE_TASK_DEFINITIONS,
                can.register_task_definitions(TaskDefinitions(FRONTEND)),
                # update_service keeps the revision's tags
                can.tag_new_task_definitions(TaskDefinitions(FRONTEND)),
                can.PASS_TASK_ROLES,
                can.trigger_of(*MODES),
            ),
        )
    ]


def maintenance_pipeline(model: DeployModel, kind: PipelineKind) -> PipelinePlan:
    mode = MODES[kind]
    name = naming.pipeline(model.project, kind)
    runs = f"{MODE_VARIABLE}={_VALUE[mode]} on the frontend service, redeployed if it changes"
    return PipelinePlan(
        kind=kind,
        name=name,
        purpose=(
            "show the maintenance page on every frontend (allowlisted IPs pass)"
            if mode == "true"
            else "end maintenance: the frontends serve the shop again"
        ),
        on_push=False,
        stages=(
            source_stage(),
            PlanStage(
                naming.STEP_MAINTENANCE,
                (
                    PlanAction(
                        naming.STEP_MAINTENANCE,
                        ActionKind.BUILD,
                        runs,
                        project=MAINTENANCE,
                        inputs=(SOURCE_ARTIFACT,),
                        variables={
                            "SCCOS_MAINTENANCE": mode,
                            "SCCOS_PIPELINE": name,
                            "SCCOS_EXECUTION_ID": EXECUTION_ID,
                        },
                    ),
                ),
            ),
        ),
    )


def enable_pipeline(model: DeployModel, options: PlanOptions) -> PipelinePlan:
    return maintenance_pipeline(model, PipelineKind.MAINTENANCE_ENABLE)


def disable_pipeline(model: DeployModel, options: PlanOptions) -> PipelinePlan:
    return maintenance_pipeline(model, PipelineKind.MAINTENANCE_DISABLE)
