"""The app behind `cdk synth` / `cdk deploy`: one stack per environment of cdk.json."""

from __future__ import annotations

import sys

from aws_cdk import App

from ..cdk.props import PropsError
from ..core.findings import DeployFileError
from .settings import CONTEXT_KEY, SettingsError, read_settings
from .stack import SprykerEnvironmentStack


def build_app(app: App) -> list[SprykerEnvironmentStack]:
    """Settings are read here, once, and passed down typed; constructs never read context."""
    settings = read_settings(app.node.try_get_context(CONTEXT_KEY))
    return [SprykerEnvironmentStack(app, s) for s in settings]


def main() -> int:
    app = App()
    try:
        build_app(app)
    except (SettingsError, DeployFileError, PropsError) as exc:
        sys.stderr.write(f"sccos-pipeline: {exc}\n")
        return 1
    app.synth()
    return 0
