"""Findings: what validation says about a deploy file, each with a stable code and a place."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple


class Severity(StrEnum):
    """How serious a finding is: an error makes the deploy file unusable (synth fails); a warning
    is advice (an annotation at synth)."""

    ERROR = "error"
    WARNING = "warning"


# C0 and C1 controls, DEL, and the invisible characters that reorder or hide text (bidi
# controls, zero-width marks, line separators): a deploy file's key or value quoted in a
# message must not drive the terminal that shows it, nor hide what the message says.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def printable(text: str) -> str:
    """Text with every control character written as an escape (`\\x1b`, `\\u202e`)."""
    if _UNPRINTABLE.search(text) is None:
        return text
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


BRIEF = 60  # characters of a value quoted in a message


def brief(value: object) -> str:
    """A value quoted for a message, as repr shows it: cut to BRIEF characters, with its
    length, when longer (a 100 000-digit number made 200 KB of output)."""
    if isinstance(value, str):
        if len(value) <= BRIEF:
            return repr(value)
        return f"{value[:BRIEF] + '…'!r} ({len(value)} characters)"
    shown = repr(value)
    return shown if len(shown) <= BRIEF else f"{shown[:BRIEF]}… ({len(shown)} characters)"


class Position(NamedTuple):
    """A place in a file; line and column count from 1. (A tuple: cheap, as every node has one.)"""

    file: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{printable(self.file)}:{self.line}:{self.column}"


# Every code the project emits, with the fix shown to the user. Codes are a public contract:
# tools filter on them, so never renumber.
CODES: dict[str, tuple[Severity, str]] = {
    # Reading and parsing
    "SCC001": (Severity.ERROR, "the file cannot be read"),
    "SCC002": (Severity.ERROR, "the file is not valid UTF-8 text"),
    "SCC003": (Severity.ERROR, "the file is too large for a deploy file"),
    "SCC004": (Severity.ERROR, "YAML syntax error"),
    "SCC005": (Severity.ERROR, "duplicate key"),
    "SCC006": (Severity.ERROR, "nesting too deep"),
    "SCC007": (Severity.ERROR, "aliases expand too far or refer to themselves"),
    "SCC008": (Severity.ERROR, "the file is empty"),
    "SCC009": (Severity.ERROR, "the document root is not a mapping"),
    "SCC010": (Severity.ERROR, "unsupported YAML construct"),
    # Structure and values
    "SCC020": (Severity.ERROR, "`image` has the wrong type"),
    "SCC021": (Severity.ERROR, "`image.environment` is not a mapping"),
    "SCC022": (Severity.ERROR, "environment variable name a shell cannot hold"),
    "SCC023": (Severity.ERROR, "environment value is not a scalar"),
    "SCC024": (Severity.ERROR, "hook is not a string"),
    "SCC025": (Severity.ERROR, "image is not an official spryker/php image"),
    "SCC026": (Severity.ERROR, "project name cannot form the AWS names derived from it"),
    "SCC027": (Severity.ERROR, "`groups` or `regions` has the wrong shape"),
    "SCC028": (Severity.ERROR, "application name the Docker SDK or ECR cannot use"),
    "SCC029": (Severity.ERROR, "environment value holds a NUL character"),
    "SCC030": (Severity.ERROR, "`imports` cannot be resolved"),
    "SCC031": (Severity.ERROR, "install recipe cannot be read"),
    "SCC040": (Severity.ERROR, "a hook or buildspec is too long to run"),
    "SCC041": (Severity.ERROR, "text CloudFormation or CDK would interpret"),
    # Advice
    "SCC101": (Severity.WARNING, "spryker/php tag is no longer maintained"),
    "SCC102": (Severity.WARNING, "spryker/php tag is not a known tag"),
    "SCC103": (Severity.WARNING, "no image tag: the Docker SDK default spryker/php:7.3 applies"),
    "SCC110": (Severity.WARNING, "empty hook: the default command runs"),
    "SCC111": (Severity.WARNING, "hook has leading or trailing whitespace"),
    "SCC112": (Severity.WARNING, "heavy data ingestion in a deployment hook"),
    "SCC113": (Severity.WARNING, "heavy data ingestion in the install recipe a hook runs"),
    "SCC114": (
        Severity.WARNING,
        "a changed pre-deploy hook takes effect from the second deployment",
    ),
    "SCC120": (Severity.WARNING, "plain-text secret in image.environment"),
    "SCC130": (Severity.WARNING, "environment value changes when baked into the image"),
    "SCC131": (Severity.WARNING, "import not in the project: assumed a Docker SDK base template"),
    "SCC132": (Severity.WARNING, "value breaks the Dockerfile ENV line the Docker SDK writes"),
}


@dataclass(frozen=True)
class Finding:
    """One problem found in a deploy file: its code (SCC...), what and where, and the fix."""

    severity: Severity
    code: str
    message: str
    position: Position
    fix: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", printable(self.message))
        object.__setattr__(self, "fix", printable(self.fix))

    @classmethod
    def of(cls, code: str, message: str, position: Position, fix: str = "") -> Finding:
        severity, _ = CODES[code]
        return cls(severity, code, message, position, fix)

    def sort_key(self) -> tuple[str, int, int, str]:
        """Findings read in file order: file, line, column, then code."""
        return (self.position.file, self.position.line, self.position.column, self.code)

    def format(self) -> str:
        text = f"{self.position}: {self.severity.value} {self.code} {self.message}"
        return f"{text} (fix: {self.fix})" if self.fix else text

    def to_json(self) -> dict[str, object]:
        return {
            "severity": self.severity.value,
            "code": self.code,
            "file": printable(self.position.file),
            "line": self.position.line,
            "column": self.position.column,
            "message": self.message,
            "fix": self.fix,
        }


class DeployFileError(Exception):
    """The deploy file cannot be used; carries every error found, each with its place."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        super().__init__("\n".join(f.format() for f in findings))
