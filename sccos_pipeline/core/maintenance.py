"""Maintenance_Enable_<project> and Maintenance_Disable_<project>: the frontend (nginx) serves
Spryker's maintenance pages, or stops serving them (Spryker's "Enable and disable maintenance
mode": https://docs.spryker.com/docs/ca/dev/manage-maintenance-mode/enable-and-disable-maintenance-mode.html).

The frontend image substitutes SPRYKER_MAINTENANCE_MODE_ENABLED and ALLOWED_IP into its nginx
configuration when its container starts (the Docker SDK's generator/src/templates/nginx/
entrypoint.sh.twig), and answers 503 with the maintenance page while the value is `1`
(http/application.server.conf.twig compares it with "1"; "true" would not switch it on). So
the switch is a new task definition revision of the frontend service with the variable
changed, and a deployment of it; no other service changes. A container already set as asked
registers nothing.
"""

from __future__ import annotations

import ipaddress
import shlex
from collections.abc import Sequence

from . import naming
from . import permissions as can
from .companions import source_stage
from .model import DeployModel
from .plan import (
    EXECUTION_ID,
    SOURCE_ARTIFACT,
    ActionKind,
    PipelinePlan,
    PlanAction,
    PlanOptions,
    PlanProject,
    PlanStage,
    Variable,
)
from .shell import SKIP_WHEN_CREATED, spec
from .stages import PipelineKind

MAINTENANCE = "Maintenance"  # the project's construct id: a public contract
FRONTEND = "frontend"  # the ECS service key of the nginx frontend
MODE_VARIABLE = "SPRYKER_MAINTENANCE_MODE_ENABLED"
ALLOWED_IP_VARIABLE = "ALLOWED_IP"
# What each pipeline asks for (SCCOS_MAINTENANCE), and the value nginx reads.
MODES = {PipelineKind.MAINTENANCE_ENABLE: "true", PipelineKind.MAINTENANCE_DISABLE: "false"}
_VALUE = {"true": "1", "false": "0"}

# The task definition keys RegisterTaskDefinition takes back from DescribeTaskDefinition; the
# others (ARN, revision, status, registeredAt, ...) are ECS's own.
_REGISTERED = (
    "family taskRoleArn executionRoleArn networkMode containerDefinitions volumes "
    "placementConstraints requiresCompatibilities cpu memory pidMode ipcMode proxyConfiguration "
    "inferenceAccelerators ephemeralStorage runtimePlatform enableFaultInjection"
)

# python3 -c SCRIPT CURRENT NEXT NAME=VALUE...: sets the variables in the environment of the
# container $SCCOS_CONTAINER; writes NEXT (RegisterTaskDefinition's input) only if one changed.
# No single quote in it: it is embedded in single quotes.
_SET_VARIABLES = f"""\
import json, os, sys
current, target, pairs = sys.argv[1], sys.argv[2], sys.argv[3:]
definition = json.load(open(current))
name = os.environ["SCCOS_CONTAINER"]
found = [c for c in definition["containerDefinitions"] if c["name"] == name]
if not found:
    sys.exit(definition["taskDefinitionArn"] + " has no container " + name)
environment = found[0].setdefault("environment", [])
secrets = {{s["name"] for s in found[0].get("secrets") or []}}
changed = False
for pair in pairs:
    key, value = pair.split("=", 1)
    if key in secrets:
        sys.exit(key + " is a secret of the container " + name + ": not overwritten")
    entries = [e for e in environment if e["name"] == key]
    if [e.get("value") for e in entries] == [value]:
        print(key, "is", value, "already")
        continue
    print(key + ":", entries[0].get("value") if entries else "(unset)", "->", value)
    if entries:
        entries[0]["value"] = value
        environment[:] = [e for e in environment if e["name"] != key or e is entries[0]]
    else:
        environment.append({{"name": key, "value": value}})
    changed = True
if changed:
    keys = "{_REGISTERED}".split()
    kept = {{k: definition[k] for k in keys if definition.get(k) not in (None, [], "")}}
    json.dump(kept, open(target, "w"))
"""


