"""Advice on a deploy file that loads: hooks, recipes, secrets; each with a code and a fix."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from ..stages import DEFAULT_COMMAND, HOOK_VARIABLE, PipelineType, Stage
from .files import read_text
from .findings import DeployFileError, Finding, Position
from .model import DeployModel, HookSource
from .yamlsafe import YamlDocument, load_document

RECIPES_DIR = Path("config") / "install"

# Long-running data work belongs in a scheduler (Jenkins) job started after deployment
# (deployment-pipelines.md, "Data Import during Deployments").
_HEAVY = re.compile(
    r"(?<![\w:-])(?:data:import(?::[\w-]+)?|publish:trigger-events|event:trigger"
    r"|queue:worker:start|product-label:relations:update)(?![\w:-])"
)
_HEAVY_SECTIONS = frozenset({"demodata"})

# Name parts that say "secret"; KEY alone does not (SPRYKER_KEY_VALUE_STORE_ENGINE).
_SECRET_WORDS = frozenset({"PASSWORD", "PASSWD", "PWD", "SECRET", "TOKEN", "CREDENTIALS", "SALT"})
_SECRET_PAIRS = frozenset(
    {("PRIVATE", "KEY"), ("KEY", "PRIVATE"), ("API", "KEY"), ("ACCESS", "KEY"),
     ("ENCRYPTION", "KEY"), ("AUTH", "KEY")}
)  # fmt: skip
# Parts after which the value names or locates a secret instead of holding it.
_NOT_SECRET_TAILS = frozenset(
    {"URL", "URI", "HOST", "PORT", "PATH", "FILE", "NAME", "ENABLED", "ENGINE", "TTL",
     "LIFETIME", "LENGTH", "ALGORITHM", "ID", "PUBLIC"}
)  # fmt: skip
_PLACEHOLDER_VALUES = frozenset({"", "0", "1", "true", "false", "null", "none"})
# `-r NAME`, `-rNAME`, `--recipe NAME`, `--recipe=NAME` starting a word, NAME a shell word
# (quotes on); quoted strings, escapes and comments are matched whole, capturing nothing, so
# an option inside them does not count. Possessive: no backtracking, linear time.
_SHELL_WORD = r"""(?!\#)(?:[^\s'"\\]++|\\.|'[^']*+'|"(?:[^"\\]++|\\.)*+")++"""
_RECIPE_OPTION = re.compile(
    rf"""(?<!\S)(?:-r[ \t]*+|--recipe(?:=|[ \t]++))({_SHELL_WORD})"""
    r"""|'[^']*+'|"(?:[^"\\]++|\\.)*+"|(?<!\S)\#[^\n]*+|\\.""",
    re.DOTALL,
)
# Quote removal: '...' keeps its text, a double quote goes, a backslash keeps what it escapes.
_QUOTED = re.compile(r"""'([^']*+)'|"|\\(.)""", re.DOTALL)
_PATH_MAX = 4096  # a longer name names no file
_MAX_RECIPES = 16
_REFERENCE = re.compile(r"^(?:\$\{?[A-Za-z_]|arn:aws:|ssm:|resolve:|\{\{resolve:)")


@dataclass(frozen=True)
class Baseline:
    """The pre-deploy command at the base of a change (`--base REF`); None when the file did not
    exist there or cannot be read."""

    pre_deploy: str | None


def advise(
    model: DeployModel, doc: YamlDocument, project_root: Path, baseline: Baseline | None = None
) -> list[Finding]:
    findings: list[Finding] = []
    findings += _hook_findings(model, doc)
    findings += _pre_deploy_change(model, doc, baseline)
    findings += _recipe_findings(model, project_root)
    findings += _secret_findings(model, doc)
    return findings


def _hook_findings(model: DeployModel, doc: YamlDocument) -> list[Finding]:
    findings: list[Finding] = []
    for variable in dict.fromkeys(HOOK_VARIABLE.values()):
        if variable not in model.environment:
            continue
        value = model.environment[variable]
        where = doc.position(("image", "environment", variable))
        if not value.strip():
            defaults = {
                DEFAULT_COMMAND[key] for key, name in HOOK_VARIABLE.items() if name == variable
            }
            findings.append(
                Finding.of(
                    "SCC110",
                    f"{variable} is empty: the default `{defaults.pop()}` runs, "
                    f"as ${{{variable}:-default}} would",
                    where,
                    "write the command, or delete the line to make the default explicit",
                )
            )
            continue
        if value != value.strip():
            findings.append(
                Finding.of(
                    "SCC111",
                    f"{variable} has leading or trailing whitespace: {value!r}",
                    where,
                    "remove the surrounding spaces",
                )
            )
        heavy = _HEAVY.search(value) or re.search(r"(?:-s|--section)[= ]demodata\b", value)
        if heavy:
            findings.append(
                Finding.of(
                    "SCC112",
                    f"{variable} runs `{heavy.group(0)}`: heavy data ingestion slows and "
                    "breaks deployments",
                    where,
                    "start it from a scheduler (Jenkins) job after the deployment",
                )
            )
    return findings


def _pre_deploy_change(
    model: DeployModel, doc: YamlDocument, baseline: Baseline | None
) -> list[Finding]:
    """SCC114: pre-deploy runs on the image currently running, which has the old hook baked in.
    Only a change says anything, so without a base there is nothing to compare."""
    if baseline is None:
        return []
    hook = model.hook(Stage.PRE_DEPLOY, PipelineType.NORMAL)
    if baseline.pre_deploy is None:
        if hook.source is not HookSource.DEPLOY_FILE:
            return []
        what = f"{hook.variable} is set in a deploy file that is new since the base"
    elif baseline.pre_deploy.strip() != hook.command.strip():
        what = f"{hook.variable} changed from `{_short(baseline.pre_deploy)}`"
        what += f" to `{_short(hook.command)}`"
    else:
        return []
    return [
        Finding.of(
            "SCC114",
            f"{what}: pre-deploy runs on the image currently running, so the new command takes "
            "effect from the second deployment after the change",
            hook.position or doc.position(("image", "environment")),
            "deploy twice, or put one-off steps in the install hook",
        )
    ]


def _short(command: str, limit: int = 60) -> str:
    command = command.strip()
    return command if len(command) <= limit else command[: limit - 3] + "..."


def _recipe_words(command: str) -> list[str]:
    """The words naming the recipes `vendor/bin/install ... -r X` runs, quotes still on.

    One regex pass, linear in the command: shlex.split is quadratic in a word's length (a
    1 MiB hook took a minute). Options are matched as written; nobody quotes `-r`."""
    return [name for name in _RECIPE_OPTION.findall(command) if name]


def _unquote(word: str) -> str:
    return _QUOTED.sub(r"\1\2", word) if any(c in word for c in "'\"\\") else word


def recipes_of(command: str) -> list[str]:
    """The recipe names `vendor/bin/install ... -r X` runs, in order."""
    return [_unquote(word) for word in _recipe_words(command)]


def _recipe_file(recipes: Path, name: str) -> tuple[Path | None, bool]:
    """The file `-r name` reads (None: no file can be), and whether it lies outside recipes.

    Decided from the name and symlinks alone: a recipe outside the project is never opened,
    so nothing of it can show up in a finding."""
    relative = Path(name if name.endswith(".yml") else name + ".yml")
    if relative.is_absolute() or relative.drive:
        return None, True
    if len(name) > _PATH_MAX:
        return None, False
    try:
        path = (recipes / relative).resolve()
        inside = path.is_relative_to(recipes.resolve())
    except (OSError, RuntimeError, ValueError):  # a NUL in the name, a symlink loop
        return None, False
    return (path, False) if inside else (None, True)


def _recipe_findings(model: DeployModel, project_root: Path) -> list[Finding]:
    findings: list[Finding] = []
    checked: set[Path] = set()
    recipes = project_root / RECIPES_DIR
    for hook in model.hooks:
        if hook.source is not HookSource.DEPLOY_FILE:
            continue
        # A real hook runs a recipe or three: the first few distinct names keep this bounded.
        words = dict.fromkeys(w for w in _recipe_words(hook.command) if len(w) <= _PATH_MAX)
        for name in map(_unquote, list(words)[:_MAX_RECIPES]):
            path, outside = _recipe_file(recipes, name)
            if outside:
                findings.append(
                    Finding.of(
                        "SCC031",
                        f"install recipe {name!r} run by {hook.variable} lies outside "
                        f"{RECIPES_DIR}/; it is not read",
                        hook.position or Position(model.file),
                        f"keep the recipes the hooks run in {RECIPES_DIR}/",
                    )
                )
            if path is None or path in checked or not path.exists():  # a FIFO is refused
                continue
            checked.add(path)
            findings += _scan_recipe(path, hook.variable)
    return findings


def _scan_recipe(path: Path, variable: str) -> list[Finding]:
    display = str(path)
    try:
        recipe = load_document(read_text(path, display), display)
    except DeployFileError as exc:
        problems = exc.findings
    else:
        problems = recipe.errors
    if problems:
        return [
            Finding.of("SCC031", f"install recipe run by {variable}: {f.message}", f.position)
            for f in problems
        ]
    sections = recipe.data.get("sections")
    if not isinstance(sections, dict):
        return []
    findings: list[Finding] = []
    for section, commands in sections.items():
        if not isinstance(commands, dict) or commands.get("excluded") is True:
            continue  # excluded sections run only when asked for by name
        for command_name, text, where in _recipe_commands(recipe, section, commands):
            heavy = _HEAVY.search(text)
            if heavy or section in _HEAVY_SECTIONS:
                what = f"`{heavy.group(0)}`" if heavy else f"section `{section}`"
                findings.append(
                    Finding.of(
                        "SCC113",
                        f"{variable} runs this recipe, whose {command_name!r} does {what}: "
                        "heavy data ingestion slows and breaks deployments",
                        where,
                        "move it to a scheduler (Jenkins) job started after the deployment",
                    )
                )
    return findings


def _recipe_commands(
    recipe: YamlDocument, section: str, commands: dict[str, Any]
) -> Iterator[tuple[str, str, Position]]:
    for name, spec in commands.items():
        if isinstance(spec, dict) and isinstance(spec.get("command"), str):
            yield name, spec["command"], recipe.position(("sections", section, name, "command"))


def looks_secret(name: str) -> bool:
    parts = name.upper().split("_")
    if parts[-1] in _NOT_SECRET_TAILS or "PUBLIC" in parts:
        return False
    if _SECRET_WORDS.intersection(parts):
        return True
    return any(pair in _SECRET_PAIRS for pair in pairwise(parts))


def _secret_findings(model: DeployModel, doc: YamlDocument) -> list[Finding]:
    findings: list[Finding] = []
    for name, value in model.environment.items():
        if not looks_secret(name):
            continue
        if value.strip().lower() in _PLACEHOLDER_VALUES or _REFERENCE.match(value.strip()):
            continue
        findings.append(
            Finding.of(
                "SCC120",
                f"{name} holds a plain-text value that looks like a secret; it is baked into "
                "every image and readable by anyone who can pull it",
                doc.position(("image", "environment", name)),
                "store it in SSM Parameter Store (SecureString) and pass it to the pipeline",
            )
        )
    return findings
