"""`sccos-pipeline`: validate deploy files, render buildspecs and plans, without AWS or CDK.

Exit codes: 0 fine, 1 a file has errors (with --strict: or warnings), 2 usage errors.
Output goes to stdout only once everything it needs has succeeded; problems go to stderr.
To add a subcommand, add a `Command` to COMMANDS.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .command import about, output
from .command.options import KEYS, TABLE, UsageError, load_config, selection
from .command.sources import PATTERNS, SKIPPED, deploy_files
from .core.buildspec import buildspec_yaml
from .core.environment import PLANNED, build_environment_plan
from .core.findings import CODES, DeployFileError, Finding, Severity
from .core.loader import Base, load_deploy_file, validate_deploy_file
from .core.plan import PlanOptions
from .core.render import plan_json, plan_mermaid, plan_text
from .core.stages import PipelineKind, PipelineType, Stage
from .rehearsal import command as rehearse

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

EXIT_CODES = """\
exit codes:
  0  success: no deploy file has an error (validate --strict: no reported warning either)
  1  a deploy file has an error (validate --strict: or a reported warning)
  2  usage error: bad arguments or configuration, a directory without deploy files,
     or a --base revision git cannot read; or an internal error"""


@dataclass(frozen=True)
class Command:
    """A subcommand: its help, its arguments and what runs it."""

    name: str
    summary: str  # one line in the top-level help
    description: str
    examples: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    exit_codes: str = EXIT_CODES


def _project_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--project",
        metavar="NAME",
        help="project (environment) name; default: from deploy.<name>.yml, else `namespace`",
    )
    sub.add_argument(
        "--project-root",
        metavar="DIR",
        help="folder holding config/deploy-templates and config/install; "
        "default: the nearest one at or above the deploy file",
    )


# validate


def _validate_arguments(sub: argparse.ArgumentParser) -> None:
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
    _project_options(sub)


def _codes_help() -> str:
    return "codes:\n" + "\n".join(
        f"  {code}  {severity.value:<7}  {meaning}" for code, (severity, meaning) in CODES.items()
    )


def _validate(args: argparse.Namespace) -> int:
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
        from .command.sarif import sarif_report  # noqa: PLC0415 - loads importlib.metadata

        text = sarif_report(results, Path.cwd())
    else:
        text = output.text(results)
    sys.stdout.write(text)
    warned = any(f.severity is Severity.WARNING for r in results for f in r.findings)
    return EXIT_FINDINGS if not all(r.valid for r in results) or (strict and warned) else EXIT_OK


def _bases(files: list[str], ref: str) -> dict[str, Base]:
    from .command.gitbase import base_versions  # noqa: PLC0415 - subprocess only with --base

    return base_versions(files, ref)


# buildspec and plan


def _buildspec_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("file", metavar="FILE", help="the deploy file")
    sub.add_argument(
        "--stage",
        required=True,
        choices=[s.value for s in Stage],
        help="the hook stage whose buildspec to print",
    )
    sub.add_argument(
        "--pipeline",
        choices=[t.value for t in PipelineType],
        help="pin SPRYKER_PIPELINE_TYPE in the buildspec; default: set by the pipeline",
    )
    _project_options(sub)


def _buildspec(args: argparse.Namespace) -> int:
    model = load_deploy_file(args.file, project=args.project, project_root=args.project_root)
    pipeline_type = PipelineType(args.pipeline) if args.pipeline else None
    sys.stdout.write(buildspec_yaml(model, Stage(args.stage), pipeline_type=pipeline_type))
    return EXIT_OK


def _plan_arguments(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("file", metavar="FILE", help="the deploy file")
    sub.add_argument(
        "--pipeline",
        action="append",
        choices=[k.value for k in PLANNED],
        metavar="KIND",
        help=f"a pipeline to show, repeatable: {', '.join(k.value for k in PLANNED)}; "
        "default: every one",
    )
    sub.add_argument(
        "--production",
        action="store_true",
        help="plan a production environment: NORMAL does not start on push, no DESTRUCTIVE",
    )
    sub.add_argument(
        "--format",
        choices=("text", "mermaid", "json"),
        default="text",
        help="text (default), a Mermaid flowchart, or JSON",
    )
    _project_options(sub)


def _plan(args: argparse.Namespace) -> int:
    model = load_deploy_file(args.file, project=args.project, project_root=args.project_root)
    kinds = args.pipeline or [k.value for k in PLANNED]
    if args.production and not args.pipeline:
        kinds = [k for k in kinds if k != PipelineKind.DESTRUCTIVE]
    options = PlanOptions(
        pipelines=tuple(PipelineKind(k) for k in kinds), production=args.production
    )
    plan = build_environment_plan(model, options)
    render = {"json": plan_json, "mermaid": plan_mermaid, "text": plan_text}[args.format]
    text = render(plan)
    sys.stdout.write(text)  # rendered whole before anything is written
    return EXIT_OK


COMMANDS: tuple[Command, ...] = (
    Command(
        "validate",
        "check deploy files and report findings",
        "Check deploy files the way the Docker SDK reads them and report errors and warnings as "
        "FILE:LINE:COL lines, JSON or SARIF, in file order.\n\n"
        f"Defaults come from [tool.{TABLE}] in the nearest pyproject.toml at or above the "
        f"current directory (keys: {', '.join(KEYS)}); options given here replace them.",
        "  sccos-pipeline validate .\n"
        "  sccos-pipeline validate deploy.shop-prod.yml --strict --ignore SCC101,SCC102\n"
        "  sccos-pipeline validate . --base origin/main --format sarif > sccos.sarif",
        _validate_arguments,
        _validate,
    ),
    Command(
        "buildspec",
        "print the buildspec of a hook stage",
        "Print the CodeBuild buildspec a hook stage runs for the deploy file; nothing on stdout "
        "unless the file is valid.",
        "  sccos-pipeline buildspec deploy.shop-prod.yml --stage install --pipeline destructive",
        _buildspec_arguments,
        _buildspec,
    ),
    Command(
        "plan",
        "print the environment's pipelines and their steps",
        "Print the plan of the environment: every pipeline (NORMAL and DESTRUCTIVE deployments, "
        "Build, maintenance, scheduler rollout, ECS-updater), its stages, and the CodeBuild "
        "project each runs; JSON adds each project's buildspec and permissions. The constructs "
        "build exactly this plan. Nothing on stdout unless the file is valid.",
        "  sccos-pipeline plan deploy.shop-prod.yml --production\n"
        "  sccos-pipeline plan deploy.shop-staging.yml --pipeline normal --format mermaid",
        _plan_arguments,
        _plan,
    ),
    Command(
        "rehearse",
        rehearse.SUMMARY,
        rehearse.DESCRIPTION,
        rehearse.EXAMPLES,
        rehearse.arguments,
        rehearse.run,
        rehearse.EXIT_CODES,
    ),
)


class _Version(argparse.Action):
    """--version, reading the package metadata only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        sys.stdout.write(about.version_line() + "\n")
        parser.exit()


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=28)


