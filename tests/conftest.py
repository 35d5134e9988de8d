"""Shared test helpers: our own deploy-file fixtures, and the real corpus beside the project."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
EXAMPLE = ROOT / "examples" / "spryker-demo-staging"
SHOPS = ROOT / "tests" / "fixtures" / "shops"  # our own deploy files of real shops' kinds
NODE_BIN = ROOT / "node_modules" / ".bin"

# The Node.js package.json pins comes first on PATH, as in the Makefile: jsii (started by aws_cdk
# as `node` from PATH), the CDK CLI and the rehearsal's IAM bridge all run on it.
_PATH = os.environ.get("PATH", "")
if (NODE_BIN / "node").exists() and _PATH.split(os.pathsep)[0] != str(NODE_BIN):
    os.environ["PATH"] = os.pathsep.join([str(NODE_BIN), _PATH])

CDK = NODE_BIN / "cdk"  # the CDK CLI package-lock.json pins


def offline_env(**extra: str) -> dict[str, str]:
    """What `make` gives synth: no AWS credentials or metadata service, and no CDK notices,
    telemetry or version check, so nothing reaches the network."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_EC2_METADATA_DISABLED="true",
        CDK_DISABLE_CLI_TELEMETRY="true",
        CDK_DISABLE_VERSION_CHECK="true",
        **extra,
    )
    return env


needs_corpus = pytest.mark.skipif(
    not (CORPUS / "deploy-files").is_dir(), reason="../shared/corpus is not beside the project"
)


def cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The command as users run it: a separate process, on this checkout's code."""
    return subprocess.run(
        [sys.executable, "-m", "sccos_pipeline", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100", **(env or {})},
        check=False,
    )


def write_project(root: Path, files: Mapping[str, str | bytes]) -> None:
    """Lay out files under root; text is dedented so fixtures read naturally."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")


MINIMAL = """\
version: '0.1'
namespace: shop
image:
  tag: spryker/php:8.4
  environment:
    SPRYKER_DEFAULT_STORE: DE
groups:
  EU:
    region: EU
    applications:
      yves_eu:
        application: yves
      boffice_eu:
        application: backoffice
      static_eu:
        application: static
regions:
  EU:
    stores:
      DE:
        services:
          broker:
            namespace: de-docker
      NO:
        services:
          broker:
            namespace: no-docker
"""


# Git repositories made by tests: no user or system configuration, a fixed author.
GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, env={**os.environ, **GIT_ENV}, check=True, capture_output=True
    )
    return done.stdout.decode().strip()


def commit(repo: Path, files: dict[str, str | bytes]) -> str:
    """Commit the files (each changed or added) and return the short hash."""
    write_project(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "change")
    return git(repo, "rev-parse", "HEAD")[:7]
