"""The rehearsal's report: each step with its commands and AWS calls, then the final state."""

from __future__ import annotations

import json
from typing import Any

from .against_plan import MISSING, NOT_IN_THE_PLAN, against_plan
from .codepipeline.execution import Execution


def plan_json(execution: Execution) -> list[dict[str, str]] | None:
    """Each planned action of the execution's pipeline and what happened to it (against_plan);
    None when the assembly recorded no plan."""
    outcomes = {(step.stage, step.action): step.status for step in execution.steps}
    plan = execution.world.description.plan
    return against_plan(plan, execution.name, execution.definition["Stages"], outcomes)


def plan_lines(execution: Execution) -> list[str]:
    entries = plan_json(execution)
    if entries is None:
        return []
    width = len(MISSING)
    lines = ["  against the plan:"]
    for entry in entries:
        ran = f" (ran: {entry['ran']})" if entry["status"] == NOT_IN_THE_PLAN else ""
        lines.append(f"    {entry['status']:<{width}} {entry['stage']} / {entry['action']}{ran}")
    return lines


def execution_json(execution: Execution) -> dict[str, Any]:
    approval = execution.approval
    return {
        "pipeline": execution.name,
        "execution": execution.id,
        "status": execution.status,
        "trigger": execution.trigger,
        "variables": execution.pipeline_variables,
        "steps": [step.to_json() for step in execution.steps],
        "approval": ({"text": approval.text, "approved": approval.approved} if approval else None),
        "plan": plan_json(execution),
    }


def report_json(scenario: str, executions: list[Execution], state: dict[str, Any]) -> str:
    """The last execution at the top level (`pipeline`, `status`, `steps`, `approval`, `plan`),
    every execution under `runs`, and the final `state` (`ssm`, `ecr`, `ecs`, `ecs_services`,
    `rabbitmq`)."""
    last = execution_json(executions[-1])
    return json.dumps(
        {**last, "scenario": scenario, "runs": [execution_json(e) for e in executions],
         "state": state},
        indent=2,
    ) + "\n"  # fmt: skip


def report_text(scenario: str, executions: list[Execution], state: dict[str, Any]) -> str:
    lines = [f"Rehearsal: {scenario}"]
    for execution in executions:
        lines.append(f"\n{execution.name} ({execution.id}): {execution.status}")
        trigger = execution.trigger
        lines.append(f"  started by {trigger['triggerType']} ({trigger['triggerDetail']})")
        lines += [f"  variable {k} = {v}" for k, v in execution.pipeline_variables.items()]
        for step in execution.steps:
            lines.append(f"  {step.status:<9} {step.stage} / {step.action} ({step.duration:.1f} s)")
            lines += [f"      $ {line}" for c in step.commands for line in c.splitlines()[:1]]
            for call in step.calls:
                lines.append(f"      {call.decision:<16} {call.action} {call.resource}")
            if step.message:
                lines += [f"      ! {line}" for line in step.message.splitlines()]
        if execution.approval:
            verdict = "approved" if execution.approval.approved else "rejected"
            lines.append(f"  approval ({verdict}): {execution.approval.text}")
        lines += plan_lines(execution)
    lines.append("\nFinal state:")
    lines += [f"  ssm {name} = {value}" for name, value in state["ssm"].items()]
    for repository, tags in state["ecr"].items():
        shown = ", ".join(f"{tag} -> {rev[:12]}" for tag, rev in sorted(tags.items())) or "empty"
        lines.append(f"  ecr {repository}: {shown}")
    for service, details in state["ecs_services"].items():
        updates = details["deployments"]
        forced = sum(1 for u in updates if u["forceNewDeployment"])
        images = details.get("images") or {"": details["image"]}
        shown = ", ".join(f"{c}={i}" if c else i for c, i in images.items())
        lines.append(
            f"  ecs {service}: {shown} ({details['taskDefinition']}; "
            f"{len(updates)} update(s), {forced} forced)"
        )
        lines += [f"      env {k}={v}" for k, v in details["environment"].items()]
        lines += [f"      secret {k} from {v}" for k, v in details["secrets"].items()]
    broker = state["rabbitmq"]
    lines.append(f"  rabbitmq vhosts: {', '.join(broker['vhosts'])}")
    lines.append(f"  rabbitmq users: {', '.join(u['name'] for u in broker['users'])}")
    lines += [
        f"  rabbitmq permission {p['user']} on {p['vhost']}: "
        f"{p['configure']} {p['write']} {p['read']}"
        for p in broker["permissions"]
    ]
    return "\n".join(lines) + "\n"
