"""The diff-depth continuity rules of Binance, as pure functions over update ids.

Every ``depthUpdate`` event carries ``U`` (its first update id) and ``u`` (its final update id);
futures events also carry ``pu`` (the previous event's ``u``). A REST depth snapshot carries
``lastUpdateId``. Given the book's current update id (the snapshot's ``lastUpdateId``, then the
``u`` of the last event applied), each rule says whether an event is applied, skipped as stale,
or proves that events were missed (a gap: the book must be rebuilt from a new snapshot).

Spot, "How to manage a local order book correctly" in
https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams: an event whose
``u`` is at most the book's id is ignored; one whose ``U`` is above the book's id + 1 means
something went wrong; otherwise it applies and the book's id becomes its ``u``. For the first
event after a snapshot this is the documented "``U`` <= lastUpdateId+1 <= ``u``".

USDⓈ-M and COIN-M,
https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams/How-to-manage-a-local-order-book-correctly
and
https://developers.binance.com/docs/derivatives/coin-margined-futures/websocket-market-streams/How-to-manage-a-local-order-book-correctly:
drop events with ``u`` < lastUpdateId; the first processed event has ``U`` <= lastUpdateId <=
``u``; after it, each event's ``pu`` must equal the previous event's ``u``, otherwise start again
from the snapshot. ``U`` is not ``pu`` + 1 on futures (the docs' own example has ``U`` 157 after
``pu`` 149), so the spot rule would see false gaps there. An event at or below the book's id
after the first one is a repeat and is ignored, not taken for a gap (inferred: the docs only
speak of the snapshot there).
"""

from __future__ import annotations

from typing import Final

__all__ = ["APPLY", "GAP", "STALE", "futures_verdict", "spot_verdict"]

APPLY: Final = 0
"""The event continues the book: apply it, and its ``u`` becomes the book's update id."""
STALE: Final = 1
"""The event is already in the book (older than the snapshot, or a repeat): skip it."""
GAP: Final = 2
"""Events were missed between the book and this event: the book cannot be trusted."""


def spot_verdict(book_id: int, first_id: int, final_id: int) -> int:
    """Spot: the verdict on an event ``U=first_id``, ``u=final_id`` for a book at ``book_id``."""
    if final_id <= book_id:
        return STALE
    if first_id > book_id + 1:
        return GAP
    return APPLY


def futures_verdict(book_id: int, bridged: bool, first_id: int, final_id: int, prev_id: int) -> int:
    """Futures: the verdict on an event ``U``, ``u``, ``pu`` for a book at ``book_id``.

    ``bridged`` is False until the first event after the snapshot has been applied; that event
    must straddle the snapshot (``U`` <= lastUpdateId <= ``u``), the later ones chain by ``pu``.
    """
    if not bridged:
        if final_id < book_id:
            return STALE
        return APPLY if first_id <= book_id else GAP
    if final_id <= book_id:
        return STALE
    return APPLY if prev_id == book_id else GAP
