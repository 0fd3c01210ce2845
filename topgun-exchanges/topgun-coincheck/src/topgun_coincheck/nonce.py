"""ACCESS-NONCE values: strictly increasing per API key, in milliseconds of the Client's clock.

Coincheck (https://coincheck.com/documents/exchange/api, "Authentication"): ACCESS-NONCE is a
"positive integer [that] will increase every time you send request (managed for each API key)",
at most 9223372036854775807; the docs' samples use the Unix time in milliseconds. Two requests in
the same millisecond (or a clock moved back by ``client.clock.offset``) would repeat or lower the
nonce and be refused, so each key's next nonce is ``max(now_ms, last + 1)``. HTTP requests and
WebSocket logins draw from the same sequence because the exchange keeps one counter per key.
"""

from __future__ import annotations

import threading

from topgun.plugin import Clock

MAX_NONCE = 9223372036854775807


class NonceSource:
    """Hands out nonces per API key; safe to share between threads and event loops."""

    __slots__ = ("_last", "_lock")

    def __init__(self) -> None:
        self._last: dict[str, int] = {}
        self._lock = threading.Lock()

    def next(self, key: str, clock: Clock) -> int:
        now = clock.time_ms()
        with self._lock:
            last = self._last.get(key, 0)
            nonce = now if now > last else last + 1
            self._last[key] = nonce
        if nonce > MAX_NONCE:  # pragma: no cover - year 292 million
            raise OverflowError("ACCESS-NONCE would exceed Coincheck's maximum")
        return nonce

    def __repr__(self) -> str:
        return f"<NonceSource for {len(self._last)} keys>"


NONCES = NonceSource()
"""The process-wide source the plugin's signer and WebSocket login use."""
