"""An execution held against the plan the construct recorded (`core.plan.model`, in the cloud
assembly's metadata): what happened to each planned action, and where the template differs.

Statuses: `succeeded` and `failed` (its last attempt), `not reached`, `not in the plan` (the
template has the action, the plan does not: an escape hatch added it; `ran` then tells what
happened to it) and `missing from the template` (planned, but not in the template).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Key = tuple[str, str]  # (stage, action)

NOT_REACHED = "not reached"
NOT_IN_THE_PLAN = "not in the plan"
MISSING = "missing from the template"


def compare(
    planned: Sequence[Key], actual: Sequence[Key], outcomes: Mapping[Key, str]
) -> list[dict[str, str]]:
    """Every planned action in the plan's order, each action only the template has after the
    template's action before it. `outcomes`: the last status of each action that ran."""
    order = list(planned)
    after = -1  # where the template's next unplanned action goes
    for key in actual:
        if key in order:
            after = order.index(key)
        else:
            after += 1
            order.insert(after, key)
    entries = []
    for stage, action in order:
        ran = outcomes.get((stage, action), NOT_REACHED).lower()
        entry = {"stage": stage, "action": action, "status": ran}
        if (stage, action) not in actual:
            entry["status"] = MISSING
        elif (stage, action) not in planned:
            entry |= {"status": NOT_IN_THE_PLAN, "ran": ran}
        entries.append(entry)
    return entries


def against_plan(
    plan: Mapping[str, Any] | None,
    pipeline: str,
    stages: Sequence[Mapping[str, Any]],
    outcomes: Mapping[Key, str],
) -> list[dict[str, str]] | None:
    """The comparison for `pipeline`, whose template `stages` ran with `outcomes`; None when
    the assembly recorded no plan (synthesized before the construct did)."""
    if plan is None:
        return None
    found = [p for p in plan.get("pipelines", []) if p["name"] == pipeline]
    planned = [(s["name"], a["name"]) for p in found[:1] for s in p["stages"] for a in s["actions"]]
    actual = [(s["Name"], a["Name"]) for s in stages for a in s["Actions"]]
    return compare(planned, actual, outcomes)
