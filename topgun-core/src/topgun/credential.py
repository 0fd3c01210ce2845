"""``Credential``: one API name's key, secret and the rest, never shown.

A leaf module (it imports nothing of topgun), so that the plugin specs that name it, the signers
that read it and the loader that makes it depend on it without depending on each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["Credential"]


class Credential:
    """One API name's credential elements. Its repr and str never show them.

    ``key``, ``secret`` and ``passphrase`` are the first three elements (empty when absent);
    ``values`` holds all of them, for exchanges whose elements mean something else (a private key).
    """

    __slots__ = ("_secret_bytes", "_values", "api")

    def __init__(self, api: str, values: Iterable[str]) -> None:
        self.api = api
        self._values = tuple(values)
        self._secret_bytes = self.secret.encode()

    @property
    def values(self) -> tuple[str, ...]:
        return self._values

    @property
    def key(self) -> str:
        return self._values[0] if self._values else ""

    @property
    def secret(self) -> str:
        return self._values[1] if len(self._values) > 1 else ""

    @property
    def secret_bytes(self) -> bytes:
        """The secret, UTF-8 encoded once, since every HMAC wants bytes."""
        return self._secret_bytes

    @property
    def passphrase(self) -> str:
        return self._values[2] if len(self._values) > 2 else ""

    def redact(self, text: str) -> str:
        """``text`` with every element of this credential masked: for exchange replies that echo one."""
        for value in self._values:
            if len(value) >= 4:
                text = text.replace(value, "***")
        return text

    def __repr__(self) -> str:
        return f"<Credential {self.api!r}: {len(self._values)} elements, redacted>"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("topgun Credential objects cannot be pickled: that would copy the secret")
