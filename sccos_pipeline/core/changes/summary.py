"""A deployment's change summary: what changes between the version running and the one to
deploy, in the terms of what can break at each step (Spryker's "Deployment in states",
https://docs.spryker.com/docs/ca/dev/configure-deployment-pipelines/deployment-in-states.html).

A pure function over two snapshots (changes.snapshot) and the commits between them; reading git
is changes.git_tree's. Nothing here prints a value of a variable whose name looks like a secret
(as SCC120 decides), nor any value of the other deploy-file settings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..deployfile.advice import recipes_of
from ..deployfile.model import DeployModel, Hook, HookSource
from ..plan.broker import broker_vhosts
from ..stages import HOOK_VARIABLE, PipelineType, Stage
from .model import (
    HEADINGS,
    Category,
    Change,
    Summary,
    Versions,
    code,
    plural,
    short,
)
from .parts import applications, environment, image, settings, stores
from .snapshot import Recipe, Snapshot, recipe_key

__all__ = ["HEADINGS", "Category", "Change", "Summary", "Versions", "code", "plural", "short"]


def summarize(
    running: Snapshot,
    deploying: Snapshot,
    versions: Versions,
    pipeline: PipelineType = PipelineType.NORMAL,
) -> Summary:
    """What deploying `deploying` over `running` changes, for a pipeline of that type."""
    recipes = dict(_recipe_changes(running, deploying))
    changes = [
        *_rollback(versions, list(recipes)),
        *_destructive(deploying, pipeline),
        *_hooks(running.model, deploying.model),
        *recipes.values(),
        *applications(running.model, deploying.model),
        *stores(running.model, deploying.model),
        *image(running, deploying),
        *environment(running.model, deploying.model),
        *settings(running.settings, deploying.settings),
    ]
    return Summary(versions, pipeline, tuple(changes))


# Rollback and DESTRUCTIVE


def _rollback(versions: Versions, changed: list[str]) -> Iterator[Change]:
    if not versions.behind:
        return
    undone = plural(versions.behind, "commit")
    between = (
        f"install recipes changed in between, whose migrations stay applied: {', '.join(changed)}"
        if changed
        else "no install recipe changed in between"
    )
    if versions.rollback:
        title = f"rollback over {undone}: data migrations are not undone"
    else:
        title = f"{undone} of the running version left out: their data migrations are not undone"
    yield Change(
        Category.ROLLBACK,
        title,
        (
            f"data migrations run since {short(versions.deploying)} are not undone: the database, "
            "key-value store and search keep what install made of them, and the older code "
            "must cope with it",
            between,
        ),
    )


# Commands of a destructive recipe that delete data (storage:delete, propel:tables:drop, ...).
_RESETS = re.compile(r":(?:delete|drop|clean|purge|truncate|reset|flush)\b")


def _destructive(snapshot: Snapshot, pipeline: PipelineType) -> Iterator[Change]:
    if pipeline is not PipelineType.DESTRUCTIVE:
        return
    hook = snapshot.model.hook(Stage.INSTALL, PipelineType.DESTRUCTIVE)
    details = [f"install runs {code(hook.command)}"]
    for name in dict.fromkeys(map(recipe_key, recipes_of(hook.command))):
        recipe = snapshot.recipes.get(name)
        for section, commands in (recipe.sections if recipe else {}).items():
            resets = [n for n, text in commands.items() if _RESETS.search(text)]
            if resets:
                details.append(f"recipe {name}, section {section}: {', '.join(resets)}")
    vhosts = broker_vhosts(snapshot.model)
    if vhosts:
        details.append(f"broker vhosts deleted and created again: {', '.join(vhosts)}")
    details.append("nothing of it is undone by a later deployment or a rollback")
    yield Change(Category.DATA, "DESTRUCTIVE resets all application data", tuple(details))


# Hooks and the install recipes they run

_HOOK_TITLES = {
    "SPRYKER_HOOK_BEFORE_DEPLOY": "pre-deploy hook changed: it runs from the next deployment",
    "SPRYKER_HOOK_INSTALL": "install hook (NORMAL) changed",
    "SPRYKER_HOOK_DESTRUCTIVE_INSTALL": "install hook (DESTRUCTIVE) changed",
    "SPRYKER_HOOK_AFTER_DEPLOY": "post-deploy hook changed",
}
_PRE_DEPLOY_LAG = (
    "pre-deploy runs on the image currently running: this deployment still runs the old "
    "command, the new one runs from the next deployment"
)


def _hook_text(hook: Hook) -> str:
    return code(hook.command) + (
        " (Spryker's default)" if hook.source is HookSource.DEFAULT else ""
    )


def _by_variable(model: DeployModel) -> dict[str, Hook]:
    return {h.variable: h for h in reversed(model.hooks)}


def _hooks(old: DeployModel, new: DeployModel) -> Iterator[Change]:
    before, after = _by_variable(old), _by_variable(new)
    for variable in dict.fromkeys(HOOK_VARIABLE.values()):
        was, now = before[variable], after[variable]
        if was.command.strip() == now.command.strip():
            continue
        details = [f"{variable} was {_hook_text(was)}", f"now {_hook_text(now)}"]
        if now.stage is Stage.PRE_DEPLOY:
            details.append(_PRE_DEPLOY_LAG)
        else:
            details.append(f"{now.stage} runs the new command in this deployment, on the new image")
        yield Change(Category.HOOKS, _HOOK_TITLES[variable], tuple(details))


def _recipe_names(model: DeployModel) -> dict[str, list[Hook]]:
    named: dict[str, list[Hook]] = {}
    for hook in model.hooks:
        for name in recipes_of(hook.command):
            users = named.setdefault(recipe_key(name), [])
            if hook not in users:
                users.append(hook)
    return named


def _recipe_changes(old: Snapshot, new: Snapshot) -> Iterator[tuple[str, Change]]:
    named = _recipe_names(new.model)
    for name, users in _recipe_names(old.model).items():
        named.setdefault(name, users)
    for name, hooks in named.items():
        was, now = old.recipes.get(name), new.recipes.get(name)
        if was == now or (name not in old.recipes and name not in new.recipes):
            continue
        variables = ", ".join(dict.fromkeys(h.variable for h in hooks))
        details = [f"run by {variables}"]
        if was is None or now is None:
            gone = now is None
            title = f"install recipe {name} {'removed or unreadable' if gone else 'added'}"
        else:
            sections = sorted(
                {*was.sections, *now.sections},
                key=[*now.sections, *was.sections].index,
            )
            changed = [s for s in sections if was.sections.get(s) != now.sections.get(s)]
            settings = [
                k
                for k in {*was.settings, *now.settings}
                if was.settings.get(k) != now.settings.get(k)
            ]
            title = f"install recipe {name} changed: " + ", ".join(
                [*(f"section {s}" for s in changed), *(f"{k}" for k in sorted(settings))]
            )
            details += [_section_change(s, was, now) for s in changed]
        if any(h.stage is Stage.PRE_DEPLOY for h in hooks):
            details.append(
                "the pre-deploy hook runs it from the image currently running: its change "
                "takes effect there from the next deployment"
            )
        yield name, Change(Category.RECIPES, title, tuple(details))


def _section_change(section: str, was: Recipe, now: Recipe) -> str:
    before, after = was.sections.get(section), now.sections.get(section)
    if before is None:
        return f"section {section} added: {', '.join(after or {})}"
    if after is None:
        return f"section {section} removed"
    parts = []
    for word, names in (
        ("added", [n for n in after if n not in before]),
        ("removed", [n for n in before if n not in after]),
        ("changed", [n for n in after if n in before and before[n] != after[n]]),
    ):
        if names:
            parts.append(f"{word} {', '.join(names)}")
    return f"section {section}: {'; '.join(parts)}"
