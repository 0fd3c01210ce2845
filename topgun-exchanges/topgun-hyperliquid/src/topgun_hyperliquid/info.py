"""``info()``: a ``POST /info`` that remembers its request, so ``initialize()`` can route it.

Hyperliquid serves every read at one path, ``POST /info`` with ``{"type": ...}`` in the body
(https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/info-endpoint), and its
replies do not say which request they answer (an empty list may be open orders or fills), nor
for which user. A plain response cannot be routed, so ``HyperliquidDataStore.initialize()``
takes what ``info()`` returns: the reply together with the request that asked for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from topgun import Client, FetchResult

__all__ = ["INFO_URL", "TESTNET_INFO_URL", "InfoReply", "info"]

INFO_URL: Final = "https://api.hyperliquid.xyz/info"
TESTNET_INFO_URL: Final = "https://api.hyperliquid-testnet.xyz/info"


@dataclass(slots=True)
class InfoReply(FetchResult):
    """A ``FetchResult`` of ``POST /info`` with the request body that produced it."""

    request: Mapping[str, Any]


async def info(client: Client, request: Mapping[str, Any], *, url: str = INFO_URL) -> InfoReply:
    """``POST`` ``request`` (``{"type": "l2Book", "coin": "BTC"}``, say) to ``/info`` (unsigned).

    Pass the result (or the coroutine) to ``HyperliquidDataStore.initialize()``; testnet:
    ``url=TESTNET_INFO_URL``.
    """
    if not isinstance(request, Mapping) or type(request.get("type")) is not str:
        raise TypeError(
            f"an /info request is a mapping with a 'type', like {{'type': 'l2Book', "
            f"'coin': 'BTC'}}; got {request!r:.100}"
        )
    body = dict(request)
    result = await client.fetch("POST", url, data=body)
    return InfoReply(result.response, result.text, result.data, body)
