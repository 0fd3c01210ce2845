"""WebSocket URLs: the check a URL passes before anything connects, and its form in logs."""

from __future__ import annotations

import re

from yarl import URL

__all__ = ["checked_url", "shown"]


def checked_url(value: str | URL) -> URL:
    url = value if isinstance(value, URL) else URL(value)
    if not url.absolute or url.scheme not in {"ws", "wss", "http", "https"}:
        raise ValueError(f"a WebSocket URL must be absolute ws:// or wss://, not {shown(url)!r}")
    return url


# Path segments that look like credentials or tokens: long ones, or shorter ones mixing in digits
# (an access token of 20 characters, say). Word-like segments ("realtimePlatform") stay readable.
_OPAQUE = re.compile(r"^(?=[^/]*\d)[A-Za-z0-9_\-.=]{12,}$|^[A-Za-z0-9_\-.=]{24,}$")


def shown(url: URL) -> str:
    """The URL for logs: query dropped and long opaque path segments (tokens) masked."""
    try:
        segments = ["…" if _OPAQUE.match(part) else part for part in url.path.split("/")]
        if url.host is None:  # not a usable URL, shown in the error that says so
            origin = f"{url.scheme}:" if url.scheme else ""
        else:
            origin = f"{url.scheme}://{url.host}" + (
                f":{url.explicit_port}" if url.explicit_port else ""
            )
        return origin + "/".join(segments) + ("?…" if url.query_string else "")
    except (TypeError, ValueError):
        return "<url>"
