"""The environment plan as text, as one Mermaid flowchart (a subgraph per pipeline), or JSON."""

from __future__ import annotations

import json

from .model import HOOK_IMAGE, ActionKind, EnvironmentPlan, PipelinePlan, PlanAction


def _where(plan: EnvironmentPlan, action: PlanAction) -> str:
    if action.kind is ActionKind.SOURCE:
        return "CodePipeline source"
    if action.kind is ActionKind.APPROVAL:
        return "CodePipeline manual approval, notifying the approval topic"
    if action.kind is ActionKind.ECS_DEPLOY:
        return f"ECS deploy of service {action.service}"
    project = plan.projects[action.project or ""]
    image = (
        f"the back-office image tagged {project.image.removeprefix(HOOK_IMAGE)}"
        if project.image.startswith(HOOK_IMAGE)
        else "CodeBuild standard image" + (" with Docker" if project.privileged else "")
    )
    return f"{image} [{project.name}]"


def pipeline_text(plan: EnvironmentPlan, pipeline: PipelinePlan) -> str:
    trigger = "starts on push" if pipeline.on_push else "started by hand"
    lines = [f"{pipeline.name}: {pipeline.purpose} ({trigger})"]
    for variable in pipeline.variables:
        lines.append(
            f"  variable {variable.name} (default {variable.default}): {variable.description}"
        )
    for number, stage in enumerate(pipeline.stages, 1):
        if len(stage.actions) == 1:
            action = stage.actions[0]
            lines.append(f"  {number:>2}. {stage.name}: {action.runs}")
            lines.append(f"      on: {_where(plan, action)}")
            continue
        lines.append(f"  {number:>2}. {stage.name}: {len(stage.actions)} actions")
        for action in stage.actions:
            lines.append(f"      | {action.name} (run order {action.run_order}): {action.runs}")
            lines.append(f"      |   on: {_where(plan, action)}")
    lines += [f"   -  {name}: left out (no commands configured)" for name in pipeline.left_out]
    return "\n".join(lines) + "\n"


def plan_text(plan: EnvironmentPlan) -> str:
    return "\n".join(pipeline_text(plan, p) for p in plan.pipelines)


def _label(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def plan_mermaid(plan: EnvironmentPlan) -> str:
    """One flowchart: a subgraph per pipeline, its stages in a chain, side-by-side actions
    hanging off their stage."""
    lines = ["flowchart TD"]
    for pipeline in plan.pipelines:
        prefix = pipeline.kind.value.replace("-", "_")
        lines.append(f'  subgraph {prefix}["{_label(pipeline.name)}"]')
        previous = None
        for index, stage in enumerate(pipeline.stages):
            node = f"{prefix}{index}"
            detail = ""
            if len(stage.actions) == 1:
                action = stage.actions[0]
                if action.project:
                    detail = f"<br/>{_label(plan.projects[action.project].name)}"
                detail += f"<br/><i>{_label(action.runs)}</i>"
            lines.append(f'    {node}["{_label(stage.name)}{detail}"]')
            if previous:
                lines.append(f"    {previous} --> {node}")
            if len(stage.actions) > 1:
                for offset, action in enumerate(stage.actions):
                    lines.append(f'    {node} -.- {node}a{offset}(["{_label(action.name)}"])')
            previous = node
        lines.append("  end")
    return "\n".join(lines) + "\n"


def plan_json(plan: EnvironmentPlan) -> str:
    return json.dumps(plan.to_json(), indent=2) + "\n"
