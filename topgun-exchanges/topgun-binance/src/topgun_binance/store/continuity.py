"""The diff-depth continuity rules of Binance.

Every ``depthUpdate`` event carries ``U`` (its first update id) and ``u`` (its final update id);
futures events also carry ``pu`` (the previous event's ``u``). A REST depth snapshot carries
``lastUpdateId``. Given the book's update id (the snapshot's ``lastUpdateId``, then the ``u`` of
the last event applied), a rule says whether an event applies, is stale, or proves that events
were missed (a gap: the book is rebuilt from a new snapshot).

Spot, "How to manage a local order book correctly" in
https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams: an event whose
``u`` is at most the book's id is ignored; one whose ``U`` is above the book's id + 1 means
events were missed; otherwise it applies and the book's id becomes its ``u``. For the first event
after a snapshot that is the documented "``U`` <= lastUpdateId+1 <= ``u``". That is core's
``RangeRule``, used as is.

USDⓈ-M and COIN-M (``BinanceFuturesRule``),
https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams/How-to-manage-a-local-order-book-correctly
and
https://developers.binance.com/docs/derivatives/coin-margined-futures/websocket-market-streams/How-to-manage-a-local-order-book-correctly:
drop events with ``u`` < lastUpdateId; the first processed event has ``U`` <= lastUpdateId <=
``u``; after it, each event's ``pu`` must equal the previous event's ``u``, otherwise start again
from the snapshot. ``U`` is not ``pu`` + 1 on futures (the docs' own example has ``U`` 157 after
``pu`` 149), so the spot rule would see false gaps there. Two cases the docs leave implicit:
a first event whose ``pu`` equals lastUpdateId follows the snapshot directly (the ``pu`` chain,
with the snapshot as the previous event) and applies; and an event at or below the book's id
after the first one is a repeat, skipped rather than taken for a gap.
"""

from __future__ import annotations

from topgun.plugin import RangeRule, Verdict

__all__ = ["SPOT_RULE", "BinanceFuturesRule"]

SPOT_RULE = RangeRule()

_APPLY, _STALE, _GAP = Verdict.APPLY, Verdict.STALE, Verdict.GAP


class BinanceFuturesRule:
    """USDⓈ-M / COIN-M: the first diff after a snapshot straddles it by ``U``/``u`` (or chains
    to it by ``pu``); then ``pu`` chains each diff to the one before (see the module docs)."""

    __slots__ = ()

    def check(self, book: int, first: int, last: int, prev: int | None, fresh: bool) -> Verdict:
        if prev == book:
            return _APPLY
        if fresh:
            if last < book:
                return _STALE
            return _APPLY if first <= book else _GAP
        return _STALE if last <= book else _GAP

    def expected(self, book: int, fresh: bool) -> str:
        return f"U <= {book} <= u or pu {book}" if fresh else f"pu {book}"

    def __repr__(self) -> str:
        return "BinanceFuturesRule()"
