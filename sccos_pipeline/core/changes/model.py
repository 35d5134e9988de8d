"""The change summary's types: what a change is about, the versions, and the summary; and
how values are quoted in it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from ..deployfile.findings import printable
from ..stages import PipelineType


class Category(StrEnum):
    """What a change is about, in the summary's order; `--fail-on` names these."""

    ROLLBACK = "rollback"
    DATA = "data"
    HOOKS = "hooks"
    RECIPES = "recipes"
    SERVICES = "services"
    STORES = "stores"
    IMAGE = "image"
    ENVIRONMENT = "environment"
    SETTINGS = "settings"


HEADINGS = {
    Category.ROLLBACK: "Rollback",
    Category.DATA: "DESTRUCTIVE resets data",
    Category.HOOKS: "Hooks",
    Category.RECIPES: "Install recipes",
    Category.SERVICES: "Applications and services",
    Category.STORES: "Regions, stores and broker vhosts",
    Category.IMAGE: "Image and build settings",
    Category.ENVIRONMENT: "Environment variables (image.environment)",
    Category.SETTINGS: "Other deploy-file settings",
}


@dataclass(frozen=True)
class Versions:
    """The version running and the one to deploy (commit hashes), and the commits only in the
    one to deploy (`ahead`) and only in the running one (`behind`)."""

    running: str
    deploying: str
    ahead: int
    behind: int

    @property
    def redeploy(self) -> bool:
        return self.running == self.deploying

    @property
    def rollback(self) -> bool:
        """The version to deploy is an ancestor of the one running."""
        return self.ahead == 0 and self.behind > 0


@dataclass(frozen=True)
class Change:
    """One thing that changes: a one-line title and the lines that say what it needs.
    Code and values are in backticks (`code`), as in the findings."""

    category: Category
    title: str
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class Summary:
    versions: Versions
    pipeline: PipelineType
    changes: tuple[Change, ...]

    @property
    def categories(self) -> frozenset[Category]:
        return frozenset(c.category for c in self.changes)


def code(text: str, limit: int = 160) -> str:
    """Text as inline code: control characters escaped, long text cut, backticks fenced."""
    text = printable(text.strip())
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    fence = "`" * (max((len(r) for r in re.findall("`+", text)), default=0) + 1)
    pad = " " if fence != "`" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def short(commit: str) -> str:
    return commit[:7]


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
