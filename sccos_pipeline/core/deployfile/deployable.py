"""What synth or deployment would refuse, found by validation first, each at its line.

- A hook runs from the image's environment, so it must fit one environment variable: Linux
  refuses to start a process with a single `NAME=value` longer than 128 KiB (MAX_ARG_STRLEN,
  execve(2)) (SCC040).
- Text that CloudFormation or CDK would interpret must not come from the deploy file (SCC041):
  a CloudFormation dynamic reference (`{{resolve:secretsmanager:...}}`, see "Get values
  stored in other services using dynamic references" in the CloudFormation User Guide) is
  resolved when the stack deploys, so a deploy file could copy any secret the deploying role
  reads into a CodeBuild project; a CDK token string (`${Token[...]}`) is replaced at synth
  by whatever the app registered under that number. The whole deploy file is checked, as
  its values reach the template through hooks, names and environment alike.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from .findings import Finding, Position
from .model import DeployModel
from .yamlsafe import Path_, YamlDocument

_INTERPRETED = re.compile(r"\{\{\s*resolve\s*:|[$#]\{Token\[", re.IGNORECASE)


MAX_VARIABLE = 128 * 1024  # bytes of one NAME=value string, terminating NUL included


def buildspec_findings(model: DeployModel) -> list[Finding]:
    """What running a hook refuses: its size. (The buildspecs no longer hold the deploy file's
    hooks, so a deploy file cannot push them over CodeBuild's inline limit; synth still checks
    that limit when it renders them.)"""
    findings: list[Finding] = []
    for hook in {h.variable: h for h in model.hooks if h.position is not None}.values():
        size = len(f"{hook.variable}={hook.command}".encode()) + 1
        if size > MAX_VARIABLE:
            findings.append(
                Finding.of(
                    "SCC040",
                    f"{hook.variable} is {size} bytes as an environment variable, over the "
                    f"{MAX_VARIABLE} Linux passes to a process: no build could start with it",
                    hook.position or Position(model.file),
                    "move the long hook into a script in the repository and call it",
                )
            )
    return findings


def interpreted_text_findings(doc: YamlDocument) -> list[Finding]:
    """Every key or string value holding text CloudFormation or CDK would interpret."""
    findings: list[Finding] = []
    # One C-speed pass over the whole document first: almost no file has any of it.
    if not _INTERPRETED.search(json.dumps(doc.data, default=str)):
        return findings
    for path, text, is_key in _strings(doc.data, ()):
        match = _INTERPRETED.search(text)
        if match is None:
            continue
        what = "a CDK token" if "Token" in match.group() else "a CloudFormation dynamic reference"
        findings.append(
            Finding.of(
                "SCC041",
                f"{match.group()!r} starts {what}, which would be resolved into the pipeline's "
                "template instead of staying text",
                doc.position(path, key=is_key),
                "remove it; pass secrets as SSM Parameter Store variables of the environment",
            )
        )
    return findings


def _strings(value: Any, path: Path_) -> Iterator[tuple[Path_, str, bool]]:
    if isinstance(value, str):
        yield path, value, False
    elif isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key), str(key), True
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))
