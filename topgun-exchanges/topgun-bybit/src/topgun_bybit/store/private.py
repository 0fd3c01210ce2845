"""Bybit V5 private topics (``wss://stream.bybit.com/v5/private``) and their REST snapshots.

Topics route on their first segment, so the all-in-one topic (``order``) and the categorised ones
(``order.linear``, ``order.spot``, ...) feed the same store; ``execution.fast`` feeds
``execution``. ``initialize()`` loads ``/v5/position/list``, ``/v5/order/realtime`` and
``/v5/account/wallet-balance``. Docs: https://bybit-exchange.github.io/docs/v5/websocket/private/order
and the neighbouring pages named on each class.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from yarl import URL

from topgun.plugin import InitializeError, Item

from ._shapes import MalformedMessage, TopicStore, object_list, one_object

__all__ = ["ORDER_STATES", "Execution", "Greek", "Order", "Position", "Wallet"]

ORDER_STATES: dict[str, str] = {
    "Created": "open",
    "New": "open",
    "PartiallyFilled": "open",
    "Untriggered": "open",
    "Active": "open",
    "Rejected": "closed",
    "PartiallyFilledCanceled": "closed",
    "Filled": "closed",
    "Cancelled": "closed",
    "Triggered": "closed",
    "Deactivated": "closed",
}
"""Every V5 ``orderStatus`` (https://bybit-exchange.github.io/docs/v5/enum#orderstatus): an
``open`` order is kept, a ``closed`` one removed."""


def response_list(data: Any, url: URL, required: tuple[str, ...]) -> list[Item]:
    """``result.list`` of a V5 REST response, checked; InitializeError names what is wrong."""
    try:
        result = one_object(one_object(data, f"the response of {url.path}").get("result"), "result")
        return object_list(result.get("list"), f"result.list of {url.path}", required)
    except MalformedMessage as exc:
        raise InitializeError(f"{url.path}: {exc}") from None


class Position(TopicStore):
    """``position`` (and ``position.linear``/``.inverse``/``.option``): one item per ``symbol`` and
    ``positionIdx`` (0 one-way, 1 hedge buy side, 2 hedge sell side), merged with each update.

    A closed position stays, with ``size`` "0", as Bybit reports it.
    https://bybit-exchange.github.io/docs/v5/websocket/private/position
    """

    _KEYS = ("symbol", "positionIdx")

    def _on_topic(self, data: Any, tail: list[str]) -> None:
        self._update(object_list(data, "position data", self._KEYS))

    def _onresponse(self, data: Any, url: URL) -> None:
        """``GET /v5/position/list``: the listed positions, merged in."""
        self._update([dict(item) for item in response_list(data, url, self._KEYS)])


class Execution(TopicStore):
    """``execution`` and ``execution.fast``: your fills as sent, oldest first, the last 99,999.
    https://bybit-exchange.github.io/docs/v5/websocket/private/execution"""

    _MAXLEN = 99_999

    def _on_topic(self, data: Any, tail: list[str]) -> None:
        self._insert(object_list(data, "execution data"))


class Order(TopicStore):
    """Open orders, keyed by ``orderId``, from ``order`` (all categories or one).

    An update whose ``orderStatus`` is open (Created, New, PartiallyFilled, Untriggered, Active)
    is merged into the order; a closed one (Filled, Cancelled, Rejected, PartiallyFilledCanceled,
    Triggered, Deactivated) removes the order, and with it every order sharing its non-empty
    ``orderLinkId`` (a spot conditional order and the order it triggered share it). An unknown
    status changes nothing and is logged.

    ``initialize()`` with ``GET /v5/order/realtime`` (``category`` is required): first removes the
    cached orders of that category that the query covers (its ``symbol``; else symbols starting
    with ``baseCoin``; else ending with ``settleCoin``), then stores the open orders listed, each
    with ``category`` added. Listed orders that are already closed (``openOnly=1`` lists recent
    ones) are not stored. https://bybit-exchange.github.io/docs/v5/websocket/private/order
    """

    _KEYS = ("orderId",)

    def _init(self) -> None:
        self.unknown_states = 0
        """Updates ignored because their ``orderStatus`` is not a documented one."""

    def _on_topic(self, data: Any, tail: list[str]) -> None:
        orders = object_list(data, "order data", ("orderId", "orderStatus"))
        for order in orders:
            link = order.get("orderLinkId", "")
            if type(link) is not str:
                raise MalformedMessage("an order has a non-string orderLinkId")
        for order in orders:
            self._apply(order)

    def _apply(self, order: Item) -> None:
        state = ORDER_STATES.get(order["orderStatus"])
        if state == "open":
            self._update([order])
        elif state == "closed":
            self._delete([order])
            link = order.get("orderLinkId")
            if link:
                self._delete(self.find({"orderLinkId": link}))
        else:
            self.unknown_states += 1
            self._limit().warning(
                ("order-state", str(order["orderStatus"])[:40]),
                "Bybit order %s has an unknown orderStatus %r; the update was ignored",
                order["orderId"],
                order["orderStatus"],
            )

    def _onresponse(self, data: Any, url: URL) -> None:
        """``GET /v5/order/realtime``: replace the covered orders of one category."""
        category = url.query.get("category")
        if not category:
            raise InitializeError(
                f"{url.path}: the request has no category; ask with params={{'category': ...}}"
            )
        listed = response_list(data, url, ("orderId", "orderStatus", "symbol"))
        covers = _covered(url.query)
        if covers is not None:
            gone = [
                order
                for order in self.find({"category": category})
                if isinstance(order.get("symbol"), str) and covers(order["symbol"])
            ]
            self._delete(gone)
        for item in listed:
            self._apply({**item, "category": category})


def _covered(query: Mapping[str, str]) -> Callable[[str], bool] | None:
    """Which symbols an open-order query lists: by ``symbol``, ``baseCoin`` or ``settleCoin``."""
    if "symbol" in query:
        symbol = query["symbol"]
        return lambda name: name == symbol
    if "baseCoin" in query:
        prefix = query["baseCoin"]
        return lambda name: name.startswith(prefix)
    if "settleCoin" in query:
        suffix = query["settleCoin"]
        return lambda name: name.endswith(suffix)
    return None


class Wallet(TopicStore):
    """``wallet``: one item per ``accountType``; each update replaces the account's fields.

    An update lists only the coins that changed, so coins missing from it are kept from the
    previous item (the update's coins come first). The same merge applies to
    ``GET /v5/account/wallet-balance``.
    https://bybit-exchange.github.io/docs/v5/websocket/private/wallet
    """

    _KEYS = ("accountType",)

    def _on_topic(self, data: Any, tail: list[str]) -> None:
        self._merge(_wallets(object_list(data, "wallet data", self._KEYS), "wallet data"))

    def _onresponse(self, data: Any, url: URL) -> None:
        """``GET /v5/account/wallet-balance``: the listed accounts, merged like updates."""
        accounts = response_list(data, url, self._KEYS)
        try:
            self._merge(_wallets(accounts, url.path))
        except MalformedMessage as exc:
            raise InitializeError(f"{url.path}: {exc}") from None

    def _merge(self, accounts: list[Item]) -> None:
        merged = []
        for account in accounts:
            coins = account.get("coin", [])
            old = self.get(account)
            if old is not None and type(old.get("coin")) is list:
                have = {coin["coin"] for coin in coins}
                coins = coins + [c for c in old["coin"] if c.get("coin") not in have]
            merged.append({**account, "coin": coins})
        self._update(merged)


def _wallets(accounts: list[Item], what: str) -> list[Item]:
    for account in accounts:
        object_list(account.get("coin", []), f"coin of {what}", ("coin",))
    return accounts


class Greek(TopicStore):
    """``greeks``: option greeks per ``baseCoin``, merged with each update.
    https://bybit-exchange.github.io/docs/v5/websocket/private/greek"""

    _KEYS = ("baseCoin",)

    def _on_topic(self, data: Any, tail: list[str]) -> None:
        self._update(object_list(data, "greeks data", self._KEYS))
