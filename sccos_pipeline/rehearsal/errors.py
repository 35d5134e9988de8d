"""Errors of the rehearsal's own set-up (not of the pipeline it runs): the command exits 2."""

from __future__ import annotations


class RehearsalError(Exception):
    """The rehearsal cannot run: a bad cloud assembly, an unknown stack, a missing tool or an
    occupied port. The message says what and how to fix it; never a traceback."""


class RehearsalDefectError(RehearsalError):
    """A bug of the rehearsal itself (not a failure CodePipeline or CodeBuild would report):
    the run stops, and the command exits 2 rather than report a failed pipeline."""
