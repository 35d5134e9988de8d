"""Validation of the environment's props: every problem collected, raised once."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from aws_cdk import aws_ecr as ecr

from ..core.checks import looks_secret
from ..core.model import DeployModel
from ..core.plan import image_names, service_names
from ..core.stages import HOOK_VARIABLES, PipelineType, Stage
from . import props as p

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# Set by the pipeline or baked into the image: a project variable would shadow them.
_RESERVED = HOOK_VARIABLES | {"SPRYKER_PIPELINE_TYPE", "SPRYKER_PROJECT_NAME"}


def _keys(
    problems: list[str], what: str, given: Mapping[str, object], expected: Sequence[str], fix: str
) -> None:
    missing = [k for k in expected if k not in given]
    unknown = [k for k in given if k not in expected]
    if missing:
        problems.append(f"{what} lacks {missing} (received keys {sorted(given)}). Fix: {fix}")
    if unknown:
        problems.append(f"{what} has unknown keys {unknown}; expected {list(expected)}")


def validate_environment_props(
    construct: str,
    *,
    model: DeployModel,
    services: Mapping[str, p.ServiceTarget],
    repositories: Mapping[str, ecr.IRepository] | None,
    pipelines: Sequence[PipelineType],
    production: bool,
    allow_destructive_in_production: bool,
    destructive_on_push: bool,
    zed_environment: Mapping[str, str],
    secrets: Mapping[str, p.SecretSource],
    hook_settings: Mapping[Stage, p.HookProjectSettings],
    approval_emails: Sequence[str],
) -> None:
    problems: list[str] = []
    _keys(
        problems,
        "services",
        services,
        [*service_names(model), "jenkins"],
        "add a ServiceTarget for each application of the deploy file, `frontend` and `jenkins`",
    )
    if repositories is not None:
        _keys(
            problems,
            "repositories",
            repositories,
            image_names(model),
            "add the missing repositories, or leave repositories unset to create them",
        )
    if not pipelines:
        problems.append("pipelines is empty. Fix: pass [PipelineType.NORMAL] at least")
    if production and PipelineType.DESTRUCTIVE in pipelines and not allow_destructive_in_production:
        problems.append(
            "production=True with a destructive pipeline: it would reset all production data. "
            "Fix: pipelines=[PipelineType.NORMAL], or allow_destructive_in_production=True"
        )
    if production and destructive_on_push:
        problems.append(
            "destructive_on_push=True with production=True: a push would reset production data. "
            "Fix: leave destructive_on_push unset"
        )
    for name in zed_environment:
        if looks_secret(name):
            problems.append(
                f"zed_environment[{name!r}] looks like a secret in plain text. "
                "Fix: pass it in secrets= (SSM or Secrets Manager)"
            )
        if name in _RESERVED:
            problems.append(
                f"zed_environment[{name!r}] would shadow what the image or pipeline sets. "
                "Fix: set hooks in the deploy file"
            )
    for name, source in secrets.items():
        if (source.parameter_name is None) == (source.secret is None):
            problems.append(
                f"secrets[{name!r}] needs exactly one of parameter_name or secret, "
                f"received {source!r}"
            )
        if name in _RESERVED:
            problems.append(f"secrets[{name!r}] would shadow what the image or pipeline sets")
    for stage, settings in hook_settings.items():
        if not 5 <= settings.timeout_minutes <= 2160:
            problems.append(
                f"hook_settings[{stage.value}].timeout_minutes={settings.timeout_minutes}: "
                "CodeBuild allows 5 to 2160"
            )
    problems += [
        f"approval_emails has {email!r}, not an e-mail address"
        for email in approval_emails
        if not _EMAIL.fullmatch(email)
    ]
    if problems:
        raise p.PropsError(construct, problems)
