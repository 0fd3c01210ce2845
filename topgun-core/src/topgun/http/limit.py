"""Reading an HTTP response body within a size limit, counted after decompression.

aiohttp's ``read()`` keeps whatever the server sends: an endless body, or a small
``Content-Encoding: gzip`` body that opens to gigabytes, grows the process until it dies.
``read_limited`` streams ``response.content`` (aiohttp decompresses chunk by chunk) and stops
with ``ResponseTooLargeError`` as soon as the decompressed bytes pass the limit.
"""

from __future__ import annotations

import weakref
from typing import Final

import aiohttp
from yarl import URL

from ..errors import ResponseTooLargeError

__all__ = ["DEFAULT_MAX_RESPONSE_SIZE", "check_limit", "read_limited", "read_small"]

DEFAULT_MAX_RESPONSE_SIZE: Final = 64 * 1024 * 1024
"""64 MiB: far above any exchange's JSON answer, far below what hurts a bot's process."""

_CHUNK: Final = 64 * 1024

# Responses whose body topgun read whole before the caller saw them (a timestamp-rejection check):
# their stream is spent, and aiohttp keeps the bytes for ``read()``.
_read_whole: weakref.WeakSet[aiohttp.ClientResponse] = weakref.WeakSet()


def check_limit(value: int | None, name: str) -> int | None:
    """A limit as given by the user: a positive number of bytes, or None for no limit."""
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive number of bytes or None, not {value!r}")
    return value


async def read_limited(
    response: aiohttp.ClientResponse, limit: int | None, *, hint: str = ""
) -> bytes:
    """The whole (decompressed) body, or ``ResponseTooLargeError`` once it passes ``limit``."""
    if limit is None:
        return await response.read()
    if response in _read_whole:
        body = await response.read()
        if len(body) > limit:
            raise _too_large(response, limit, hint, "")
        return body
    declared = response.content_length
    if declared is not None and declared > limit and "Content-Encoding" not in response.headers:
        raise _too_large(response, limit, hint, f"it declares Content-Length: {declared}")
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.content.iter_chunked(_CHUNK):
        total += len(chunk)
        if total > limit:
            chunks.clear()
            raise _too_large(response, limit, hint, "")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_small(response: aiohttp.ClientResponse, cap: int) -> bytes | None:
    """The body of a response that declares at most ``cap`` bytes (``None`` for any other),
    read so that ``read()`` and ``read_limited`` still give the caller the same bytes."""
    length = response.content_length
    if length is None or length > cap:
        return None
    body = await response.read()
    _read_whole.add(response)
    return body


def _too_large(
    response: aiohttp.ClientResponse, limit: int, hint: str, detail: str
) -> ResponseTooLargeError:
    url = str(_without_secrets(response.url))
    detail = f"; {detail}" if detail else ""
    return ResponseTooLargeError(
        f"{response.method} {url}: the response body is larger than {limit} bytes "
        f"(decompressed){detail}; nothing was kept.{hint}",
        url=url,
        limit=limit,
    )


def _without_secrets(url: URL) -> URL:
    """The URL without query, fragment and user info: signatures and tokens live there."""
    try:
        return url.with_query(None).with_fragment(None).with_user(None)
    except (TypeError, ValueError):
        return URL(url.path)
