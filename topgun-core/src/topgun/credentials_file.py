"""Reading an ``apis`` JSON file without trusting what the path points at.

The path may name anything: a FIFO (whose open blocks until a writer appears, freezing the event
loop), a device (``/dev/zero`` never ends), a huge file. Only a regular file of at most
``MAX_CREDENTIAL_FILE_SIZE`` bytes is read: the type is checked before opening, the file is opened
non-blocking, and checked again on the descriptor (the path may have changed in between). As ssh
does for private keys, a file that other users of the machine can read is reported, with the fix.
"""

from __future__ import annotations

import os
import shlex
import stat
from pathlib import Path
from typing import Final

from ._caller import warn_at_caller
from .errors import CredentialFileError, CredentialFilePermissionWarning

__all__ = ["MAX_CREDENTIAL_FILE_SIZE", "read_credential_file"]

MAX_CREDENTIAL_FILE_SIZE: Final = 1024 * 1024
"""1 MiB: thousands of API keys; anything larger is not an apis file."""

_OPEN_FLAGS: Final = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def read_credential_file(path: Path) -> bytes:
    """The file's bytes. Raises ``FileNotFoundError``, ``CredentialFileError`` or ``OSError``."""
    _check(os.stat(path))
    fd = os.open(path, _OPEN_FLAGS)
    with os.fdopen(fd, "rb") as file:
        status = os.fstat(file.fileno())
        _check(status)
        _warn_if_shared(path, status.st_mode)
        data = file.read(MAX_CREDENTIAL_FILE_SIZE + 1)
    if len(data) > MAX_CREDENTIAL_FILE_SIZE:  # it grew after the size was checked
        raise CredentialFileError(_too_big(len(data)))
    return data


def _check(status: os.stat_result) -> None:
    mode = status.st_mode
    if not stat.S_ISREG(mode):
        raise CredentialFileError(
            f"is {_kind(mode)}, not a regular file; point apis (or $TOPGUN_APIS) at a JSON file"
        )
    if status.st_size > MAX_CREDENTIAL_FILE_SIZE:
        raise CredentialFileError(_too_big(status.st_size))


def _too_big(size: int) -> str:
    return (
        f"is {size} bytes; an apis file holds a few keys and is read only up to "
        f"{MAX_CREDENTIAL_FILE_SIZE} bytes (1 MiB). Is it the right file?"
    )


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _warn_if_shared(path: Path, mode: int) -> None:
    if os.name != "posix" or not mode & 0o077:
        return
    who = " and ".join(
        name for name, bits in (("its group", 0o070), ("other users", 0o007)) if mode & bits
    )
    warn_at_caller(
        f"the apis file {str(path)!r} holds API secrets but is accessible by {who} (mode "
        f"{stat.S_IMODE(mode):04o}); anyone on this machine with that access can trade with your "
        f"keys. Restrict it to yourself: chmod 600 {shlex.quote(str(path))}",
        CredentialFilePermissionWarning,
    )
