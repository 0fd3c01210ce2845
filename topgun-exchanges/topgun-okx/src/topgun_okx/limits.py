"""OKX server time and timestamp rejections, as the docs give them.

Server time: ``GET /api/v5/public/time`` answers ``{"code": "0", "data": [{"ts": "<ms>"}]}``
(https://www.okx.com/docs-v5/en/#public-data-rest-api-get-system-time). Demo trading shares the
live REST hosts, so both API names read it there.

Timestamp rejection: ``50102`` "Timestamp request expired", HTTP 401
(https://www.okx.com/docs-v5/en/#error-code-rest-api-public). The docs do not say that an
expired request was never acted on, so only GET requests are sent again after one.

Rate limits: OKX documents its limits per endpoint and a 429 answer with code ``50011``, but no
rate-limit response headers, so ``client.rate_limits`` has nothing to read for OKX.
"""

from __future__ import annotations

from typing import Any, Final

from topgun.plugin import ServerTime, TimestampRejection, response_code


def _rejected(status: int, body: Any) -> bool:
    return response_code(body, "code") == "50102"


REJECTION: Final = TimestampRejection(_rejected, statuses=frozenset({401}), marker=b"50102")


def _server_time(body: Any) -> float:
    return int(body["data"][0]["ts"]) / 1000


SERVER_TIME: Final = ServerTime("https://www.okx.com/api/v5/public/time", _server_time, REJECTION)
