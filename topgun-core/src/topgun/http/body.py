"""Encoding a request's ``data`` the way its host expects, before anything is signed.

The bytes produced here are the bytes signed and the bytes sent, so the two can never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import orjson

from ..errors import SigningError
from ..plugin.specs import BodyEncoding

__all__ = ["FORM_CONTENT_TYPE", "JSON_CONTENT_TYPE", "encode_body"]

JSON_CONTENT_TYPE = "application/json"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def encode_body(data: Any, encoding: BodyEncoding) -> tuple[bytes | None, str | None]:
    """Return (body, content type); (None, None) when there is nothing to send."""
    if data is None:
        return None, None
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data), None
    if isinstance(data, str):
        return data.encode(), None
    if encoding == "json":
        try:
            return orjson.dumps(data), JSON_CONTENT_TYPE
        except TypeError as exc:
            raise SigningError(
                f"request data cannot be encoded as JSON ({exc}); pass a dict or list of JSON "
                f"values, or the body already encoded as str or bytes, not {type(data).__name__}"
            ) from None
    try:
        pairs = list(data.items()) if isinstance(data, Mapping) else data
        return urlencode(pairs, doseq=True).encode(), FORM_CONTENT_TYPE
    except (TypeError, ValueError):
        raise SigningError(
            f"form-encoded request data must be a mapping or a list of (name, value) pairs, or the "
            f"body already encoded as str or bytes, not {type(data).__name__}"
        ) from None
