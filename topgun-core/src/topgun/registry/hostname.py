"""One spelling per host, so that registration, conflict checks and lookups agree.

``API.EXAMPLE.COM``, ``api.example.com.`` (the fully qualified form, with the root's dot) and
the Unicode form of an internationalised name are the host ``api.example.com`` (or its
punycode) for DNS and TLS alike, so they are one host here too: lowercase, IDNA-encoded, no
trailing dot. yarl already lowercases and IDNA-encodes ``URL.raw_host``, so a lookup only has
to drop the dot.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from yarl import URL

__all__ = ["canonical_host", "lookup"]

T = TypeVar("T")


def canonical_host(name: str) -> str:
    """The canonical spelling of a registered host name; ``ValueError`` says why one is invalid."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"a host name must be a non-empty string, not {name!r}")
    try:
        raw = URL.build(scheme="https", host=name).raw_host
    except (TypeError, ValueError, UnicodeError) as exc:
        raise ValueError(
            f"{name!r} is not a host name ({exc}); register the bare host (no scheme, port or "
            "path) and declare a non-default port with Host(ports=...)"
        ) from None
    canonical = (raw or "").removesuffix(".")
    if not canonical:
        raise ValueError(f"{name!r} is not a host name")
    return canonical


def lookup(table: Mapping[str, T], url: URL) -> T | None:
    """The entry for ``url``'s host, spelled any way DNS treats as the same (the hot path)."""
    host = url.raw_host
    if not host:
        return None
    if host[-1] == ".":
        host = host[:-1]
    return table.get(host)
