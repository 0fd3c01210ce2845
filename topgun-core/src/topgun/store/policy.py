"""What an order-book store declares about its recovery, and the counters it keeps.

Plain declarations, shared by the bookkeeping (``.integrity``) and the recovery tasks
(``.recovery``) without either importing the other's module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from yarl import URL

from ..ws.backoff import Backoff

__all__ = ["BookStats", "Recovery", "RecoveryPolicy", "SnapshotRequest"]


class Recovery(Enum):
    """How an out-of-sync book gets a fresh snapshot (declared by the exchange's store)."""

    SUBSCRIPTION = "subscription"
    """Re-request the book's channel on its WebSocket (``_resubscribe``)."""
    REST = "rest"
    """Buffer diffs, fetch the REST snapshot (``_snapshot_request``), replay."""
    NONE = "none"
    """The exchange sends complete books by itself: wait for the next one."""


@dataclass(frozen=True, slots=True)
class RecoveryPolicy:
    """When and how hard a book tries to get back in sync (``book.recovery``)."""

    grace: float = 3.0
    """Seconds a book without a snapshot yet (or after a reconnect) waits for one to come on its
    own (the subscription's, or ``initialize()``'s) before requesting it. Gaps and checksum
    failures request at once."""
    timeout: float = 10.0
    """Seconds a request has to bring the book back in sync before it counts as failed."""
    backoff: Backoff = field(default_factory=lambda: Backoff(1.0, 60.0, 2.0, 1.0))
    """Delay before the n-th retry after failed requests (``Backoff.delay``)."""
    buffer: int = 1_000
    """Diffs buffered per book while waiting for a REST snapshot."""
    concurrency: int = 2
    """REST snapshots one store fetches at once (after a reconnect, every book wants one)."""

    def __post_init__(self) -> None:
        for name in ("grace", "timeout"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and 0 <= value < float("inf")):
                raise ValueError(f"RecoveryPolicy.{name} must be a number of seconds >= 0")
        if self.timeout <= 0:
            raise ValueError("RecoveryPolicy.timeout must be > 0 seconds")
        for name in ("buffer", "concurrency"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"RecoveryPolicy.{name} must be a positive int, not {value!r}")
        if not isinstance(self.backoff, Backoff):
            raise TypeError("RecoveryPolicy.backoff must be a topgun.Backoff")


@dataclass(frozen=True, slots=True)
class SnapshotRequest:
    """A book's REST snapshot: ``GET url?params``, fetched through the owning Client.

    Unsigned unless ``signed``: an exchange whose full book is served to authenticated requests
    only sets it, and the request is then signed with the Client's credentials for that host; a
    Client without them does not send it (the recovery stops with a warning saying so).
    ``headers`` select what the exchange serves on a shared host (a demo-trading book, say).
    """

    url: str | URL
    params: Mapping[str, Any] | None = None
    method: str = "GET"
    signed: bool = False
    headers: Mapping[str, str] | None = None


@dataclass(slots=True)
class BookStats:
    """Counters of a store's book integrity since it was created (docs/verified-books.rst)."""

    gaps: int = 0
    checksum_failures: int = 0
    reconnects: int = 0
    evictions: int = 0
    resyncs: int = 0
    recovered: int = 0
    recovery_failures: int = 0
    stale_dropped: int = 0
    unsynced_dropped: int = 0
    buffer_overflows: int = 0
    last_reason: str | None = None
