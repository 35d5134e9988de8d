"""The app behind `cdk synth` / `cdk deploy`: one stack per environment of cdk.json."""

from __future__ import annotations

import re
import sys

from aws_cdk import App

from ..cdk.props import PropsError
from ..core.deployfile.findings import DeployFileError
from .preflight import check_environments
from .schema import key_path
from .settings import CONTEXT_KEY, EnvironmentSettings, SettingsError, read_settings
from .stack import SprykerEnvironmentStack

# The construct props an app user sets through cdk.json, by the key they have there.
_SETTING_OF_PROP = {
    "services": "services",
    "pipelines": "pipelines",
    "production": "production",
    "destructive_on_push": "destructiveOnPush",
    "zed_environment": "zedEnvironment",
    "secrets": "secrets",
    "hook_settings": "hooks",
    "approval_emails": "approvalEmails",
    "keep_deployed_versions": "keepDeployedVersions",
}
_STACK_TRACE = re.compile(r"^\s+at |jsii", re.IGNORECASE)


def build_app(app: App) -> list[SprykerEnvironmentStack]:
    """Settings are read here, once, and passed down typed; constructs never read context.

    Raises SettingsError with every problem found, each under its key in cdk.json.
    """
    settings = read_settings(app.node.try_get_context(CONTEXT_KEY))
    check_environments(settings)
    stacks, problems = [], []
    for environment in settings:
        try:
            stacks.append(SprykerEnvironmentStack(app, environment))
        except PropsError as exc:
            problems += [_setting(environment, prop, text) for prop, text in exc.located]
        except DeployFileError as exc:
            at = key_path([environment.name, "deployFile"])
            problems += [f"{at}: {finding.format()}" for finding in exc.findings]
        except Exception as exc:
            exc.add_note(f"while building {key_path([environment.name])}")
            raise
    if problems:
        raise SettingsError(problems)
    return stacks


def _setting(environment: EnvironmentSettings, prop: str, text: str) -> str:
    """A construct's prop problem under the cdk.json key the user wrote."""
    head, _, rest = prop.partition(".")
    path = [environment.name, _SETTING_OF_PROP.get(head, head), rest]
    return f"{key_path([step for step in path if step])}: {text}"


def _message(exc: BaseException) -> str:
    """An unexpected error's own words, without the JavaScript and jsii stack under them."""
    lines = [line for line in str(exc).splitlines() if line.strip()]
    kept = [line for line in lines if not _STACK_TRACE.search(line)][:10]
    return "\n".join([*kept, *getattr(exc, "__notes__", [])]) or type(exc).__name__


def main() -> int:
    app = App()
    try:
        build_app(app)
        app.synth()
    except SettingsError as exc:
        sys.stderr.write(f"sccos-pipeline: {exc}\n")
        return 1
    except Exception as exc:  # never a traceback for cdk.json users, whatever the value
        sys.stderr.write(f"sccos-pipeline: synth failed:\n{_message(exc)}\n")
        return 1
    return 0
