"""The deploy-file model the rest of the project builds on: immutable and typed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from ..stages import PipelineType, Stage
from .findings import Position


class HookSource(StrEnum):
    DEPLOY_FILE = "deploy file"
    DEFAULT = "default"


@dataclass(frozen=True)
class Hook:
    """The command the deploy file gives a stage for a pipeline type (the image built from it
    carries it), else Spryker's default."""

    stage: Stage
    pipeline_type: PipelineType
    variable: str
    command: str
    source: HookSource
    position: Position | None = None  # where the deploy file sets it


@dataclass(frozen=True)
class Application:
    """An application of `groups.<group>.applications` that gets its own image and service."""

    name: str  # the key, e.g. `yves_eu`
    type: str  # the `application` value, e.g. `yves`
    group: str
    region: str | None


@dataclass(frozen=True)
class Store:
    name: str
    region: str
    broker_namespace: str | None


@dataclass(frozen=True)
class RegionBroker:
    """A region's own broker connection (dynamic-store deploy files): one vhost per region."""

    region: str
    namespace: str


@dataclass(frozen=True)
class DeployModel:
    file: str
    project: str
    namespace: str | None
    image: str  # e.g. `spryker/php:8.4`
    environment: Mapping[str, str]  # read-only: the values the image really gets
    hooks: tuple[Hook, ...]
    applications: tuple[Application, ...]
    regions: tuple[str, ...]
    stores: tuple[Store, ...]
    region_brokers: tuple[RegionBroker, ...] = ()

    @property
    def image_tag(self) -> str:
        return self.image.partition(":")[2] or "latest"

    def hook(self, stage: Stage, pipeline_type: PipelineType) -> Hook:
        for hook in self.hooks:
            if hook.stage is stage and hook.pipeline_type is pipeline_type:
                return hook
        raise KeyError((stage, pipeline_type))  # pragma: no cover - hooks are always complete

    def stage_hooks(self, stage: Stage) -> dict[PipelineType, Hook]:
        return {t: self.hook(stage, t) for t in PipelineType}
