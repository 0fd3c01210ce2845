"""What ``Client.fetch`` returns: the response with its body read, as text and as JSON.

Here rather than in ``client.py`` so that the stores taking these results (``initialize()``,
REST recovery) depend on the HTTP layer only, not on the Client.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson

__all__ = ["FetchResult", "NotJSONContent"]


@dataclass(slots=True)
class NotJSONContent:
    """``FetchResult.data`` when the body is not JSON. Always falsy; ``error`` says why."""

    error: orjson.JSONDecodeError

    def __bool__(self) -> bool:
        return False


@dataclass(slots=True)
class FetchResult:
    """What ``Client.fetch`` returns: the response, its body as text, and that body decoded."""

    response: aiohttp.ClientResponse
    """The response (status, reason, headers); its body has already been read."""
    text: str
    """The body as text."""
    data: Any
    """The body decoded as JSON, or a ``NotJSONContent`` (falsy) when it is not JSON."""
