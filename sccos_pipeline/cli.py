"""`sccos-pipeline`: validate deploy files, render buildspecs and plans, without AWS or CDK.

Exit codes: 0 fine, 1 a file has errors (with --strict: or warnings), 2 usage errors.
Output goes to stdout only once everything it needs has succeeded; problems go to stderr.
To add a subcommand, give it a module under command/ (its SUMMARY, DESCRIPTION, EXAMPLES,
`arguments` and `run`, as command/plan.py) and add a `Command` to COMMANDS.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .command import about, buildspec, diff, plan, validate
from .command.about import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from .command.options import UsageError
from .core.deployfile.findings import DeployFileError, Finding
from .rehearsal import command as rehearse

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


COMMANDS: tuple[Command, ...] = (
    Command(
        "validate",
        validate.SUMMARY,
        validate.DESCRIPTION,
        validate.EXAMPLES,
        validate.arguments,
        validate.run,
    ),
    Command(
        "buildspec",
        buildspec.SUMMARY,
        buildspec.DESCRIPTION,
        buildspec.EXAMPLES,
        buildspec.arguments,
        buildspec.run,
    ),
    Command(
        "plan",
        plan.SUMMARY,
        plan.DESCRIPTION,
        plan.EXAMPLES,
        plan.arguments,
        plan.run,
    ),
    Command(
        "diff",
        diff.SUMMARY,
        diff.DESCRIPTION,
        diff.EXAMPLES,
        diff.arguments,
        diff.run,
        diff.EXIT_CODES,
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
            epilog += "\n\n" + validate.codes_help()
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
