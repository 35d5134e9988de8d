"""Which findings `validate` reports, and how strictly: `--select`/`--ignore`/`--strict`/
`--format`, or the `[tool.sccos-pipeline]` table of the nearest pyproject.toml."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.deployfile.findings import CODES, Finding, Severity
from ..core.deployfile.loader import Validation

TABLE = "sccos-pipeline"
KEYS = ("format", "ignore", "select", "strict")
_PREFIX = re.compile(r"SCC[0-9]{0,3}")


class UsageError(Exception):
    """Bad arguments or configuration: the command says why on stderr and exits 2."""


@dataclass(frozen=True)
class Config:
    """The `[tool.sccos-pipeline]` table; None where it does not say."""

    source: str | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    strict: bool | None = None
    format: str | None = None


def load_config(start: Path, formats: Sequence[str]) -> Config:
    """The nearest pyproject.toml at or above `start` that has the table, like ruff."""
    for folder in (start, *start.parents):
        path = folder / "pyproject.toml"
        if path.is_file():
            table = _table(path)
            if table is not None:
                return _config(table, str(path), formats)
    return Config()


def _table(path: Path) -> dict[str, Any] | None:
    import tomllib  # noqa: PLC0415 - only when a pyproject.toml is there

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: cannot be read as TOML: {exc}") from None
    tool = data.get("tool")
    table = tool.get(TABLE) if isinstance(tool, dict) else None
    if table is not None and not isinstance(table, dict):
        raise UsageError(f"{path}: [tool.{TABLE}] must be a table")
    return table


def _config(table: dict[str, Any], source: str, formats: Sequence[str]) -> Config:
    where = f"{source}: [tool.{TABLE}]"
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise UsageError(
            f"{where} has unknown key(s) {', '.join(unknown)}; known: {', '.join(KEYS)}"
        )
    lists = {}
    for key in ("select", "ignore"):
        value = table.get(key)
        if value is not None and (
            not isinstance(value, list) or not all(isinstance(v, str) for v in value)
        ):
            raise UsageError(f'{where} {key} must be a list of codes, e.g. {key} = ["SCC1"]')
        lists[key] = None if value is None else parse_codes(value, f"{where} {key}")
    check_ignorable(lists["ignore"] or (), f"{where} ignore")
    strict, fmt = table.get("strict"), table.get("format")
    if strict is not None and not isinstance(strict, bool):
        raise UsageError(f"{where} strict must be true or false")
    if fmt is not None and fmt not in formats:
        raise UsageError(f"{where} format must be one of {', '.join(formats)}, got {fmt!r}")
    return Config(source, lists["select"], lists["ignore"], strict, fmt)


def parse_codes(items: Iterable[str], where: str) -> tuple[str, ...]:
    """Codes or prefixes (SCC1 is every SCC1xx); an unknown one is a usage error."""
    codes = tuple(item.strip().upper() for item in items if item.strip())
    unknown = [
        c for c in codes if not _PREFIX.fullmatch(c) or not any(k.startswith(c) for k in CODES)
    ]
    if unknown:
        raise UsageError(
            f"{where}: unknown code(s) {', '.join(unknown)}; "
            "see `sccos-pipeline validate --help` for the codes"
        )
    return codes


def split_codes(text: str | None, where: str) -> tuple[str, ...] | None:
    return None if text is None else parse_codes(text.split(","), where)


def selection(select: str | None, ignore: str | None, config: Config) -> Selection:
    """--select and --ignore, each replacing its key of the configuration."""
    selected = split_codes(select, "--select")
    ignored = split_codes(ignore, "--ignore")
    if ignored is not None:
        check_ignorable(ignored, "--ignore")
    return Selection(
        selected if selected is not None else config.select,
        ignored if ignored is not None else config.ignore or (),
    )


def check_ignorable(codes: Iterable[str], where: str) -> None:
    """Errors cannot be ignored: one means the pipeline cannot use the file."""
    for prefix in codes:
        errors = [c for c, (s, _) in CODES.items() if c.startswith(prefix) and s is Severity.ERROR]
        if errors:
            shown = ", ".join(errors[:3]) + (", ..." if len(errors) > 3 else "")
            raise UsageError(
                f"{where}: {prefix} covers error codes ({shown}), which cannot be ignored: "
                "an error means the pipeline cannot use the file"
            )


@dataclass(frozen=True)
class Selection:
    """Which warnings are reported. Errors always are: an error means the pipeline cannot use
    the file, so ignoring one is refused instead of letting a broken file pass."""

    select: tuple[str, ...] | None = None  # None: every code
    ignore: tuple[str, ...] = ()

    def reports(self, finding: Finding) -> bool:
        """Like ruff, the more specific entry wins: select SCC114 beats ignore SCC1."""
        if finding.severity is Severity.ERROR:
            return True
        code = finding.code
        selected = 0 if self.select is None else _longest(self.select, code)
        return selected >= 0 and selected > _longest(self.ignore, code)

    def apply(self, result: Validation) -> Validation:
        return dataclasses.replace(
            result, findings=tuple(f for f in result.findings if self.reports(f))
        )


def _longest(prefixes: Iterable[str], code: str) -> int:
    return max((len(p) for p in prefixes if code.startswith(p)), default=-1)
