"""What `validate` prints: text lines, JSON, or SARIF; findings in file order in each."""

from __future__ import annotations

import json
from collections.abc import Iterable

from ..core.deployfile.findings import Finding, Severity
from ..core.deployfile.loader import Validation
from ..core.deployfile.model import DeployModel
from ..core.stages import Stage

FORMATS = ("text", "json", "sarif")


def in_order(findings: Iterable[Finding]) -> list[Finding]:
    """Every finding once (two deploy files may run the same recipe), in file order."""
    return sorted(set(findings), key=Finding.sort_key)


def text(results: list[Validation]) -> str:
    findings = in_order(f for r in results for f in r.findings)
    errors = sum(f.severity is Severity.ERROR for f in findings)
    valid = sum(r.valid for r in results)
    lines = [f.format() for f in findings]
    lines.append(
        f"{len(results)} file(s) checked: {valid} valid, {len(results) - valid} with errors; "
        f"{errors} error(s), {len(findings) - errors} warning(s)"
    )
    return "\n".join(lines) + "\n"


def json_report(results: list[Validation]) -> str:
    return json.dumps([_validation_json(r) for r in results], indent=2) + "\n"


def _hooks_json(model: DeployModel) -> dict[str, dict[str, str]]:
    return {
        stage.value: {t.value: h.command for t, h in model.stage_hooks(stage).items()}
        for stage in Stage
    }


def _validation_json(result: Validation) -> dict[str, object]:
    model = result.model
    return {
        "file": result.file,
        "valid": result.valid,
        "project": model.project if model else None,
        "findings": [f.to_json() for f in result.findings],
        "image": model.image if model else None,
        "hooks": _hooks_json(model) if model else None,
        "applications": (
            [{"name": a.name, "type": a.type, "group": a.group} for a in model.applications]
            if model
            else None
        ),
        "stores": (
            [
                {"name": s.name, "region": s.region, "broker_namespace": s.broker_namespace}
                for s in model.stores
            ]
            if model
            else None
        ),
    }
