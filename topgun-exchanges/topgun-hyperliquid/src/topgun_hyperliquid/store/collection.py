"""``HyperliquidDataStore``: Hyperliquid's WebSocket subscriptions applied to DataStores.

Every message is ``{"channel": ..., "data": ...}`` routed on its channel
(https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/websocket/subscriptions).
``error`` messages and unknown channels are logged (rate-limited, logger
``topgun.store.hyperliquid``); ``subscriptionResponse``, ``pong`` and ``post`` replies are not
data and are passed over. A malformed message is checked whole before any store changes, so it
is skipped whole (counted in ``store.skipped`` and logged).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any, ClassVar, cast

from yarl import URL

from topgun.plugin import DataStoreCollection, InitializeError, MalformedMessage

from ..info import InfoReply
from .book import L2Book, parse_book
from .stores import (
    ActiveAssetCtx,
    ActiveAssetData,
    AllMids,
    Bbo,
    Candle,
    Notification,
    OrderUpdates,
    Records,
    UserEvents,
    WebData2,
    listed,
    objects,
    read_candles,
    read_orders,
    read_user_events,
    text,
)

__all__ = ["INFO_REQUESTS", "HyperliquidDataStore"]

log = logging.getLogger("topgun.store.hyperliquid")

_QUIET = frozenset({"subscriptionResponse", "pong", "post"})
_RECORDS = {  # channel (and its store's name) -> the field of ``data`` that lists the records
    "userFills": "fills",
    "userFundings": "fundings",
    "userNonFundingLedgerUpdates": "nonFundingLedgerUpdates",
    "userTwapSliceFills": "twapSliceFills",
    "userTwapHistory": "history",
}


def _user(request: Any, data: Any) -> tuple[str, Any]:
    """``clearinghouseState``: the reply keyed by the request's user (lower case, as the
    WebSocket's ``webData2.user``), for ``web_data2``."""
    user = request.get("user")
    if type(user) is not str or not user:
        raise MalformedMessage("the request has no 'user'")
    if type(data) is not dict:
        raise MalformedMessage("the reply is not a JSON object")
    return user.lower(), data


def _asset_data(request: Any, data: Any) -> Any:
    if type(data) is not dict:
        raise MalformedMessage("the reply is not a JSON object")
    text(data, "user")
    text(data, "coin")
    return data


def _orders(request: Any, data: Any) -> Any:
    for order in objects(data, "the reply"):
        text(order, "coin")
        if type(order.get("oid")) is not int:
            raise MalformedMessage(f"an order has no integer 'oid': {order!r:.80}")
    return data


def _mids(request: Any, data: Any) -> Any:
    if type(data) is not dict or any(type(px) is not str for px in data.values()):
        raise MalformedMessage("the reply is not an object of coin -> price strings")
    return data


INFO_REQUESTS: dict[str, tuple[str, Callable[[Any, Any], Any]]] = {
    "l2Book": ("l2Book", lambda request, data: parse_book(data)),
    "openOrders": ("orderUpdates", _orders),
    "frontendOpenOrders": ("orderUpdates", _orders),
    "clearinghouseState": ("webData2", _user),
    "allMids": ("allMids", _mids),
    "candleSnapshot": ("candle", lambda request, data: read_candles(data)),
    "activeAssetData": ("activeAssetData", _asset_data),
    "userFills": ("userFills", lambda request, data: objects(data, "the reply")),
    "userFillsByTime": ("userFills", lambda request, data: objects(data, "the reply")),
    "userTwapSliceFills": ("userTwapSliceFills", lambda request, data: objects(data, "the reply")),
}
"""``/info`` request ``type`` -> (store name, the check that reads its reply whole)."""


