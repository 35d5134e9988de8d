"""`sccos-pipeline validate`: check deploy files and report findings."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core.deployfile.findings import CODES, Severity
from ..core.deployfile.loader import Base, validate_deploy_file
from . import output
from .about import EXIT_FINDINGS, EXIT_OK
from .options import KEYS, TABLE, load_config, selection
from .sources import PATTERNS, SKIPPED, deploy_files, project_options

SUMMARY = "check deploy files and report findings"
DESCRIPTION = (
    "Check deploy files the way the Docker SDK reads them and report errors and warnings as "
    "FILE:LINE:COL lines, JSON or SARIF, in file order.\n\n"
    f"Defaults come from [tool.{TABLE}] in the nearest pyproject.toml at or above the "
    f"current directory (keys: {', '.join(KEYS)}); options given here replace them."
)
EXAMPLES = (
    "  sccos-pipeline validate .\n"
    "  sccos-pipeline validate deploy.shop-prod.yml --strict --ignore SCC101,SCC102\n"
    "  sccos-pipeline validate . --base origin/main --format sarif > sccos.sarif"
)


def arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help=f"deploy file, or directory searched recursively for {' and '.join(PATTERNS)} "
        f"(skipping {', '.join(f'{d}/' for d in sorted(SKIPPED))} and config/deploy-templates/)",
    )
    sub.add_argument(
        "--format",
        choices=output.FORMATS,
        help="text lines (default), JSON per file, or SARIF 2.1.0 for code scanning",
    )
    sub.add_argument(
        "--strict",
        action=argparse.BooleanOptionalAction,
        help="fail on reported warnings too (--no-strict overrides the configuration)",
    )
    sub.add_argument(
        "--select",
        metavar="CODES",
        help="report only these warnings: comma-separated codes or prefixes (SCC1 = SCC1xx)",
    )
    sub.add_argument(
        "--ignore",
        metavar="CODES",
        help="do not report these warnings; the more specific of --select and --ignore wins. "
        "Error codes cannot be ignored",
    )
    sub.add_argument(
        "--base",
        metavar="REF",
        help="git revision to compare with, for SCC114 (a changed pre-deploy hook); "
        "without it SCC114 is not reported",
    )
    project_options(sub)


def codes_help() -> str:
    return "codes:\n" + "\n".join(
        f"  {code}  {severity.value:<7}  {meaning}" for code, (severity, meaning) in CODES.items()
    )


def run(args: argparse.Namespace) -> int:
    config = load_config(Path.cwd(), output.FORMATS)
    chosen = selection(args.select, args.ignore, config)
    strict = args.strict if args.strict is not None else bool(config.strict)
    form = args.format or config.format or "text"
    files = deploy_files(args.paths)
    bases = _bases(files, args.base) if args.base else {}
    results = [
        chosen.apply(
            validate_deploy_file(
                f, project=args.project, project_root=args.project_root, base=bases.get(f)
            )
        )
        for f in files
    ]
    results.sort(key=lambda r: r.file)
    if form == "json":
        text = output.json_report(results)
    elif form == "sarif":
        from .sarif import sarif_report  # noqa: PLC0415 - loads importlib.metadata

        text = sarif_report(results, Path.cwd())
    else:
        text = output.text(results)
    sys.stdout.write(text)
    warned = any(f.severity is Severity.WARNING for r in results for f in r.findings)
    return EXIT_FINDINGS if not all(r.valid for r in results) or (strict and warned) else EXIT_OK


def _bases(files: list[str], ref: str) -> dict[str, Base]:
    from .gitbase import base_versions  # noqa: PLC0415 - subprocess only with --base

    return base_versions(files, ref)
