"""`make bench`: synth and validation speed, scaling and limits, measured side by side.

Whole-process timings (time.perf_counter around subprocesses), medians over repeats, A/B runs
interleaved and ratios taken within the same run, because the machine is shared and noisy.
Prints a markdown report and writes it to benchmarks/results.md.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sccos_pipeline.app.settings import CONTEXT_KEY  # noqa: E402
from sccos_pipeline.core.deployfile.loader import load_deploy_file  # noqa: E402
from sccos_pipeline.core.plan.broker import broker_buildspec  # noqa: E402
from sccos_pipeline.core.plan.hook_buildspec import render_buildspec  # noqa: E402
from sccos_pipeline.core.plan.images import build_buildspec  # noqa: E402
from sccos_pipeline.core.plan.versions import (  # noqa: E402
    record_deployed_buildspec,
    versions_buildspec,
)
from sccos_pipeline.core.stages import Stage  # noqa: E402

PY = sys.executable
CORPUS = ROOT.parent / "shared" / "corpus" / "deploy-files"
EXAMPLE = ROOT / "examples" / "spryker-demo-staging" / "deploy.spryker-demo-staging.yml"
ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
    "AWS_EC2_METADATA_DISABLED": "true",
}
LIMITS = {
    "resources": 500,
    "template bytes": 1_000_000,
    "largest IAM policy bytes": 10_240,
    "largest buildspec characters": 25_600,  # CodeBuild's limit for an inline buildspec
}


def _tree_rss(root: int) -> int:
    """Resident memory of a process and all its descendants (Linux /proc), in bytes."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            statm = (entry / "statm").read_text().split()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        parents[int(entry.name)] = int(fields[1])
        rss[int(entry.name)] = int(statm[1]) * os.sysconf("SC_PAGE_SIZE")
    family, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent and p not in family]
        family.update(children)
        frontier += children
    return sum(rss.get(p, 0) for p in family)


