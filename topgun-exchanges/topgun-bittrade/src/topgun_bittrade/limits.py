"""BitTrade server time, as the docs give it.

``GET /v1/common/timestamp`` answers ``{"status": "ok", "data": <ms>}`` (BitTrade API docs,
Public API "システム時間を調べる": https://api-doc.bittrade.co.jp/ , source
https://github.com/BitTrade-Inc/BitTrade-api-docs/blob/master/public-api.md). Signed requests
carry that clock's time in their ``Timestamp`` parameter, to the second.

BitTrade's error-code list (errors.md in the same repository) gives no code for a stale
``Timestamp``, so no timestamp rejection is declared: the clock is synced before the first signed
request (``Client(sync_clock=True)``) but a rejected request is never re-sent. The docs give
request limits per IP and per key but no rate-limit response headers.
"""

from __future__ import annotations

from typing import Any, Final

from topgun.plugin import ServerTime


def _server_time(body: Any) -> float:
    return int(body["data"]) / 1000


SERVER_TIME: Final = ServerTime(
    "https://api-cloud.bittrade.co.jp/v1/common/timestamp", _server_time
)
