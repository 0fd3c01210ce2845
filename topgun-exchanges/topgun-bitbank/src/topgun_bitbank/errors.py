"""Errors from bitbank's own replies, kept apart from transport errors."""

from __future__ import annotations

from topgun import TopgunError


class BitbankAPIError(TopgunError):
    """bitbank answered ``{"success": 0, "data": {"code": N}}``, or not with its JSON at all.

    ``code`` is bitbank's error code (https://github.com/bitbankinc/bitbank-api-docs/blob/master/errors.md:
    20001 authentication failed, 10007 maintenance, ...), None when the reply was not bitbank's
    JSON (an HTTP error page); ``http_status`` is the HTTP status. Never contains credentials.
    """

    def __init__(self, what: str, *, code: int | None, http_status: int | None = None) -> None:
        self.code = code
        self.http_status = http_status
        facts = [f"code {code}"] if code is not None else ["the reply is not bitbank's JSON"]
        if http_status is not None:
            facts.append(f"HTTP {http_status}")
        super().__init__(f"bitbank {what} failed ({', '.join(facts)})")


class PubNubError(TopgunError):
    """PubNub refused a subscribe request. ``status`` is the HTTP status, ``reason`` its message."""

    def __init__(self, status: int, reason: str) -> None:
        self.status = status
        self.reason = reason
        super().__init__(f"PubNub answered HTTP {status}" + (f": {reason}" if reason else ""))

    @property
    def access_denied(self) -> bool:
        """HTTP 403: the token expired (PubNub's "Token is expired.") or no longer grants access."""
        return self.status == 403