def allowed_ip_problems(ips: Sequence[str]) -> list[str]:
    """Why these cannot be the frontend's ALLOWED_IP. The Docker SDK's nginx templates have put
    it in one `allow ${ALLOWED_IP};` directive, which takes one address or CIDR range."""
    problems = []
    if len(ips) > 1:
        problems.append(
            f"has {len(ips)} entries; ALLOWED_IP holds one address or CIDR range (nginx `allow`)"
            ". Allowlist more in the deploy file: docker.maintenance.whitelist.ips"
        )
    for ip in ips:
        try:
            ipaddress.ip_network(ip, strict=False)
        except ValueError:
            problems.append(f"has {ip!r}, not an IP address or CIDR range")
    return problems


def maintenance_buildspec() -> dict[str, object]:
    """Switch_maintenance_mode: the frontend container's variables, a new revision only when
    one changes, then the service updated and waited for."""
    script = (
        "set -euo pipefail\n"
        f"{SKIP_WHEN_CREATED}\n"
        'case "$SCCOS_MAINTENANCE" in\n'
        + "".join(f"  {mode}) enabled={value} ;;\n" for mode, value in _VALUE.items())
        + '  *) echo "SCCOS_MAINTENANCE must be true or false, not $SCCOS_MAINTENANCE" >&2\n'
        "     exit 1 ;;\n"
        "esac\n"
        'running=$(aws ecs describe-services --cluster "$SCCOS_CLUSTER" \\\n'
        "  --services \"$SCCOS_SERVICE\" --query 'services[0].taskDefinition' --output text)\n"
        'if [ "$running" = None ]; then\n'
        '  echo "No service $SCCOS_SERVICE in the cluster $SCCOS_CLUSTER" >&2; exit 1\n'
        "fi\n"
        'echo "$SCCOS_SERVICE runs $running"\n'
        'aws ecs describe-task-definition --task-definition "$running" --query taskDefinition '
        "--output json > running.json\n"
        "rm -f next.json\n"
        f"python3 -c {shlex.quote(_SET_VARIABLES)} running.json next.json "
        f'"{MODE_VARIABLE}=$enabled" '
        f'${{SCCOS_ALLOWED_IP:+"{ALLOWED_IP_VARIABLE}=$SCCOS_ALLOWED_IP"}}\n'
        "if [ ! -e next.json ]; then\n"
        '  echo "Nothing to change: $SCCOS_SERVICE keeps running $running"\n'
        "else\n"
        "  registered=$(aws ecs register-task-definition --cli-input-json file://next.json \\\n"
        "    --query taskDefinition.taskDefinitionArn --output text)\n"
        '  aws ecs update-service --cluster "$SCCOS_CLUSTER" --service "$SCCOS_SERVICE" \\\n'
        '    --task-definition "$registered" --query service.serviceName --output text\n'
        '  echo "$SCCOS_SERVICE deploys $registered; waiting until it is stable"\n'
        '  aws ecs wait services-stable --cluster "$SCCOS_CLUSTER" --services "$SCCOS_SERVICE"\n'
        "fi"
    )
    return spec([script])


def maintenance_projects(model: DeployModel, options: PlanOptions) -> list[PlanProject]:
    """One project for both pipelines; each action says which mode it switches to."""
    problems = allowed_ip_problems(options.maintenance_allowed_ips)
    if problems:
        raise ValueError("maintenance_allowed_ips " + "; ".join(problems))
    cluster, _, service = options.service(model.project, FRONTEND).partition("/")
    variables = [
        Variable("SCCOS_CLUSTER", cluster),
        Variable("SCCOS_SERVICE", service),
        Variable("SCCOS_CONTAINER", options.container(FRONTEND)),
    ]
    if options.maintenance_allowed_ips:
        variables.append(Variable("SCCOS_ALLOWED_IP", options.maintenance_allowed_ips[0]))
    return [
        PlanProject(
            key=MAINTENANCE,
            name=naming.maintenance_project(model.project),
            runs=f"set {MODE_VARIABLE} of the frontend service and redeploy it, if it changes",
            buildspec=maintenance_buildspec(),
            variables=tuple(variables),
            permissions=(
                can.describe_services(f"service:{FRONTEND}"),
                can.update_services(f"service:{FRONTEND}"),
                can.DESCRIBE_TASK_DEFINITIONS,
                can.REGISTER_TASK_DEFINITIONS,
                can.PASS_TASK_ROLES,
                can.trigger_of(*(k.value for k in MODES)),
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
