"""The three Binance order books through the verified-book kit (``topgun.testing.books``).

Diffs are ``depthUpdate`` events in the shape of the Diff. Depth Stream examples (spot
https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams#diff-depth-stream,
USDⓈ-M/COIN-M .../websocket-market-streams/Diff-Book-Depth-Streams), on a combined stream
(``{"stream", "data"}``); snapshots are ``GET /api/v3/depth`` / ``/fapi/v1/depth`` /
``/dapi/v1/depth`` bodies. Futures update ids are not consecutive (``U`` is not ``pu`` + 1, as
in the docs' example), so the futures adapters space them out: the kit's sequence ``n`` becomes
``u = 10 n``, ``U = 10 (n - 1) + 3``, ``pu = 10 (n - 1)``.
"""

from __future__ import annotations

from typing import Any

import pytest

from topgun.plugin import OrderBookStore
from topgun.testing import BookAdapter, Change, ModelBook, check_book
from topgun_binance.store import BinanceCOINMDataStore, BinanceSpotDataStore, BinanceUSDSMDataStore


def _rows(change: Change) -> list[list[str]]:
    return [[f"{price:.2f}", f"{size:.2f}"] for price, size in change]


class SpotAdapter(BookAdapter):
    key = "BNBBTC"
    ws_url = "wss://stream.binance.com:9443/stream"
    rest_url = "https://api.binance.com/api/v3/depth?symbol=BNBBTC&limit=1000"

    def new_store(self) -> Any:
        return BinanceSpotDataStore()

    def book(self, store: Any) -> OrderBookStore:
        return store.orderbook  # type: ignore[no-any-return]

    def ids(self, model: ModelBook) -> dict[str, int]:
        return {"U": model.prev + 1, "u": model.seq}

    def snapshot_id(self, model: ModelBook) -> int:
        return model.seq

    def diff(self, model: ModelBook, asks: Change, bids: Change) -> Any:
        event = {"e": "depthUpdate", "E": 1672515782136, "s": self.key, **self.ids(model)}
        event.update(b=_rows(bids), a=_rows(asks))
        return {"stream": f"{self.key.lower()}@depth@100ms", "data": event}

    def rest_snapshot(self, model: ModelBook) -> Any:
        asks, bids = model.top()
        return {"lastUpdateId": self.snapshot_id(model), "bids": _rows(bids), "asks": _rows(asks)}

    def subscribe(self) -> list[Any]:
        return [{"method": "SUBSCRIBE", "params": [f"{self.key.lower()}@depth@100ms"], "id": 1}]

    def answer(self, message: Any, model: ModelBook) -> list[Any]:
        return [{"result": None, "id": message["id"]}] if isinstance(message, dict) else []


class USDSMAdapter(SpotAdapter):
    key = "BTCUSDT"
    ws_url = "wss://fstream.binance.com/stream"
    rest_url = "https://fapi.binance.com/fapi/v1/depth?symbol=BTCUSDT&limit=1000"

    def new_store(self) -> Any:
        return BinanceUSDSMDataStore()

    def ids(self, model: ModelBook) -> dict[str, int]:
        return {"T": 1, "U": 10 * model.prev + 3, "u": 10 * model.seq, "pu": 10 * model.prev}

    def snapshot_id(self, model: ModelBook) -> int:
        return 10 * model.seq

    def rest_snapshot(self, model: ModelBook) -> Any:
        return {**super().rest_snapshot(model), "E": 1589436922972, "T": 1589436922959}


class COINMAdapter(USDSMAdapter):
    key = "BTCUSD_PERP"
    ws_url = "wss://dstream.binance.com/stream"
    rest_url = "https://dapi.binance.com/dapi/v1/depth?symbol=BTCUSD_PERP&limit=1000"

    def new_store(self) -> Any:
        return BinanceCOINMDataStore()


@pytest.mark.parametrize("adapter", [SpotAdapter(), USDSMAdapter(), COINMAdapter()])
async def test_the_verified_book_kit(adapter: BookAdapter) -> None:
    await check_book(adapter)
