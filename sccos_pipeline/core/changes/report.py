"""A change summary as text: its headline (an approval's CustomData holds 500 characters),
plain text, Markdown for a pull-request comment, or JSON."""

from __future__ import annotations

import json
import re

from .model import HEADINGS, Category, Summary, plural, short

HEADLINE_LIMIT = 500  # CodePipeline's approval CustomData
_CODE = re.compile(r"(`+).*?\1")
# Characters Markdown could read as markup; `_` only at a word's edge (yves_eu stays as is).
_MARKDOWN = re.compile(r"([\\*\[\]<>#|~]|(?<!\w)_|_(?!\w))")


def versions_phrase(summary: Summary) -> str:
    v = summary.versions
    if v.redeploy:
        return f"redeploy of {short(v.deploying)}, the version running"
    moved = f"{short(v.running)} -> {short(v.deploying)}"
    return f"{moved} ({plural(v.ahead, 'commit')})" if v.ahead else moved


def headline(summary: Summary, limit: int = HEADLINE_LIMIT) -> str:
    """One line: the versions and every change's title, as many as fit in `limit`."""
    start = versions_phrase(summary) + ": "
    if not summary.changes:
        if summary.versions.redeploy:
            return start + "nothing changes"
        return start + (
            "code only: the deploy file, its imports and the install recipes are unchanged"
        )
    titles = [c.title for c in summary.changes]
    for shown in range(len(titles), 0, -1):
        more = f"; and {len(titles) - shown} more" if shown < len(titles) else ""
        line = start + "; ".join(titles[:shown]) + more
        if len(line) <= limit:
            return line
    return (start + titles[0])[: limit - 3] + "..."


def _sections(summary: Summary) -> list[tuple[Category, list[tuple[str, tuple[str, ...]]]]]:
    return [
        (category, [(c.title, c.details) for c in summary.changes if c.category is category])
        for category in Category
        if category in summary.categories
    ]


def _header(summary: Summary) -> str:
    return f"{versions_phrase(summary)}: {plural(len(summary.changes), 'change')}"


def text(summary: Summary) -> str:
    """Plain text; a summary without changes is its headline alone."""
    if not summary.changes:
        return headline(summary) + "\n"
    lines = [_header(summary)]
    for category, changes in _sections(summary):
        lines += ["", f"{HEADINGS[category]}:"]
        for title, details in changes:
            lines.append(f"  - {title}")
            lines += [f"      {d}" for d in details]
    return "\n".join(lines) + "\n"


def markdown(summary: Summary) -> str:
    """Markdown for a pull-request comment; a summary without changes is one line."""
    if not summary.changes:
        return _md(headline(summary)) + "\n"
    lines = [f"#### Deployment {_md(_header(summary))}"]
    for category, changes in _sections(summary):
        lines += ["", f"**{HEADINGS[category]}**", ""]
        for title, details in changes:
            lines.append(f"- {_md(title)}")
            lines += [f"  - {_md(d)}" for d in details]
    return "\n".join(lines) + "\n"


def json_text(summary: Summary) -> str:
    v = summary.versions
    data = {
        "running": v.running,
        "deploying": v.deploying,
        "ahead": v.ahead,
        "behind": v.behind,
        "rollback": v.rollback,
        "redeploy": v.redeploy,
        "pipeline": summary.pipeline.value,
        "headline": headline(summary),
        "categories": [c.value for c in Category if c in summary.categories],
        "changes": [
            {"category": c.category.value, "title": c.title, "details": list(c.details)}
            for c in summary.changes
        ],
    }
    return json.dumps(data, indent=2) + "\n"


def _md(line: str) -> str:
    """Markdown special characters escaped outside `code`; code spans kept as they are."""
    out, at = [], 0
    for match in _CODE.finditer(line):
        out.append(_MARKDOWN.sub(r"\\\1", line[at : match.start()]))
        out.append(match.group(0))
        at = match.end()
    out.append(_MARKDOWN.sub(r"\\\1", line[at:]))
    return "".join(out)
