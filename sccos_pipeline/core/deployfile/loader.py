"""Load a deploy file into the model: read, parse, merge imports, check, resolve hooks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .. import naming
from ..stages import DEFAULT_COMMAND, HOOK_VARIABLE, HOOK_VARIABLES, PipelineType, Stage
from . import topology
from .advice import Baseline, advise
from .deployable import buildspec_findings, interpreted_text_findings
from .files import MAX_BYTES, read_text
from .findings import DeployFileError, Finding, Position, Severity
from .imports import TEMPLATES_DIR, resolve_imports
from .model import DeployModel, Hook, HookSource
from .php_tags import CURRENT, HISTORICAL
from .values import env_text
from .yamlsafe import YamlDocument, load_document

DEFAULT_IMAGE = "spryker/php:7.3"  # the Docker SDK's default when `image.tag` is unset
DEFAULT_NAMESPACE = "spryker"

_IMAGE = re.compile(
    r"(?:docker\.io/)?spryker/php(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
    r"(?:@sha256:[0-9a-f]{64})?"
)
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FILE_PROJECT = re.compile(r"deploy\.(?P<name>[A-Za-z0-9_-]+)\.ya?ml")


@dataclass(frozen=True)
class Base:
    """A deploy file at the base of a change (`--base REF`): its text, or None when it did not
    exist there. `label` names it in messages, e.g. `main:deploy.yml`."""

    text: str | None
    label: str = "base"


@dataclass(frozen=True)
class Validation:
    """What validating one deploy file found; `model` is None when it has errors."""

    file: str
    model: DeployModel | None
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def valid(self) -> bool:
        return not self.errors


def find_project_root(deploy_file: Path) -> Path:
    """The nearest folder at or above the deploy file that holds project templates or recipes."""
    try:
        start = deploy_file.resolve().parent
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL: reading will say
        return deploy_file.parent
    for folder in (start, *start.parents):
        if (folder / TEMPLATES_DIR).is_dir() or (folder / "config" / "install").is_dir():
            return folder
    return start


def validate_deploy_file(
    path: str | Path,
    *,
    project: str | None = None,
    project_root: str | Path | None = None,
    base: Base | None = None,
) -> Validation:
    """Every finding for a deploy file, and its model when it has no error. Never raises.

    With a base, SCC114 says whether the pre-deploy hook changed since then."""
    file = Path(path)
    display = str(path)
    root = Path(project_root) if project_root is not None else find_project_root(file)
    warnings: list[Finding] = []
    try:
        doc = load_document(read_text(file, display), display)
        doc = resolve_imports(doc, root, warnings)
        model, findings = _build(doc, project)
        findings = doc.errors + findings + interpreted_text_findings(doc)
        if model is not None:
            findings += buildspec_findings(model)  # what `buildspec` and synth would refuse
        if model is not None and not doc.errors:
            baseline = _baseline(base, root) if base is not None else None
            findings += advise(model, doc, root, baseline)
    except DeployFileError as exc:
        return Validation(display, None, _in_order(warnings + exc.findings))
    findings = warnings + findings
    has_error = any(f.severity is Severity.ERROR for f in findings)
    return Validation(display, None if has_error else model, _in_order(findings))


def _in_order(findings: list[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=Finding.sort_key))


def _baseline(base: Base, project_root: Path) -> Baseline:
    """The pre-deploy command the base version runs; imports are read from the working tree."""
    if base.text is None or len(base.text) > MAX_BYTES:
        return Baseline(None)
    try:
        doc = resolve_imports(load_document(base.text, base.label), project_root, [])
    except DeployFileError:
        return Baseline(None)
    if doc.errors:
        return Baseline(None)
    key = (Stage.PRE_DEPLOY, PipelineType.NORMAL)
    value = _environment(doc, []).get(HOOK_VARIABLE[key], "")
    return Baseline(value if value.strip() else DEFAULT_COMMAND[key])


def load_deploy_file(
    path: str | Path,
    *,
    project: str | None = None,
    project_root: str | Path | None = None,
) -> DeployModel:
    """The model of a deploy file; raises DeployFileError with every error when it has any."""
    result = validate_deploy_file(path, project=project, project_root=project_root)
    if result.model is None:
        raise DeployFileError(list(result.errors))
    return result.model


def _build(doc: YamlDocument, project: str | None) -> tuple[DeployModel | None, list[Finding]]:
    findings: list[Finding] = []
    image = _image(doc, findings)
    environment = _environment(doc, findings)
    project_name = _project(doc, project, findings)
    applications = topology.applications(doc, project_name, findings)
    regions, stores, region_brokers = topology.regions(doc, findings)
    if any(f.severity is Severity.ERROR for f in findings):
        return None, findings
    namespace = doc.data.get("namespace")
    model = DeployModel(
        file=doc.file,
        project=project_name,
        namespace=namespace if isinstance(namespace, str) else None,
        image=image,
        environment=MappingProxyType(environment),
        hooks=_hooks(doc, environment),
        applications=applications,
        regions=regions,
        stores=stores,
        region_brokers=region_brokers,
    )
    return model, findings


def _image(doc: YamlDocument, findings: list[Finding]) -> str:
    image = doc.data.get("image")
    if image is not None and not isinstance(image, dict):
        findings.append(
            Finding.of(
                "SCC020",
                f"`image` must be a mapping with `tag:` and `environment:`, got {image!r}",
                doc.position(("image",)),
                "write `image: {tag: spryker/php:8.4}`",
            )
        )
        return DEFAULT_IMAGE
    tag = (image or {}).get("tag")
    if tag is None:
        findings.append(
            Finding.of(
                "SCC103",
                f"`image.tag` is not set: the Docker SDK builds on {DEFAULT_IMAGE}, "
                "which is no longer maintained",
                doc.position(("image",)),
                "set `image.tag`, e.g. spryker/php:8.4",
            )
        )
        return DEFAULT_IMAGE
    where = doc.position(("image", "tag"))
    if not isinstance(tag, str):
        findings.append(Finding.of("SCC020", f"`image.tag` must be a string, got {tag!r}", where))
        return DEFAULT_IMAGE
    match = _IMAGE.fullmatch(tag.strip())
    if match is None:
        findings.append(
            Finding.of(
                "SCC025",
                f"{tag!r} is not an official spryker/php image; custom images are not "
                "supported in SCCOS",
                where,
                "use spryker/php:<tag>, e.g. spryker/php:8.4",
            )
        )
        return tag
    version = match.group("tag") or "latest"
    if version in HISTORICAL:
        findings.append(
            Finding.of(
                "SCC101",
                f"spryker/php:{version} is no longer maintained",
                where,
                "move to a current tag, e.g. spryker/php:8.4",
            )
        )
    elif version not in CURRENT:
        findings.append(
            Finding.of(
                "SCC102",
                f"spryker/php:{version} is not a known spryker/php tag",
                where,
                "use a tag from the docker-php README, e.g. spryker/php:8.4",
            )
        )
    return tag.strip()


def _environment(doc: YamlDocument, findings: list[Finding]) -> dict[str, str]:
    image = doc.data.get("image")
    raw = image.get("environment") if isinstance(image, dict) else None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        findings.append(
            Finding.of(
                "SCC021",
                f"`image.environment` must be a mapping of NAME: value, got {raw!r}",
                doc.position(("image", "environment")),
            )
        )
        return {}
    environment: dict[str, str] = {}
    for name, value in raw.items():
        path = ("image", "environment", name)
        if not _ENV_NAME.fullmatch(name):
            findings.append(
                Finding.of(
                    "SCC022",
                    f"{name!r} cannot be an environment variable name",
                    doc.position(path, key=True),
                    "use letters, digits and '_', not starting with a digit",
                )
            )
            continue
        if isinstance(value, dict | list):
            findings.append(
                Finding.of(
                    "SCC023",
                    f"{name} must be a single value, got a {type(value).__name__}",
                    doc.position(path),
                    "quote it as one string, e.g. JSON text",
                )
            )
            continue
        if name in HOOK_VARIABLES and value is not None and not isinstance(value, str):
            findings.append(
                Finding.of(
                    "SCC024",
                    f"{name} must be a shell command string, got {value!r}",
                    doc.position(path),
                    f"quote it: {name}: '{env_text(value)}'",
                )
            )
            continue
        text = env_text(value)
        if "\0" in text:  # execve and the Dockerfile ENV line end a value at NUL
            findings.append(
                Finding.of(
                    "SCC029",
                    f"{name} holds a NUL character, which no environment variable can carry",
                    doc.position(path),
                    "remove the \\0 escape",
                )
            )
            continue
        raw_text = doc.raw(path)
        if _surprising(value, raw_text, text):
            findings.append(
                Finding.of(
                    "SCC130",
                    f"{name}: {raw_text} becomes {text!r} in the image",
                    doc.position(path),
                    f"write {name}: '{text}' if that is meant",
                )
            )
        if "'" in text or "\n" in text:
            findings.append(
                Finding.of(
                    "SCC132",
                    f"{name} holds a {'single quote' if chr(39) in text else 'line break'}; "
                    f"the Docker SDK writes ENV {name}='...' and the image build breaks",
                    doc.position(path),
                    "move the script into a file and call it, or avoid the character",
                )
            )
        environment[name] = text
    return environment


def _surprising(value: Any, raw_text: str | None, text: str) -> bool:
    """Whether the image gets a value the file does not appear to say (SCC130).

    `true` becoming "1" is not: Spryker's own deploy files write `SPRYKER_DYNAMIC_STORE_MODE:
    true` (Spryker docs, enable-dynamic-multistore.md) and its PHP reads the "1" the Docker SDK
    bakes. The rest is: `false` and `~` become empty, so `${X:-default}` and `getenv() ?:`
    take the default; floats lose digits (1.50 is "1.5"); 0x1F, 0o17 and 010 turn decimal.
    """
    if isinstance(value, str) or raw_text is None or value is True:
        return False
    return raw_text != text


def _project(doc: YamlDocument, given: str | None, findings: list[Finding]) -> str:
    where = Position(doc.file)
    ways = '--project NAME, or "project" in cdk.json'  # how to give another name
    if given is not None:
        name, origin = given, "the given project name"
    elif match := _FILE_PROJECT.fullmatch(Path(doc.file).name):
        name, origin = match.group("name"), "the project name taken from the file name"
    elif isinstance(doc.data.get("namespace"), str):
        name, origin = doc.data["namespace"], "the project name taken from `namespace`"
        where = doc.position(("namespace",))
        ways = f"`namespace`, {ways}"
    else:
        name, origin = DEFAULT_NAMESPACE, "the default project name"
    problem = naming.project_name_problem(name)
    if problem:
        findings.append(
            Finding.of(
                "SCC026",
                f"{origin}, {name!r}, {problem}",
                where,
                f"set another project name: {ways}; {naming.PROJECT_RULE}",
            )
        )
    return name


def _hooks(doc: YamlDocument, environment: dict[str, str]) -> tuple[Hook, ...]:
    hooks: list[Hook] = []
    for (stage, pipeline_type), variable in HOOK_VARIABLE.items():
        value = environment.get(variable, "")
        if value.strip():
            where = doc.position(("image", "environment", variable))
            hooks.append(Hook(stage, pipeline_type, variable, value, HookSource.DEPLOY_FILE, where))
        else:
            default = DEFAULT_COMMAND[(stage, pipeline_type)]
            hooks.append(Hook(stage, pipeline_type, variable, default, HookSource.DEFAULT))
    return tuple(hooks)
