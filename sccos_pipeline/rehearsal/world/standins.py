"""Stand-ins for the tools this machine cannot run, keeping each real tool's command line.

- `docker/sdk` (Spryker's Docker SDK): `boot FILE` and `export images -t TAG -d ecr`, which
  pushes one manifest per expected repository and tag to the emulated ECR, as the SDK's
  `bin/sdk/images/baked/ecr.sh` does: every application of the deploy file (not `static`),
  lower-cased, as `<project>-<application>`, plus `-frontend`, `-jenkins` and `-pipeline`;
  each `:TAG` and `:latest`. Like the SDK, a lost push does not fail the export.
- `docker` (only `login` is used), and `git clone` of the Docker SDK, which lays out the SDK
  stand-in instead of fetching it (other git commands run the real git).
- The application's `vendor/bin/install` and `vendor/bin/console`, laid into each image.
Every call is appended to a JSON-lines log; a scenario's knobs (a lost push, exit codes, more
variables for the application's tools to record) are read from a JSON file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import sys
from pathlib import Path
from typing import Any

# The Docker SDK's images besides one per application (bin/sdk/images/baked/ecr.sh).
SDK_EXTRA_IMAGES = ("frontend", "jenkins", "pipeline")
MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json"
LAYER_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip"
REHEARSAL_KEY = "sccosRehearsal"  # where a stand-in image keeps its ENV, inside its manifest
RECORDED_ENV = ("SPRYKER_PIPELINE_TYPE", "SPRYKER_PROJECT_NAME", "SPRYKER_BUILD_HASH")


def record(log: Path, program: str, args: list[str], **extra: Any) -> None:
    entry = {
        "program": program,
        "args": args,
        "cwd": os.getcwd(),
        "build": os.environ.get("CODEBUILD_BUILD_ID", ""),  # builds may run at the same time
        **extra,
    }
    with log.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry) + "\n")


def _config(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_standins(bin_dir: Path, log: Path, config: Path) -> None:
    """Executable stand-ins in `bin_dir` (first on the builds' PATH)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    python = shlex.quote(sys.executable)
    # This very package, not whichever one the interpreter would find (another checkout's).
    root = str(Path(__file__).resolve().parents[3])
    entry = (
        f"import sys; sys.path.insert(0, {root!r}); "
        "from sccos_pipeline.rehearsal.world.standins import main; "
        f"main({str(log)!r}, {str(config)!r})"
    )
    for name in ("docker", "git", "sdk", "app-tool"):
        script = (
            bin_dir / f"sccos-standin-{name}" if name in ("sdk", "app-tool") else bin_dir / name
        )
        script.write_text(
            f'#!/bin/sh\nSCCOS_STANDIN={name} exec {python} -c {shlex.quote(entry)} "$0" "$@"\n',
            encoding="utf-8",
        )
        script.chmod(0o755)


def lay_application(app_dir: Path, bin_dir: Path) -> None:
    """The application's vendor/bin tools, inside an image's application folder."""
    vendor = app_dir / "vendor" / "bin"
    vendor.mkdir(parents=True, exist_ok=True)
    for tool in ("install", "console"):
        target = vendor / tool
        target.write_text(
            f'#!/bin/sh\nexec {shlex.quote(str(bin_dir / "sccos-standin-app-tool"))} "$0" "$@"\n',
            encoding="utf-8",
        )
        target.chmod(0o755)


def main(log_path: str, config_path: str) -> None:
    """Entry point of every stand-in script: argv[1] is how it was called."""
    log, config = Path(log_path), _config(Path(config_path))
    kind = os.environ.get("SCCOS_STANDIN", "")
    # Scripts in the shop's tree (docker/sdk, vendor/bin/*) call their stand-in with their path.
    offset = 2 if kind in ("sdk", "app-tool") else 1
    called, args = sys.argv[offset], sys.argv[offset + 1 :]
    handlers = {"docker": _docker, "git": _git, "sdk": _sdk, "app-tool": _app_tool}
    sys.exit(handlers[kind](log, config, called, args))


def _docker(log: Path, config: dict[str, Any], called: str, args: list[str]) -> int:
    if args[:1] == ["login"]:
        sys.stdin.read()  # the password from `aws ecr get-login-password`
    record(log, "docker", args)
    return 0


def _git(log: Path, config: dict[str, Any], called: str, args: list[str]) -> int:
    if args[:1] == ["clone"] and any("docker-sdk" in a for a in args):
        target = Path(args[-1])
        (target).mkdir(parents=True, exist_ok=True)
        sdk = target / "sdk"
        sdk.write_text(
            f"#!/bin/sh\nexec {shlex.quote(str(Path(called).parent / 'sccos-standin-sdk'))} "
            '"$0" "$@"\n',
            encoding="utf-8",
        )
        sdk.chmod(0o755)
        record(log, "git", args)
        return 0
    path = [p for p in os.environ.get("PATH", "").split(":") if p != str(Path(called).parent)]
    os.environ["PATH"] = ":".join(path)
    os.execvp("git", ["git", *args])
    return 127  # pragma: no cover - exec does not return


def _sdk(log: Path, config: dict[str, Any], called: str, args: list[str]) -> int:
    record(log, "docker/sdk", args)
    state = Path(called).parent / ".rehearsal-booted"
    if args[:1] == ["boot"] and len(args) == 2:
        if not Path(args[1]).is_file():
            print(f"Deploy file {args[1]} is not found.", file=sys.stderr)
            return 1
        state.write_text(str(Path(args[1]).resolve()), encoding="utf-8")
        return 0
    if args[:2] == ["export", "images"]:
        tag = args[args.index("-t") + 1] if "-t" in args else "latest"
        if "-d" not in args or args[args.index("-d") + 1] != "ecr" or not state.exists():
            print("export: boot first, and give -d ecr", file=sys.stderr)
            return 1
        return _export(Path(state.read_text(encoding="utf-8")), tag, config, log)
    print(f"docker/sdk stand-in: unsupported command {args}", file=sys.stderr)
    return 1


def _export(deploy_file: Path, tag: str, config: dict[str, Any], log: Path) -> int:
    import boto3  # noqa: PLC0415 - only the export needs it

    from ...core.deployfile.findings import DeployFileError  # noqa: PLC0415
    from ...core.deployfile.loader import load_deploy_file  # noqa: PLC0415

    project = os.environ.get("SPRYKER_PROJECT_NAME", "")
    try:
        model = load_deploy_file(deploy_file, project=project or None)
    except DeployFileError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    names = [*dict.fromkeys(a.name.lower() for a in model.applications), *SDK_EXTRA_IMAGES]
    environment = {
        **model.environment,
        "SPRYKER_BUILD_HASH": os.environ.get("SPRYKER_BUILD_HASH", "current"),
    }
    counter = log.with_suffix(".builds")
    build = int(counter.read_text() or 0) + 1 if counter.exists() else 1
    counter.write_text(str(build))
    ecr = boto3.client("ecr")
    lost = set(config.get("lose_push", []))
    for name in names:
        repository = f"{model.project}-{name}".lower()
        body = {"workdir": "/data", "env": environment, "build": build, "image": name}
        content = "sha256:" + hashlib.sha256(json.dumps(body).encode()).hexdigest()
        manifest = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": MANIFEST_TYPE,
                "config": {
                    "mediaType": "application/vnd.docker.container.image.v1+json",
                    "size": 2,
                    "digest": content,
                },
                # moto derives the image digest from the layers': one of its own gives each
                # image its own digest, as ECR's (the manifest's hash) does.
                "layers": [{"mediaType": LAYER_TYPE, "size": 2, "digest": content}],
                REHEARSAL_KEY: body,
            },
            sort_keys=True,
        )
        for each in (tag, "latest"):
            if lost & {name, repository, f"{repository}:{each}"}:
                record(log, "docker push", [f"{repository}:{each}"], lost=True)
                continue  # the SDK backgrounds `docker push` and ignores its failure
            ecr.put_image(repositoryName=repository, imageManifest=manifest, imageTag=each)
    return 0


def _app_tool(log: Path, config: dict[str, Any], called: str, args: list[str]) -> int:
    program = "vendor/bin/" + Path(called).name
    names = (*RECORDED_ENV, *config.get("record_env", []))  # a scenario may ask for more
    env = {k: os.environ[k] for k in names if k in os.environ}
    command = " ".join([program, *args])
    code = 0
    for rule in config.get("fail", []):
        if rule.get("program") == program and rule.get("args", "") in " ".join(args):
            code = int(rule.get("exit", 1))
    record(log, program, args, env=env, exit=code)
    print(f"{command} (stand-in) exits {code}")
    return code
