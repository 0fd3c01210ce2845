"""MEXC server time and timestamp rejections, as the docs give them.

Server time: spot ``GET /api/v3/time`` answers ``{"serverTime": <ms>}``
(https://mexcdevelop.github.io/apidocs/spot_v3_en/#check-server-time).

Timestamp rejection: ``700003`` "Timestamp for this request is outside of the recvWindow.", HTTP
400 (https://mexcdevelop.github.io/apidocs/spot_v3_en/#error-code). The "Timing security"
section of the spot docs gives the server's logic: a request is processed only when its
timestamp is inside ``recvWindow``, otherwise it is rejected, so a 700003 order was not placed.
Futures (contract.mexc.com) signs with ``Request-Time`` and answers its own codes; only the spot
code is recognised.

Rate limits: MEXC documents limits per endpoint and a 429 answer, but no rate-limit headers.
"""

from __future__ import annotations

from typing import Any, Final

from topgun.plugin import ServerTime, TimestampRejection, response_code


def _rejected(status: int, body: Any) -> bool:
    return response_code(body, "code") == 700003


REJECTION: Final = TimestampRejection(
    _rejected, statuses=frozenset({400}), marker=b"700003", not_executed=True
)


def _server_time(body: Any) -> float:
    return int(body["serverTime"]) / 1000


SERVER_TIME: Final = ServerTime("https://api.mexc.com/api/v3/time", _server_time, REJECTION)
