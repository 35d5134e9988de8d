"""`sccos-pipeline`: validate deploy files, render buildspecs and plans, without AWS or CDK.

Exit codes: 0 fine, 1 a file has errors (with --strict: or warnings), 2 usage errors.
Output goes to stdout only once everything it needs has succeeded; problems go to stderr as
FILE:LINE:COL lines.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from .core.buildspec import buildspec_yaml
from .core.findings import DeployFileError, Finding, Severity
from .core.loader import Validation, load_deploy_file, validate_deploy_file
from .core.model import DeployModel
from .core.plan import build_plan, plan_mermaid, plan_text
from .core.stages import PipelineType, Stage

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sccos-pipeline",
        description="Check Spryker deploy files and show what the SCCOS pipelines will run.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--project",
            help="project (environment) name; default: from deploy.<name>.yml, else `namespace`",
        )
        sub.add_argument(
            "--project-root",
            help="folder holding config/deploy-templates and config/install; "
            "default: the nearest one at or above the deploy file",
        )

    validate = commands.add_parser("validate", help="check deploy files")
    validate.add_argument("files", nargs="+", metavar="FILE")
    validate.add_argument("--format", choices=("text", "json"), default="text")
    validate.add_argument("--strict", action="store_true", help="fail on warnings too")
    common(validate)

    buildspec = commands.add_parser("buildspec", help="print a hook stage's buildspec")
    buildspec.add_argument("file", metavar="FILE")
    buildspec.add_argument("--stage", required=True, choices=[s.value for s in Stage])
    buildspec.add_argument(
        "--pipeline",
        choices=[t.value for t in PipelineType],
        help="pin SPRYKER_PIPELINE_TYPE in the buildspec; default: set by the pipeline",
    )
    common(buildspec)

    plan = commands.add_parser("plan", help="print the steps of the pipelines")
    plan.add_argument("file", metavar="FILE")
    plan.add_argument("--pipeline", choices=[t.value for t in PipelineType], help="default: both")
    plan.add_argument("--format", choices=("text", "mermaid", "json"), default="text")
    common(plan)
    return parser


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


def _validate(args: argparse.Namespace, out: TextIO) -> int:
    results = [
        validate_deploy_file(f, project=args.project, project_root=args.project_root)
        for f in args.files
    ]
    failed = [
        r
        for r in results
        if not r.valid or (args.strict and any(f.severity is Severity.WARNING for f in r.findings))
    ]
    if args.format == "json":
        out.write(json.dumps([_validation_json(r) for r in results], indent=2) + "\n")
    else:
        for result in results:
            for finding in result.findings:
                out.write(finding.format() + "\n")
        errors = sum(len(r.errors) for r in results)
        warnings = sum(len(r.findings) - len(r.errors) for r in results)
        valid = sum(r.valid for r in results)
        out.write(
            f"{len(results)} file(s) checked: {valid} valid, {len(results) - valid} with errors; "
            f"{errors} error(s), {warnings} warning(s)\n"
        )
    return EXIT_FINDINGS if failed else EXIT_OK


def _render(args: argparse.Namespace) -> str:
    model = load_deploy_file(args.file, project=args.project, project_root=args.project_root)
    if args.command == "buildspec":
        pipeline_type = PipelineType(args.pipeline) if args.pipeline else None
        return buildspec_yaml(model, Stage(args.stage), pipeline_type=pipeline_type)
    types = [PipelineType(args.pipeline)] if args.pipeline else list(PipelineType)
    plans = [build_plan(model, t) for t in types]
    if args.format == "json":
        return json.dumps([p.to_json() for p in plans], indent=2) + "\n"
    render = plan_mermaid if args.format == "mermaid" else plan_text
    return "\n".join(render(p) for p in plans)


def _report(findings: list[Finding], err: TextIO) -> None:
    for finding in findings:
        err.write(finding.format() + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "validate":
            return _validate(args, sys.stdout)
        text = _render(args)  # everything is rendered before anything is written
        sys.stdout.write(text)
        return EXIT_OK
    except DeployFileError as exc:
        _report(exc.findings, sys.stderr)
        return EXIT_FINDINGS
    except BrokenPipeError:  # e.g. `| head`: nothing more to say
        sys.stderr.close()
        return EXIT_OK
    except Exception as exc:  # a defect of ours: say so in one line, never a traceback
        if os.environ.get("SCCOS_DEBUG"):
            raise
        sys.stderr.write(
            f"sccos-pipeline: internal error: {type(exc).__name__}: {exc} "
            "(set SCCOS_DEBUG=1 for details, and please report it)\n"
        )
        return EXIT_FINDINGS


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
