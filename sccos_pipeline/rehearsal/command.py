"""`sccos-pipeline rehearse`: run a synthesized pipeline on this machine and report.

Exit codes: 0 the (last) execution succeeded, 1 it failed, 2 the rehearsal could not run
(bad cloud assembly, unknown stack, RabbitMQ or Node missing, an occupied port, an internal
error).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from .errors import RehearsalError
from .scenario import BUILT_IN, PIPELINE_KINDS, load_scenario, play

EXIT_SUCCEEDED, EXIT_FAILED, EXIT_CANNOT_RUN = 0, 1, 2


SUMMARY = "run a synthesized pipeline end to end on this machine"
DESCRIPTION = (
    "Run one execution of a synthesized pipeline (or a scenario of several) from the cloud "
    "assembly, as CodePipeline and CodeBuild would: AWS APIs emulated by moto, every call "
    "authorized against the template's IAM policies, a real RabbitMQ, and stand-ins for the "
    "Docker SDK and the shop's vendor/bin tools. The report lists each step with its commands "
    "and AWS calls, then the final state."
)
EXAMPLES = (
    "  sccos-pipeline rehearse cdk.out --stack sccos-spryker-demo-staging\n"
    "  sccos-pipeline rehearse cdk.out --stack sccos-shop-prod --scenario failing-install "
    "--format json"
)
EXIT_CODES = """\
exit codes:
  0  the (last) execution succeeded
  1  it failed: the report says at which step and why
  2  the rehearsal could not run: a bad cloud assembly, an unknown stack, RabbitMQ or Node
     missing (make setup installs them), an occupied port, an internal error"""


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cdk_out", metavar="CDK_OUT", help="the cloud assembly, e.g. cdk.out")
    parser.add_argument("--stack", required=True, help="the stack, e.g. sccos-<environment>")
    parser.add_argument(
        "--pipeline",
        metavar="KIND|NAME",
        help=f"the pipeline every run of the scenario uses: a kind ({', '.join(PIPELINE_KINDS)}) "
        "or the pipeline's exact name; default: the scenario's (normal)",
    )
    parser.add_argument(
        "--source",
        metavar="DIR",
        help="the repository holding the deploy file; default: the folder of the deploy file "
        "the stack was synthesized from (a folder that is no git repository is committed to a "
        "temporary one)",
    )
    parser.add_argument(
        "--scenario",
        metavar="NAME|FILE",
        help=f"built-in ({', '.join(BUILT_IN)}) or a YAML file; default: first-deployment",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    # Imported here: the other commands never load moto, boto3 or the IAM simulator.
    from .report import report_json, report_text  # noqa: PLC0415
    from .session import Rehearsal  # noqa: PLC0415

    try:
        scenario = load_scenario(args.scenario)
        if args.pipeline:
            runs = tuple(dataclasses.replace(r, pipeline=args.pipeline) for r in scenario.runs)
            scenario = dataclasses.replace(scenario, runs=runs)
        source = Path(args.source) if args.source else None
        with Rehearsal(Path(args.cdk_out), args.stack, source=source) as rehearsal:
            executions = play(rehearsal, scenario)
            state = rehearsal.state()
    except RehearsalError as exc:
        sys.stderr.write(f"sccos-pipeline rehearse: {exc}\n")
        return EXIT_CANNOT_RUN
    except KeyboardInterrupt:
        sys.stderr.write("sccos-pipeline rehearse: interrupted; every server was stopped\n")
        return 130
    render = report_json if args.format == "json" else report_text
    sys.stdout.write(render(scenario.name, executions, state))
    return EXIT_SUCCEEDED if executions[-1].status == "Succeeded" else EXIT_FAILED
