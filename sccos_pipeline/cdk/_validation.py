"""Validation of the environment's props and deploy file: every problem collected, raised once."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from aws_cdk import Annotations
from aws_cdk import aws_ecr as ecr
from constructs import Construct

from ..core.deployfile.advice import looks_secret
from ..core.deployfile.applications import image_names, service_names
from ..core.deployfile.findings import DeployFileError, Severity
from ..core.deployfile.loader import validate_deploy_file
from ..core.deployfile.model import DeployModel
from ..core.stages import HOOK_VARIABLES, PipelineKind, PipelineType, Stage
from . import props as p

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# Set by the pipeline or baked into the image: a project variable would shadow them.
_RESERVED = HOOK_VARIABLES | {"SPRYKER_PIPELINE_TYPE", "SPRYKER_PROJECT_NAME"}


def load_deploy_file_with_warnings(
    scope: Construct,
    deploy_file: str | Path,
    *,
    project: str | None,
    project_root: str | Path | None,
) -> DeployModel:
    """The deploy file's model; its errors fail synth, its warnings become annotations of
    `scope` (id `sccos-pipeline:<CODE>`), so `cdk synth` shows what `validate` shows and
    `cdk synth --strict` fails on them."""
    result = validate_deploy_file(deploy_file, project=project, project_root=project_root)
    if result.model is None:
        raise DeployFileError(list(result.errors))
    for finding in result.findings:
        if finding.severity is Severity.WARNING:
            Annotations.of(scope).add_warning_v2(f"sccos-pipeline:{finding.code}", finding.format())
    return result.model


def _keys(
    problems: list[p.Problem],
    what: str,
    given: Mapping[str, object],
    expected: Sequence[str],
    fix: str,
) -> None:
    missing = [k for k in expected if k not in given]
    unknown = [k for k in given if k not in expected]
    if missing:
        problems.append((what, f"lacks {_list(missing)} (has {_list(sorted(given))}). Fix: {fix}"))
    if unknown:
        problems.append((what, f"has unknown keys {_list(unknown)}; expected {_list(expected)}"))


def _list(values: Sequence[str]) -> str:
    return json.dumps(list(values))


def _containers_given_twice(services: Mapping[str, p.ServiceTarget]) -> list[p.Problem]:
    """One ECS service may run several applications (Spryker's `storeapp`), each in its own
    container: its one deploy action gives each container the image of its key."""
    problems: list[p.Problem] = []
    seen: dict[tuple[str, str], str] = {}
    for key, target in services.items():
        service = f"{target.service.cluster.cluster_name}/{target.service.service_name}"
        first = seen.setdefault((service, target.container_name), key)
        if first != key:
            problems.append(
                (
                    f"services.{key}.container_name",
                    f"is {target.container_name!r}, the container of services.{first} in the "
                    f"same ECS service {service}: one deployment would give it two images. "
                    "Fix: name each application's own container",
                )
            )
    return problems


def validate_environment_props(
    construct: str,
    *,
    model: DeployModel,
    services: Mapping[str, p.ServiceTarget],
    repositories: Mapping[str, ecr.IRepository] | None,
    keep_deployed_versions: int,
    pipelines: Sequence[PipelineKind | PipelineType],
    production: bool,
    allow_destructive_in_production: bool,
    destructive_on_push: bool,
    zed_environment: Mapping[str, str],
    secrets: Mapping[str, p.SecretSource],
    hook_settings: Mapping[Stage, p.HookProjectSettings],
    approval_emails: Sequence[str],
) -> None:
    """Problems are worded for construct and cdk.json users alike, each with its prop."""
    problems: list[p.Problem] = []
    _keys(
        problems,
        "services",
        services,
        [*service_names(model), "jenkins"],
        "add one for each application of the deploy file, `frontend` and `jenkins`",
    )
    problems += _containers_given_twice(services)
    if repositories is not None:
        _keys(
            problems,
            "repositories",
            repositories,
            image_names(model),
            "add the missing repositories, or leave repositories unset to create them",
        )
    if not 1 <= keep_deployed_versions <= 1000:
        problems.append(
            (
                "keep_deployed_versions",
                f"is {keep_deployed_versions}. Fix: 1 to 1000 deployed versions to keep",
            )
        )
    if not pipelines:
        problems.append(("pipelines", "is empty. Fix: give the normal pipeline at least"))
    if production and PipelineKind.DESTRUCTIVE in pipelines and not allow_destructive_in_production:
        problems.append(
            (
                "pipelines",
                "has the destructive pipeline in a production environment: it would reset all "
                "production data. Fix: keep only the normal pipeline, or allow destructive "
                "pipelines in production explicitly",
            )
        )
    if production and destructive_on_push:
        problems.append(
            (
                "destructive_on_push",
                "is set in a production environment: a push would reset production data. "
                "Fix: start the destructive pipeline by hand",
            )
        )
    problems += _variable_problems(zed_environment, secrets)
    for stage, settings in hook_settings.items():
        if not 5 <= settings.timeout_minutes <= 2160:
            problems.append(
                (
                    f"hook_settings.{stage.value}",
                    f"a timeout of {settings.timeout_minutes} minutes: CodeBuild allows 5 to 2160",
                )
            )
    problems += [
        ("approval_emails", f"has {email!r}, not an e-mail address")
        for email in approval_emails
        if not _EMAIL.fullmatch(email)
    ]
    if problems:
        raise p.PropsError(construct, problems)


def _variable_problems(
    zed_environment: Mapping[str, str], secrets: Mapping[str, p.SecretSource]
) -> list[p.Problem]:
    """The hooks' plain variables and secrets: no secret in plain text, none shadowing ours."""
    problems: list[p.Problem] = []
    for name in zed_environment:
        where = f"zed_environment.{name}"
        if looks_secret(name):
            problems.append(
                (
                    where,
                    "looks like a secret in plain text. "
                    "Fix: give it as a secret (SSM or Secrets Manager)",
                )
            )
        if name in _RESERVED:
            problems.append(
                (
                    where,
                    "would shadow what the image or pipeline sets. "
                    "Fix: set hooks in the deploy file",
                )
            )
    for name, source in secrets.items():
        if (source.parameter_name is None) == (source.secret is None):
            problems.append(
                (
                    f"secrets.{name}",
                    f"needs exactly one of parameter_name or secret, received {source!r}",
                )
            )
        if name in _RESERVED:
            problems.append((f"secrets.{name}", "would shadow what the image or pipeline sets"))
    return problems
