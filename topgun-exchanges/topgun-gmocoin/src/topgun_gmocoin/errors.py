"""Errors from GMO Coin's own replies, kept apart from transport errors so callers can tell them apart."""

from __future__ import annotations

from collections.abc import Sequence

from topgun import TopgunError


class GMOCoinAPIError(TopgunError):
    """GMO Coin did not do what was asked.

    ``status`` is the reply's ``status`` field (``0`` means success, ``5`` maintenance), or None
    when the reply was not GMO Coin's JSON envelope at all (an HTTP error page, a proxy's reply);
    ``codes`` are its ``message_code`` values (``ERR-5201``, ...); ``http_status`` the HTTP code.
    The message never contains credentials or access tokens.
    """

    def __init__(
        self,
        what: str,
        *,
        status: int | None,
        codes: Sequence[str] = (),
        detail: str = "",
        http_status: int | None = None,
    ) -> None:
        self.status = status
        self.codes = tuple(codes)
        self.http_status = http_status
        facts = [f"status {status}"] if status is not None else []
        if http_status is not None:
            facts.append(f"HTTP {http_status}")
        message = f"GMO Coin {what} failed"
        if facts:
            message += f" ({', '.join(facts)})"
        super().__init__(message + (f": {detail}" if detail else ""))

    @property
    def answered(self) -> bool:
        """True when the exchange itself answered with an error (not a transport problem)."""
        return self.status is not None
