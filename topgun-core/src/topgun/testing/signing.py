"""A request to sign, as a signer's unit test writes it: a fixed clock and nothing else set."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from yarl import URL

from ..clock import Clock, FixedClock
from ..credential import Credential
from ..plugin.specs import SigningRequest

__all__ = ["signing_request"]


def signing_request(
    method: str,
    url: str | URL,
    credential: Credential,
    *,
    body: bytes = b"",
    data: Any = None,
    headers: Mapping[str, str] | None = None,
    clock: Clock | float = 0.0,
) -> SigningRequest:
    """``method`` ``url`` (a string is parsed as it would be sent) for ``credential`` to sign.

    ``clock`` is the ``Clock`` the signer reads, or the fixed time (seconds) of one. ``headers``
    is passed as given (the signer must not change it), an empty mapping by default.
    """
    return SigningRequest(
        method,
        url if isinstance(url, URL) else URL(url),
        {} if headers is None else headers,
        body,
        data,
        credential,
        clock if isinstance(clock, Clock) else FixedClock(clock),
    )
