"""Reading the files a deploy file brings in: the deploy file, its imports, install recipes.

Each is a small regular file. Anything else is refused from its metadata alone: opening a
FIFO for reading blocks until a writer comes, and opening a device can have effects of its
own (a tape rewinds, a watchdog starts).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .findings import DeployFileError, Finding, Position

MAX_BYTES = 1024 * 1024

# O_NONBLOCK: should a FIFO replace the file between stat and open, open returns at once.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _not_regular(mode: int, where: Position) -> DeployFileError:
    kind = _kind(mode)
    message = kind if kind.startswith("not") else f"is {kind}, not a file"
    return DeployFileError([Finding.of("SCC001", message, where, "give a regular file")])


def _unreadable(exc: OSError | ValueError, where: Position) -> DeployFileError:
    reason = (exc.strerror if isinstance(exc, OSError) else None) or str(exc)
    return DeployFileError([Finding.of("SCC001", f"cannot be read: {reason}", where)])


def _too_large(where: Position) -> DeployFileError:
    return DeployFileError(
        [
            Finding.of(
                "SCC003",
                f"is larger than {MAX_BYTES // 1024} KiB; deploy files are a few KiB",
                where,
                "check that this is the deploy file",
            )
        ]
    )


def read_bytes(path: Path, display: str) -> bytes:
    """The bytes of a regular file of at most MAX_BYTES; anything else is refused unopened."""
    where = Position(display)
    try:
        mode = path.stat().st_mode  # follows symlinks; opens nothing
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        raise _unreadable(exc, where) from None
    if not stat.S_ISREG(mode):
        raise _not_regular(mode, where)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise _unreadable(exc, where) from None
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):  # replaced since the stat above
            raise _not_regular(mode, where)
        try:
            data = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise _unreadable(exc, where) from None
    if len(data) > MAX_BYTES:
        raise _too_large(where)
    return data


def read_text(path: Path, display: str) -> str:
    """Read a file as UTF-8, refusing what is not a readable, bounded text file."""
    data = read_bytes(path, display)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DeployFileError(
            [
                Finding.of(
                    "SCC002",
                    f"byte 0x{data[exc.start]:02x} is not valid UTF-8",
                    Position(display, line, column),
                    "save the file as UTF-8",
                )
            ]
        ) from None