def _paragraphs(text: str) -> str:
    return "\n\n".join(textwrap.fill(p, 88) for p in text.split("\n\n"))


def _parser() -> argparse.ArgumentParser:
    examples = "\n".join(c.examples for c in COMMANDS)
    parser = argparse.ArgumentParser(
        prog=about.NAME,
        description="Check Spryker deploy files and show what the SCCOS pipelines will run.",
        epilog=f"{EXIT_CODES}\n\nexamples:\n{examples}\n\n"
        f"`{about.NAME} COMMAND --help` describes each command.",
        formatter_class=_formatter,
    )
    parser.add_argument("--version", action=_Version)
    commands = parser.add_subparsers(dest="command", required=True, title="commands")
    for command in COMMANDS:
        epilog = f"{command.exit_codes}\n\nexamples:\n{command.examples}"
        if command.name == "validate":
            epilog += "\n\n" + _codes_help()
        sub = commands.add_parser(
            command.name,
            help=command.summary,
            description=_paragraphs(command.description),
            epilog=epilog,
            formatter_class=_formatter,
        )
        command.arguments(sub)
        sub.set_defaults(run=command.run)
    return parser


def _report(findings: list[Finding]) -> None:
    for finding in findings:
        sys.stderr.write(finding.format() + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        code: int = args.run(args)
        return code
    except UsageError as exc:
        sys.stderr.write(f"{about.NAME} {args.command}: error: {exc}\n")
        return EXIT_USAGE
    except DeployFileError as exc:
        _report(exc.findings)
        return EXIT_FINDINGS
    except BrokenPipeError:  # e.g. `| head`: nothing more to say
        sys.stderr.close()
        return EXIT_OK
    except Exception as exc:  # a defect of ours: say so in one line, never a traceback
        if os.environ.get("SCCOS_DEBUG"):
            raise
        sys.stderr.write(
            f"{about.NAME}: internal error: {type(exc).__name__}: {exc} "
            "(set SCCOS_DEBUG=1 for details, and please report it)\n"
        )
        return EXIT_USAGE  # could not run: never read as a deploy file's error


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
