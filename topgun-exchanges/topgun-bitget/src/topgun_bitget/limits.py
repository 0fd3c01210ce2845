"""Bitget server time, as the docs give it.

``GET /api/v2/public/time`` answers ``{"code": "00000", "data": {"serverTime": "<ms>"}}``
(https://www.bitget.com/api-doc/common/public/Get-Server-Time). Demo trading shares the live
REST host and its clock. Bitget's error-code list gives no code that its docs tie to a stale
ACCESS-TIMESTAMP, so no timestamp rejection is declared: the clock is synced before the first
signed request (``Client(sync_clock=True)``) but a rejected request is never re-sent.
Bitget documents no rate-limit response headers.
"""

from __future__ import annotations

from typing import Any, Final

from topgun.plugin import ServerTime


def _server_time(body: Any) -> float:
    return int(body["data"]["serverTime"]) / 1000


SERVER_TIME: Final = ServerTime("https://api.bitget.com/api/v2/public/time", _server_time)
