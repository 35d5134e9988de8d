"""`sccos-pipeline buildspec`: print the buildspec of a hook stage."""

from __future__ import annotations

import argparse
import sys

from ..core.deployfile.loader import load_deploy_file
from ..core.plan.hook_buildspec import buildspec_yaml
from ..core.stages import PipelineType, Stage
from .about import EXIT_OK
from .sources import project_options

SUMMARY = "print the buildspec of a hook stage"
DESCRIPTION = (
    "Print the CodeBuild buildspec a hook stage runs for the deploy file; nothing on stdout "
    "unless the file is valid."
)
EXAMPLES = "  sccos-pipeline buildspec deploy.shop-prod.yml --stage install --pipeline destructive"


def arguments(sub: argparse.ArgumentParser) -> None:
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
    project_options(sub)


def run(args: argparse.Namespace) -> int:
    model = load_deploy_file(args.file, project=args.project, project_root=args.project_root)
    pipeline_type = PipelineType(args.pipeline) if args.pipeline else None
    sys.stdout.write(buildspec_yaml(model, Stage(args.stage), pipeline_type=pipeline_type))
    return EXIT_OK
