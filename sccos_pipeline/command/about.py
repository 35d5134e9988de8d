"""What the command says about itself: its name, version, exit codes and where to read more."""

from __future__ import annotations

NAME = "sccos-pipeline"
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
EXIT_INTERNAL = 2  # a defect of ours is no finding: 1 would blame the deploy file
# What the checks are about; the project has no public home page of its own yet.
INFORMATION_URI = (
    "https://docs.spryker.com/docs/dg/dev/sdks/the-docker-sdk/deploy-file/deploy-file.html"
)


def version() -> str | None:
    """The installed distribution's version; None when running from a source tree."""
    from importlib import metadata  # noqa: PLC0415 - only --version and SARIF pay for it

    try:
        return metadata.version(NAME)
    except metadata.PackageNotFoundError:
        return None


def version_line() -> str:
    found = version()
    return f"{NAME} {found}" if found else f"{NAME} (version unknown: not installed as a package)"