class HyperliquidDataStore(DataStoreCollection):
    """Hyperliquid's WebSocket channels as DataStores; pass ``onmessage`` as ``hdlr_json``.

    ``initialize()`` takes ``/info`` replies fetched with ``topgun_hyperliquid.info(client,
    {"type": ...})`` (the reference library has no ``initialize()``): ``l2Book``,
    ``openOrders``, ``frontendOpenOrders``, ``clearinghouseState``, ``allMids``,
    ``candleSnapshot``, ``activeAssetData``, ``userFills``, ``userFillsByTime`` and
    ``userTwapSliceFills`` (``INFO_REQUESTS``). Every reply is checked before any is applied.
    """

    _CHANNEL_KEY = "channel"
    _LOGGER = log
    _RECONNECT_NOTE = (
        "Hyperliquid: reconnected; l2Book books wait for their next snapshot. Open orders "
        "(orderUpdates) and account state may have missed updates: call initialize() again "
        "with /info openOrders and clearinghouseState to resync."
    )
    _ENDPOINTS: ClassVar[dict[str, str]] = {"/info": "l2Book"}  # the store is chosen by request

    def _init(self) -> None:
        create = self._create
        self._all_mids = create("allMids", datastore_class=AllMids)
        self._notification = create("notification", datastore_class=Notification)
        self._web_data2 = create("webData2", datastore_class=WebData2)
        self._candle = create("candle", datastore_class=Candle)
        self._l2_book = create("l2Book", datastore_class=L2Book)
        self._trades = create("trades", datastore_class=Records)
        self._order_updates = create("orderUpdates", datastore_class=OrderUpdates)
        self._user_events = create("userEvents", datastore_class=UserEvents)
        self._user_fills = create("userFills", datastore_class=Records)
        self._user_fundings = create("userFundings", datastore_class=Records)
        self._user_non_funding_ledger_updates = create(
            "userNonFundingLedgerUpdates", datastore_class=Records
        )
        self._active_asset_ctx = create("activeAssetCtx", datastore_class=ActiveAssetCtx)
        self._active_asset_data = create("activeAssetData", datastore_class=ActiveAssetData)
        self._user_twap_slice_fills = create("userTwapSliceFills", datastore_class=Records)
        self._user_twap_history = create("userTwapHistory", datastore_class=Records)
        self._bbo = create("bbo", datastore_class=Bbo)

    # -- initialize() ----------------------------------------------------------------------

    async def _receive(self, aw: Any, limit: int | None) -> tuple[str, URL, Any]:
        """Route an ``/info`` reply by the request that asked for it, and read it whole."""
        obj = await aw if inspect.isawaitable(aw) else aw
        _, url, data = await super()._receive(obj, limit)  # the path, HTTP status and JSON
        if not isinstance(obj, InfoReply):
            raise InitializeError(
                "HyperliquidDataStore.initialize cannot tell which request a plain /info "
                "response answers (every /info request shares the path): fetch it with "
                "topgun_hyperliquid.info(client, {'type': ..., ...}) and pass that"
            )
        kind = obj.request.get("type")
        route = INFO_REQUESTS.get(kind) if type(kind) is str else None
        if route is None:
            raise InitializeError(
                f"HyperliquidDataStore.initialize does not take /info {kind!r}; it takes: "
                + ", ".join(INFO_REQUESTS)
            )
        name, read = route
        try:
            return name, url, read(obj.request, data)
        except MalformedMessage as exc:
            raise InitializeError(
                f"Hyperliquid /info {kind}: {exc}; nothing was applied: {obj.text[:200]!r}"
            ) from None

    # -- routing ---------------------------------------------------------------------------

    def _onmessage(self, msg: Any, ws: Any = None) -> None:
        if type(msg) is not dict:
            raise MalformedMessage(f"a frame that is not a JSON object ({type(msg).__name__})")
        channel = msg.get("channel")
        if type(channel) is not str:
            raise MalformedMessage(f"'channel' is {channel!r:.60}, not a channel name")
        data = msg.get("data")
        if channel == "l2Book":
            self._l2_book._on_book(parse_book(data), ws)
        elif channel == "bbo":
            self._bbo._on_bbo(data)
        elif channel == "trades":
            self._trades._on_records(objects(data, "data"))
        elif channel == "allMids":
            self._all_mids._on_mids(data)
        elif channel == "candle":
            self._candle._on_candles(read_candles(data))
        elif channel == "orderUpdates":
            self._order_updates._on_orders(read_orders(data))
        elif channel == "user":
            self._user_events._on_events(read_user_events(data))
        elif channel in _RECORDS:  # a Records store of the channel's name
            records = cast(Records, self._stores[channel])
            records._on_records(listed(data, _RECORDS[channel]))
        elif channel == "activeAssetCtx":
            self._active_asset_ctx._on_ctx(data)
        elif channel == "activeAssetData":
            self._active_asset_data._on_data(data)
        elif channel == "webData2":
            self._web_data2._on_data(data)
        elif channel == "notification":
            self._notification._on_notification(data)
        elif channel == "error":
            self._limiter.warning(
                ("error", str(data)[:80]), "Hyperliquid replied with an error: %.200s", data
            )
        elif channel not in _QUIET:
            self._no_store_for("channel", channel)

    # -- the stores ------------------------------------------------------------------------

    @property
    def all_mids(self) -> AllMids:
        """Mid prices per coin (``allMids``)."""
        return self._all_mids

    @property
    def notification(self) -> Notification:
        """Notifications (``notification``)."""
        return self._notification

    @property
    def web_data2(self) -> WebData2:
        """Account data per user (``webData2``; ``clearinghouseState`` from ``/info``)."""
        return self._web_data2

    @property
    def candle(self) -> Candle:
        """Candles (``candle``)."""
        return self._candle

    @property
    def l2_book(self) -> L2Book:
        """Order books per coin (``l2Book``), verified snapshots."""
        return self._l2_book

    @property
    def trades(self) -> Records:
        """Public trades (``trades``)."""
        return self._trades

    @property
    def order_updates(self) -> OrderUpdates:
        """Open orders (``orderUpdates``; ``openOrders``/``frontendOpenOrders`` from ``/info``)."""
        return self._order_updates

    @property
    def user_events(self) -> UserEvents:
        """User events: fills, funding, liquidation, nonUserCancel (channel ``user``)."""
        return self._user_events

    @property
    def user_fills(self) -> Records:
        """Your fills (``userFills``)."""
        return self._user_fills

    @property
    def user_fundings(self) -> Records:
        """Your funding payments (``userFundings``)."""
        return self._user_fundings

    @property
    def user_non_funding_ledger_updates(self) -> Records:
        """Your ledger updates other than funding (``userNonFundingLedgerUpdates``)."""
        return self._user_non_funding_ledger_updates

    @property
    def active_asset_ctx(self) -> ActiveAssetCtx:
        """Asset contexts per coin (``activeAssetCtx``)."""
        return self._active_asset_ctx

    @property
    def active_asset_data(self) -> ActiveAssetData:
        """Your leverage and trade limits per user and coin (``activeAssetData``)."""
        return self._active_asset_data

    @property
    def user_twap_slice_fills(self) -> Records:
        """Your TWAP slice fills (``userTwapSliceFills``)."""
        return self._user_twap_slice_fills

    @property
    def user_twap_history(self) -> Records:
        """Your TWAP history (``userTwapHistory``)."""
        return self._user_twap_history

    @property
    def bbo(self) -> Bbo:
        """Best bid and offer per coin (``bbo``)."""
        return self._bbo
