"""Run a buildspec (version 0.2) the way CodeBuild does, in a real shell.

Phases run in order (install, pre_build, build, post_build). As documented under "Build phase
transitions": a failing install or pre_build ends the build; post_build runs even when build
failed; each phase's `finally` runs whatever its commands did. Every command runs in its own
shell process; exported variables and the working directory carry over to the next command,
as in CodeBuild. Environment precedence: image ENV < buildspec < project < action.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PHASES = ("install", "pre_build", "build", "post_build")
COMMAND_TIMEOUT = 600  # seconds; a hook that hangs must not hang the rehearsal
_STATE = "SCCOS_REHEARSAL_STATE"

# Reads "TYPE value" of a secret variable; returns its value or raises BuildError.
SecretReader = Callable[[str, str], str]


class BuildError(Exception):
    """The build cannot start or a variable cannot be read (CLIENT_ERROR in CodeBuild)."""


@dataclass
class Build:
    """What one CodeBuild build is given."""

    project: str
    buildspec: str
    source_dir: Path
    image_env: Mapping[str, str] = field(default_factory=dict)
    project_env: Sequence[Mapping[str, str]] = ()  # [{Name, Value, Type}] as in the template
    action_env: Sequence[Mapping[str, str]] = ()  # [{name, value, type}] as in the action
    service_env: Mapping[str, str] = field(default_factory=dict)  # CodeBuild's and credentials
    path: Sequence[str] = ()  # directories put first on PATH (stand-ins)
    rewrite: Mapping[str, str] = field(default_factory=dict)  # image paths and endpoints


@dataclass
class BuildResult:
    status: str  # SUCCEEDED | FAILED
    commands: list[str]
    log: str
    exported: dict[str, str]
    phases: dict[str, str]
    reason: str = ""


def _variables(entries: Sequence[Mapping[str, str]], read: SecretReader) -> dict[str, str]:
    values: dict[str, str] = {}
    for entry in entries:
        name = entry.get("Name", entry.get("name", ""))
        value = entry.get("Value", entry.get("value", ""))
        kind = entry.get("Type", entry.get("type", "PLAINTEXT"))
        values[name] = value if kind == "PLAINTEXT" else read(kind, value)
    return values


def _rewrite(value: str, rewrite: Mapping[str, str]) -> str:
    for old, new in rewrite.items():
        if value == old or value.startswith(old.rstrip("/") + "/"):
            return new + value[len(old) :]
    return value


def environment(build: Build, spec: Mapping[str, Any], read: SecretReader) -> dict[str, str]:
    """The build's environment, lowest precedence first."""
    env_spec = spec.get("env") or {}
    values: dict[str, str] = {
        "PATH": ":".join([*build.path, "/usr/local/bin", "/usr/bin", "/bin"]),
        "LANG": "C.UTF-8",
        "HOME": str(build.source_dir.parent / "home"),
    }
    values.update(build.image_env)
    values.update(build.service_env)
    values.update({k: str(v) for k, v in (env_spec.get("variables") or {}).items()})
    for name, parameter in (env_spec.get("parameter-store") or {}).items():
        values[name] = read("PARAMETER_STORE", str(parameter))
    for name, secret in (env_spec.get("secrets-manager") or {}).items():
        values[name] = read("SECRETS_MANAGER", str(secret))
    values.update(_variables(build.project_env, read))
    values.update(_variables(build.action_env, read))
    return {k: _rewrite(v, build.rewrite) for k, v in values.items()}


