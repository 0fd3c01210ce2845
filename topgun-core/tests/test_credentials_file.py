"""The apis file: only a regular file of at most 1 MiB is read, and a file other users can read
is reported with the fix (``chmod 600``), as ssh does for private keys."""

from __future__ import annotations

import asyncio
import os
import stat
import threading
import warnings
from pathlib import Path
from typing import Any

import orjson
import pytest

import topgun
from topgun.credentials import load_credentials
from topgun.credentials_file import MAX_CREDENTIAL_FILE_SIZE
from topgun.errors import CredentialFilePermissionWarning
from topgun.registry import Registry

posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs, devices and modes are POSIX")


def _private(path: Path, data: Any) -> Path:
    path.write_bytes(orjson.dumps(data))
    path.chmod(0o600)
    return path


@posix_only
def test_a_fifo_is_refused_without_blocking(tmp_path: Path, toy_registry: Registry) -> None:
    fifo = tmp_path / "apis.json"
    os.mkfifo(fifo, 0o600)
    outcome: list[BaseException] = []

    def load() -> None:
        try:
            load_credentials(fifo, toy_registry.apis)
        except BaseException as exc:
            outcome.append(exc)

    reader = threading.Thread(target=load, daemon=True)
    reader.start()
    reader.join(30)  # a hang guard, not a speed check: a blocked open never returns
    blocked = reader.is_alive()
    if blocked:  # release the reader (a writer appearing unblocks the open), then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(30)
    assert not blocked, "reading the apis FIFO blocked"
    (error,) = outcome
    assert isinstance(error, topgun.CredentialError)
    assert "FIFO" in str(error) and "not a regular file" in str(error)


@posix_only
def test_dev_zero_is_refused(toy_registry: Registry) -> None:
    with pytest.raises(topgun.CredentialError, match="is a device, not a regular file"):
        load_credentials("/dev/zero", toy_registry.apis)


async def test_a_file_over_one_mib_is_refused_unread(
    tmp_path: Path, toy_registry: Registry
) -> None:
    path = tmp_path / "apis.json"
    with path.open("wb") as file:
        file.truncate(300 * 1024 * 1024)  # sparse: 300 MiB of nothing, no disk used
    path.chmod(0o600)
    with pytest.raises(topgun.CredentialError) as raised:
        topgun.Client(path, registry=toy_registry)
    assert f"is {300 * 1024 * 1024} bytes" in str(raised.value)
    assert "1 MiB" in str(raised.value)


def test_a_file_of_exactly_the_limit_is_read(tmp_path: Path, toy_registry: Registry) -> None:
    text = orjson.dumps({"toy": ["K", "S"]})
    path = tmp_path / "apis.json"
    path.write_bytes(text + b" " * (MAX_CREDENTIAL_FILE_SIZE - len(text)))
    path.chmod(0o600)
    assert path.stat().st_size == MAX_CREDENTIAL_FILE_SIZE
    assert load_credentials(path, toy_registry.apis)["toy"].key == "K"


@posix_only
def test_a_symlink_to_a_private_file_is_followed(tmp_path: Path, toy_registry: Registry) -> None:
    target = _private(tmp_path / "real.json", {"toy": ["K", "S"]})
    link = tmp_path / "apis.json"
    link.symlink_to(target)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_credentials(link, toy_registry.apis)["toy"].key == "K"


@posix_only
@pytest.mark.parametrize(
    ("mode", "who"),
    [(0o644, "its group and other users"), (0o640, "its group"), (0o604, "other users")],
)
async def test_a_file_others_can_read_is_reported_with_the_fix(
    tmp_path: Path, toy_registry: Registry, mode: int, who: str
) -> None:
    path = _private(tmp_path / "apis.json", {"toy": ["K", "S-secret-value"]})
    path.chmod(mode)
    with pytest.warns(CredentialFilePermissionWarning) as caught:
        async with topgun.Client(path, registry=toy_registry) as client:
            assert client.api_names == ("toy",)  # still loaded: a warning, not an error
    message = str(caught[0].message)
    assert f"chmod 600 {path}" in message and who in message and f"{mode:04o}" in message
    assert "S-secret-value" not in message
    assert caught[0].filename == __file__  # points at the caller's Client(...) line


@posix_only
def test_a_private_file_warns_nothing(
    tmp_path: Path, toy_registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _private(tmp_path / "apis.json", {"toy": ["K", "S"]})
    monkeypatch.chdir(tmp_path)

    async def main() -> tuple[str, ...]:
        async with topgun.Client(registry=toy_registry) as client:  # implicit ./apis.json
            return client.api_names

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert asyncio.run(main()) == ("toy",)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
