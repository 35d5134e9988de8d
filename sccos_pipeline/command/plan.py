"""`sccos-pipeline plan`: print the environment's pipelines and their steps."""

from __future__ import annotations

import argparse
import sys

from ..core.deployfile.loader import load_deploy_file
from ..core.plan.builder import PLANNED, build_environment_plan
from ..core.plan.model import PlanOptions
from ..core.plan.render import plan_json, plan_mermaid, plan_text
from ..core.stages import PipelineKind
from .about import EXIT_OK
from .sources import project_options

SUMMARY = "print the environment's pipelines and their steps"
DESCRIPTION = (
    "Print the plan of the environment: every pipeline (NORMAL and DESTRUCTIVE deployments, "
    "Build, maintenance, scheduler rollout, ECS-updater), its stages, and the CodeBuild "
    "project each runs; JSON adds each project's buildspec and permissions. The constructs "
    "build exactly this plan. Nothing on stdout unless the file is valid."
)
EXAMPLES = (
    "  sccos-pipeline plan deploy.shop-prod.yml --production\n"
    "  sccos-pipeline plan deploy.shop-staging.yml --pipeline normal --format mermaid"
)


def arguments(sub: argparse.ArgumentParser) -> None:
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
    project_options(sub)


def run(args: argparse.Namespace) -> int:
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