def _tree_pss(root: int) -> int:
    """Proportional memory (PSS) of a process tree: forked children share their parent's
    pages, which RSS would count once per process."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            for line in (Path("/proc") / str(pid) / "smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def run_measured(
    cmd: Sequence[str], env: dict[str, str], memory: Callable[[int], int] | None = None
) -> tuple[float, int, bytes]:
    """Wall seconds of one whole process, its tree's peak `memory` when given, and its output."""
    peak = 0
    start = time.perf_counter()
    process = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    if memory is not None:
        measure = memory

        def sample() -> None:
            nonlocal peak
            while process.poll() is None:
                peak = max(peak, measure(process.pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample)
        sampler.start()
    out, err = process.communicate()
    elapsed = time.perf_counter() - start
    if memory is not None:
        sampler.join()
    if process.returncode != 0:
        raise SystemExit(
            f"benchmark command failed: {' '.join(cmd)}\n{out.decode()[-3000:]}"
            f"{err.decode()[-2000:]}"
        )
    return elapsed, peak, out


def timed(cmd: Sequence[str], env: dict[str, str], *, memory: bool = False) -> tuple[float, int]:
    """Wall seconds of one whole process, and its tree's peak resident memory when asked."""
    elapsed, peak, _ = run_measured(cmd, env, _tree_rss if memory else None)
    return elapsed, peak


def interleaved(
    a: Sequence[str], b: Sequence[str], env_a: dict[str, str], env_b: dict[str, str], pairs: int
) -> tuple[list[float], list[float]]:
    timed(a, env_a), timed(b, env_b)  # warm-up: file caches, bytecode
    times_a, times_b = [], []
    for _ in range(pairs):
        times_a.append(timed(a, env_a)[0])
        times_b.append(timed(b, env_b)[0])
    return times_a, times_b


def example_context(
    count: int = 1, deploy_file: Path = EXAMPLE, services: Sequence[str] | None = None
) -> dict[str, Any]:
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
    [base] = context[CONTEXT_KEY].values()
    base["deployFile"] = str(deploy_file)
    if services is not None:
        base["services"] = {k: {"name": f"svc-{k}", "container": k} for k in services}
    environments = {}
    for index in range(count):
        one = copy.deepcopy(base)
        one["project"] = f"demo-{index:02d}"
        environments[f"demo-{index:02d}"] = one
    context[CONTEXT_KEY] = environments
    return context


def synth_env(context: dict[str, Any], outdir: str) -> dict[str, str]:
    return {**ENV, "CDK_CONTEXT_JSON": json.dumps(context), "CDK_OUTDIR": outdir}


def write_buildspecs(work: Path) -> Path:
    """The example's buildspecs as data, for the hand-written app to hold as literals."""
    model = load_deploy_file(EXAMPLE)
    specs = {s.value: render_buildspec(model, s) for s in Stage}
    services = {
        k: k for k in ("boffice_eu", "backgw_eu", "yves_eu", "glue_eu", "frontend", "jenkins")
    }
    specs.update(
        build=build_buildspec(model, deploy_file=EXAMPLE.name, containers=services),
        broker=broker_buildspec(model),
        versions=versions_buildspec(model),
        record=record_deployed_buildspec(
            model, {"spryker-demo-staging/spryker-demo-staging-boffice": "boffice"}
        ),
    )
    spec_file = work / "buildspecs.json"
    spec_file.write_text(json.dumps(specs))
    return spec_file


def section_synth(pairs: int, work: Path, spec_file: Path) -> tuple[list[str], dict[str, float]]:
    ours = synth_env(example_context(), str(work / "ours"))
    theirs = {**ENV, "SCCOS_BENCH_BUILDSPECS": str(spec_file), "CDK_OUTDIR": str(work / "hand")}
    a, b = interleaved([PY, "app.py"], [PY, "benchmarks/handwritten/app.py"], ours, theirs, pairs)
    ratio = statistics.median(a) / statistics.median(b)
    lines = [
        "## 1. Synth: sccos_pipeline against the same resources written by hand",
        "",
        f"{pairs} interleaved pairs after a warm-up; one environment (the bundled example).",
        "",
        "| app | median s | min s | max s |",
        "|---|---|---|---|",
        f"| sccos_pipeline (`python app.py`) | {statistics.median(a):.2f} | {min(a):.2f} "
        f"| {max(a):.2f} |",
        f"| hand-written aws-cdk-lib | {statistics.median(b):.2f} | {min(b):.2f} | {max(b):.2f} |",
        "",
        f"Ratio (median ours / median hand-written): **{ratio:.2f}x** (goal ≤ 1.15x).",
    ]
    return lines, {"synth_ratio": ratio}


def section_scaling(
    sizes: Sequence[int], work: Path, spec_file: Path
) -> tuple[list[str], dict[str, float]]:
    """Our app and the hand-written one with N environments, interleaved at each N."""
    rows, ours, theirs = [], [], []
    for count in sizes:
        env = synth_env(example_context(count), str(work / f"scale-{count}"))
        seconds, peak = timed([PY, "app.py"], env, memory=True)
        hand_env = {
            **ENV,
            "SCCOS_BENCH_BUILDSPECS": str(spec_file),
            "SCCOS_BENCH_ENVIRONMENTS": str(count),
            "CDK_OUTDIR": str(work / f"hand-{count}"),
        }
        hand_seconds, hand_peak = timed(
            [PY, "benchmarks/handwritten/app.py"], hand_env, memory=True
        )
        ours.append((count, seconds))
        theirs.append((count, hand_seconds))
        rows.append(
            f"| {count} | {seconds:.2f} | {peak / 2**20:.0f} | {hand_seconds:.2f} "
            f"| {hand_peak / 2**20:.0f} |"
        )
    slope, intercept = statistics.linear_regression(*zip(*ours, strict=True))
    hand_slope, hand_intercept = statistics.linear_regression(*zip(*theirs, strict=True))
    return [
        "## 2. Scaling: environments per app",
        "",
        "Peak memory is the whole process tree: Python and the jsii Node.js runtime.",
        "",
        "| environments | ours s | ours MiB | hand-written s | hand-written MiB |",
        "|---|---|---|---|---|",
        *rows,
        "",
        f"Linear fit, ours: {intercept:.2f} s + **{slope:.3f} s per extra environment** "
        "(goal ≤ 0.10 s).",
        f"Linear fit, hand-written aws-cdk-lib: {hand_intercept:.2f} s + "
        f"**{hand_slope:.3f} s per extra environment**: the floor of CDK itself.",
    ], {"per_environment": slope, "per_environment_handwritten": hand_slope}


def section_validation(repeats: int) -> tuple[list[str], dict[str, float]]:
    files = sorted(str(p) for p in CORPUS.glob("*.yml"))
    if not files:
        return ["## 3. Validation", "", "Skipped: ../shared/corpus/deploy-files is absent."], {}
    bare = [
        PY,
        "-c",
        "import sys, yaml\nfor f in sys.argv[1:]:\n"
        "    yaml.load(open(f, 'rb'), Loader=yaml.CSafeLoader)",
        *files,
    ]
    ours = [PY, "-m", "sccos_pipeline", "validate", *files]
    a, b = interleaved(ours, bare, ENV, ENV, repeats)
    cold = [
        timed([PY, "-m", "sccos_pipeline", "validate", str(EXAMPLE)], ENV)[0]
        for _ in range(repeats)
    ]
    ratio = statistics.median(a) / statistics.median(b)
    return [
        "## 3. Validation",
        "",
        f"All {len(files)} real deploy files of ../shared/corpus (`spryker-shop/suite`, the "
        f"MIT-licensed ones) in one process; {repeats} interleaved pairs.",
        "",
        "| what | median s |",
        "|---|---|",
        f"| `sccos-pipeline validate` (all files) | {statistics.median(a):.3f} |",
        f"| bare `yaml.load(CSafeLoader)` (all files) | {statistics.median(b):.3f} |",
        f"| cold start: `sccos-pipeline validate` of one file | {statistics.median(cold):.3f} |",
        "",
        f"Ratio: **{ratio:.2f}x** the bare load (goal ≤ 2x); cold start **{statistics.median(cold):.3f} s** (goal < 0.3 s).",  # noqa: E501
    ], {"validate_ratio": ratio, "cold_start": statistics.median(cold)}


def deploy_file_with(applications: int, folder: Path) -> tuple[Path, list[str]]:
    """The example deploy file with `applications` non-static applications."""
    data = yaml.safe_load(EXAMPLE.read_text())
    kinds = ["backoffice", "yves", "glue", "backend-gateway", "backend-api", "merchant-portal"]
    apps = {
        f"app{i:02d}": {
            "application": kinds[i % len(kinds)],
            "endpoints": {f"a{i}.example.com": {"store": "DE"}},
        }
        for i in range(applications)
    }
    data["groups"] = {"EU-1": {"region": "EU", "applications": apps}}
    path = folder / f"deploy.apps-{applications}.yml"
    path.write_text(yaml.safe_dump(data))
    return path, [*apps, "frontend", "jenkins"]


def section_limits(counts: Sequence[int], work: Path) -> tuple[list[str], dict[str, float]]:
    rows, worst = [], 0.0
    for count in counts:
        deploy_file, services = deploy_file_with(count, work)
        outdir = work / f"limits-{count}"
        context = example_context(1, deploy_file, services)
        timed([PY, "app.py"], synth_env(context, str(outdir)))
        [template_file] = outdir.glob("*.template.json")
        template = json.loads(template_file.read_text())
        policies = [
            len(json.dumps(r["Properties"]["PolicyDocument"], separators=(",", ":")))
            for r in template["Resources"].values()
            if r["Type"] == "AWS::IAM::Policy"
        ]
        buildspecs = [
            len(r["Properties"]["Source"]["BuildSpec"])
            for r in template["Resources"].values()
            if r["Type"] == "AWS::CodeBuild::Project"
        ]
        measured = {
            "resources": len(template["Resources"]),
            "template bytes": template_file.stat().st_size,
            "largest IAM policy bytes": max(policies),
            "largest buildspec characters": max(buildspecs),
        }
        shares = {k: v / LIMITS[k] for k, v in measured.items()}
        worst = max(worst, *shares.values()) if count == max(counts) else worst
        rows.append(
            f"| {count} | " + " | ".join(f"{measured[k]} ({shares[k]:.0%})" for k in LIMITS) + " |"
        )
    return [
        "## 4. Limits: one environment's template by number of applications",
        "",
        "One environment with every pipeline (NORMAL, DESTRUCTIVE, Build, maintenance on and off, "
        "scheduler rollout, ECS-updater).",
        "",
        "| applications | resources (of 500) | template bytes (of 1 MB) | largest IAM policy bytes (of 10,240) | largest buildspec characters (of 25,600) |",  # noqa: E501
        "|---|---|---|---|---|",
        *rows,
        "",
        f"With {max(counts)} applications the highest share of a limit is **{worst:.0%}** "
        "(goal < 60%).",
    ], {"worst_limit_share": worst}


STACK = "sccos-spryker-demo-staging"


def section_rehearsal(work: Path) -> tuple[list[str], dict[str, float]]:
    """One rehearsed first deployment (whole command, and the execution's own steps), its
    process tree's peak memory (moto, the proxy, RabbitMQ, the IAM simulator, the AWS CLI),
    and the whole scenario set of the test suite."""
    out = work / "rehearsal.out"
    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    timed([PY, "app.py"], synth_env(context, str(out)))
    command = [PY, "-m", "sccos_pipeline", "rehearse", str(out), "--stack", STACK]
    whole, peak, stdout = run_measured([*command, "--format", "json"], ENV, _tree_pss)
    report = json.loads(stdout)
    steps = sum(step["duration"] for step in report["steps"])
    scenarios, _ = timed(
        [PY, "-m", "pytest", "-q", "-n", "2", "-m", "scenario", "-p", "no:cacheprovider",
         "tests/rehearsal"],
        ENV,
    )  # fmt: skip
    lines = [
        "## 5. Rehearsal",
        "",
        "The bundled example's first deployment through `sccos-pipeline rehearse`, and the "
        "scenario set (`make scenarios`, 2 workers).",
        "",
        "| what | measured | goal |",
        "|---|---|---|",
        f"| one normal deployment: the execution's steps | {steps:.1f} s | ≤ 15 s |",
        f"| the same, whole command (servers started and stopped) | {whole:.1f} s | |",
        f"| peak memory (PSS) of its process tree: moto, RabbitMQ, simulator, AWS CLI "
        f"| {peak / 2**20:.0f} MiB | ≤ 1024 MiB |",
        f"| the whole scenario set | {scenarios:.1f} s | ≤ 90 s |",
    ]
    return lines, {
        "rehearsal_steps_s": steps,
        "rehearsal_command_s": whole,
        "rehearsal_peak_mib": peak / 2**20,
        "scenarios_s": scenarios,
    }


def _merge(previous: Path, report: list[str]) -> list[str]:
    """The previous report with the sections just measured replaced (or added)."""

    def split(lines: list[str]) -> dict[str, list[str]]:
        parts: dict[str, list[str]] = {"": []}
        current = ""
        for line in lines:
            if line.startswith("## "):
                current = line
                parts[current] = []
            parts[current].append(line)
        return parts

    old = split(previous.read_text().splitlines()) if previous.exists() else {"": []}
    new = split(report)
    for heading, lines in new.items():
        if heading:
            old[heading] = lines
    old[""] = [*new[""][:4], "(Sections measured at different times: each says its own.)", ""]
    return [line for part in old.values() for line in part]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results.md"))
    parser.add_argument(
        "--only",
        choices=("validation", "synth", "scaling", "limits", "rehearsal"),
        action="append",
        help="run only these sections (repeatable); the report replaces just them",
    )
    args = parser.parse_args()
    pairs, repeats = (2, 3) if args.quick else (5, 10)
    sizes = (1, 5) if args.quick else (1, 5, 20, 50)
    report = [
        "# Benchmarks",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; `make bench`.",
        "",
    ]
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        spec_file = write_buildspecs(work)
        sections = {
            "validation": lambda: section_validation(repeats),
            "synth": lambda: section_synth(pairs, work, spec_file),
            "scaling": lambda: section_scaling(sizes, work, spec_file),
            "limits": lambda: section_limits((1, 10, 30), work),
            "rehearsal": lambda: section_rehearsal(work),
        }
        for name, section in sections.items():
            if args.only and name not in args.only:
                continue
            lines, values = section()
            figures.update(values)
            report += [*lines, ""]
            print("\n".join(lines) + "\n", flush=True)
    if args.only:  # keep the other sections of the last full run
        report = _merge(Path(args.output), report)
    Path(args.output).write_text("\n".join(report))
    print(f"written to {args.output}: {json.dumps({k: round(v, 3) for k, v in figures.items()})}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