class _Shell:
    """One shell process per command; exported variables and the directory carry over."""

    def __init__(self, shell: str, env: dict[str, str], cwd: Path, log: list[str]) -> None:
        self.shell = shell
        self.env = env
        self.cwd = cwd
        self.log = log
        self.commands: list[str] = []
        self._state = cwd.parent / f".{_STATE.lower()}"
        Path(env["HOME"]).mkdir(parents=True, exist_ok=True)

    def run(self, command: str) -> int:
        self.commands.append(command)
        self.log.append(f"[Container] Running command {command}")
        script = self._state.with_suffix(".cmd")
        script.write_text(command + "\n", encoding="utf-8")
        wrapper = (
            f'trap \'rc=$?; env -0 > "${_STATE}.env"; pwd > "${_STATE}.cwd"; exit $rc\' EXIT\n'
            f'. "${_STATE}.cmd"\n'
        )
        env = {**self.env, _STATE: str(self._state)}
        try:
            done = subprocess.run(
                [self.shell, "-c", wrapper],
                cwd=self.cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                timeout=COMMAND_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            self.log.append(f"[Container] Command timed out after {COMMAND_TIMEOUT} s")
            return 124
        self.log.append(done.stdout.decode("utf-8", "replace").rstrip("\n"))
        self._carry_over()
        if done.returncode:
            self.log.append(
                f"[Container] Command did not exit successfully {command.splitlines()[0]} "
                f"exit status {done.returncode}"
            )
        return done.returncode

    def _carry_over(self) -> None:
        env_file = self._state.with_suffix(".env")
        cwd_file = self._state.with_suffix(".cwd")
        if env_file.exists():
            pairs = env_file.read_bytes().split(b"\0")
            env = dict(p.decode("utf-8", "replace").split("=", 1) for p in pairs if b"=" in p)
            env.pop(_STATE, None)
            for noise in ("PWD", "OLDPWD", "SHLVL", "_"):
                env.pop(noise, None)
            self.env = env
            env_file.unlink()
        if cwd_file.exists():
            self.cwd = Path(cwd_file.read_text().strip() or self.cwd)
            cwd_file.unlink()


def _phase(shell: _Shell, phase: Mapping[str, Any]) -> bool:
    ok = True
    for command in phase.get("commands") or []:
        if shell.run(str(command)):
            ok = False
            if phase.get("on-failure", "ABORT") == "ABORT":
                break
    for command in phase.get("finally") or []:
        if shell.run(str(command)):
            ok = False
            break
    return ok


def run_build(build: Build, read: SecretReader) -> BuildResult:
    """Run the buildspec; never raises for a failing command, only for a build that can't start."""
    try:
        spec = yaml.safe_load(build.buildspec)
    except yaml.YAMLError as exc:
        raise BuildError(f"YAML_FILE_ERROR: the buildspec is not valid YAML: {exc}") from None
    if not isinstance(spec, dict) or str(spec.get("version")) != "0.2":
        raise BuildError("YAML_FILE_ERROR: the rehearsal runs buildspec version 0.2 only")
    env = environment(build, spec, read)
    shell_name = (spec.get("env") or {}).get("shell", "sh")
    shell_path = {"bash": "/bin/bash", "sh": "/bin/sh"}.get(shell_name)
    if shell_path is None:
        raise BuildError(f"YAML_FILE_ERROR: shell {shell_name!r} is not available here")
    log: list[str] = []
    shell = _Shell(shell_path, env, build.source_dir, log)
    phases: dict[str, str] = {}
    failed = ""
    started = time.monotonic()
    for name in PHASES:
        phase = (spec.get("phases") or {}).get(name)
        if phase is None:
            continue
        if failed and name != "post_build":
            phases[name] = "SKIPPED"
            continue
        if failed and name == "post_build" and failed != "build":
            phases[name] = "SKIPPED"
            continue
        ok = _phase(shell, phase)
        phases[name] = "SUCCEEDED" if ok else "FAILED"
        if not ok and not failed:
            failed = name
    exported = {
        name: shell.env.get(name, "")
        for name in (spec.get("env") or {}).get("exported-variables") or []
    }
    log.append(f"[Container] Build took {time.monotonic() - started:.1f} s")
    return BuildResult(
        status="FAILED" if failed else "SUCCEEDED",
        commands=shell.commands,
        log="\n".join(line for line in log if line),
        exported=exported if not failed else {},
        phases=phases,
        reason=f"phase {failed} failed" if failed else "",
    )
