"""An exchange whose clock runs ahead of this machine's, and the checks every plugin's clock passes.

``TimestampExchange`` serves an exchange's hosts (an ``HttpExchange``) with the exchange's
server-time endpoint and its documented refusal of a request whose timestamp is outside its
window. A plugin's test describes its exchange in ``TimestampRules`` (from the exchange's docs)
and a ``ClockScenario``, then runs each of ``CLOCK_CHECKS`` on it: the measured offset, the sync
on first signed use, the one retry after a rejection, a second rejection returned as is, and what
happens to a POST.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from ..client import Client
from ..registry import Registry
from .http import HttpExchange

__all__ = [
    "AHEAD",
    "CLOCK_CHECKS",
    "ClockCheck",
    "ClockScenario",
    "TimestampExchange",
    "TimestampRules",
    "check_first_signed_use_syncs",
    "check_post",
    "check_rejection_resyncs_and_retries_once",
    "check_second_rejection_returned",
    "check_sync_measures_offset",
    "header_stamp",
    "query_stamp",
]

AHEAD = 3.2
"""How far the test exchange's clock runs ahead of this machine's, in seconds."""


def header_stamp(name: str) -> Callable[[web.Request, bytes], float | None]:
    """``TimestampRules.timestamp`` for an exchange that signs with milliseconds in header ``name``."""

    def stamp(request: web.Request, body: bytes) -> float | None:
        value = request.headers.get(name)
        return None if value is None else int(value) / 1000

    return stamp


def query_stamp(name: str = "timestamp") -> Callable[[web.Request, bytes], float | None]:
    """``TimestampRules.timestamp`` for milliseconds in parameter ``name`` of the query or of a
    form-encoded body, wherever the request puts it."""

    def stamp(request: web.Request, body: bytes) -> float | None:
        params = dict(request.query) | dict(parse_qsl(body.decode()))
        return int(params[name]) / 1000 if name in params else None

    return stamp


@dataclass(frozen=True, slots=True)
class TimestampRules:
    """How one exchange tells its time and refuses stale requests, as its docs give it.

    ``time_body(now)`` is its server-time endpoint's JSON at ``now`` (seconds); ``resolution``
    how finely that answer gives the time (seconds). ``timestamp(request, body)`` is the time a
    request carries (seconds), ``None`` for an unsigned one. ``window`` is how far that may lag
    the server's clock (it may never be more than a second ahead). ``rejection()`` is the
    documented answer to a stale request.
    """

    time_path: str
    time_body: Callable[[float], Any]
    timestamp: Callable[[web.Request, bytes], float | None]
    window: float
    rejection: Callable[[], web.Response]
    resolution: float = 0.001


class TimestampExchange(HttpExchange):
    """``hosts`` with a clock ``ahead`` seconds fast, refusing stale timestamps by ``rules``.

    A request within the window is answered ``{"ok": true}`` (``accepted`` lists their records);
    ``reject_all`` refuses every timestamped request; ``fail_after_acting`` answers HTTP 503 to
    an accepted request, as an exchange that acted and then failed to answer would.
    """

    def __init__(self, hosts: Iterable[str], rules: TimestampRules, ahead: float = AHEAD) -> None:
        super().__init__(hosts, self._answer)
        self.rules = rules
        self.ahead = ahead
        self.reject_all = False
        self.fail_after_acting = False
        self.accepted: list[dict[str, Any]] = []
        self.rejected: list[dict[str, Any]] = []

    def now(self) -> float:
        return time.time() + self.ahead

    def time_requests(self) -> int:
        return sum(1 for r in self.seen if r["path"] == self.rules.time_path)

    def signed(self) -> list[dict[str, Any]]:
        return [r for r in self.seen if "stamp" in r]

    async def _answer(
        self, request: web.Request, body: bytes, record: dict[str, Any]
    ) -> web.StreamResponse:
        rules = self.rules
        if request.path == rules.time_path:
            return web.json_response(rules.time_body(self.now()))
        stamp = rules.timestamp(request, body)
        if stamp is None:
            return web.json_response({"ok": True, "public": True})
        record["stamp"] = stamp
        lag = self.now() - stamp
        if self.reject_all or not -1.0 <= lag <= rules.window:
            self.rejected.append(record)
            return rules.rejection()
        self.accepted.append(record)
        if self.fail_after_acting:
            return web.json_response({"busy": True}, status=503)
        return web.json_response({"ok": True})


@dataclass(frozen=True, slots=True)
class ClockScenario:
    """One exchange's clock test: its API name, hosts, rules, and a signed GET and POST to send."""

    api: str
    credentials: Mapping[str, Any]
    hosts: tuple[str, ...]
    rules: TimestampRules
    get_url: str
    post_url: str
    post_data: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    ahead: float = AHEAD
    """How far the exchange's clock runs ahead: 3.2 s, or that beyond a fixed window wider than
    3.2 s (a skew inside the window is no error)."""

    def exchange(self) -> TimestampExchange:
        return TimestampExchange(self.hosts, self.rules, self.ahead)

    def client(self, server: TimestampExchange, registry: Registry, **kwargs: Any) -> Client:
        return server.client(apis=dict(self.credentials), registry=registry, **kwargs)


@contextmanager
def _warnings(logger: str) -> Iterator[list[logging.LogRecord]]:
    records: list[logging.LogRecord] = []

    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = _Keep(logging.WARNING)
    log = logging.getLogger(logger)
    log.addHandler(handler)
    try:
        yield records
    finally:
        log.removeHandler(handler)


async def check_sync_measures_offset(scenario: ClockScenario, registry: Registry) -> None:
    async with scenario.exchange() as server, scenario.client(server, registry) as client:
        stale = await client.fetch("GET", scenario.get_url, headers=scenario.headers)
        assert len(server.rejected) == 1, f"unsynced request not refused: {stale.data}"
        result = await client.sync_clock(scenario.api)
        # The exchange read its clock somewhere inside the fastest round trip.
        bound = result.round_trip / 2 + scenario.rules.resolution + 0.002
        assert abs(result.offset - server.ahead) <= bound, (result, server.ahead)
        assert len(result.samples) == 5 and server.time_requests() == 5
        assert result.round_trip == min(rt for _, rt in result.samples)
        assert abs(client.clock.offset - result.offset) < 0.001
        after = await client.fetch("GET", scenario.get_url, headers=scenario.headers)
        assert after.data == {"ok": True}, after.data


async def check_first_signed_use_syncs(scenario: ClockScenario, registry: Registry) -> None:
    async with (
        scenario.exchange() as server,
        scenario.client(server, registry, sync_clock=True) as client,
    ):
        public = await client.fetch("GET", scenario.get_url, auth=None)
        assert public.data == {"ok": True, "public": True}
        assert server.time_requests() == 0, "an unsigned request waited for a clock sync"
        signed = await client.fetch("GET", scenario.get_url, headers=scenario.headers)
        assert signed.data == {"ok": True}, signed.data
        assert server.time_requests() == 5
        again = await client.fetch("GET", scenario.get_url, headers=scenario.headers)
        assert again.data == {"ok": True} and server.time_requests() == 5
        assert server.rejected == []


async def check_rejection_resyncs_and_retries_once(
    scenario: ClockScenario, registry: Registry
) -> None:
    async with (
        scenario.exchange() as server,
        scenario.client(server, registry, sync_clock=True) as client,
    ):
        await client.fetch("GET", scenario.get_url, headers=scenario.headers)
        server.ahead += scenario.ahead  # the exchange's clock jumps: the synced offset is stale now
        with _warnings("topgun.clock") as warned:
            result = await client.fetch("GET", scenario.get_url, headers=scenario.headers)
        assert result.data == {"ok": True}, result.data
        assert len(server.rejected) == 1 and len(server.accepted) == 2
        assert server.time_requests() == 10
        assert abs(client.clock.offset - server.ahead) < 0.5
        assert len(warned) == 1
        message = warned[0].getMessage()
        assert scenario.api in message and "sending it once more" in message
        measured = re.search(r"-> ([+-][0-9.]+) s", message)  # the skew it measured
        assert measured is not None and abs(float(measured[1]) - server.ahead) < 0.5, message


async def check_second_rejection_returned(scenario: ClockScenario, registry: Registry) -> None:
    async with (
        scenario.exchange() as server,
        scenario.client(server, registry, sync_clock=True) as client,
    ):
        server.reject_all = True
        result = await client.fetch("GET", scenario.get_url, headers=scenario.headers)
        documented = scenario.rules.rejection()
        assert result.response.status == documented.status
        assert result.text.encode() == documented.body
        assert len(server.rejected) == 2 and server.accepted == []
        assert server.time_requests() == 10  # first use, then one re-sync


async def check_post(scenario: ClockScenario, registry: Registry) -> None:
    """A POST the exchange may have acted on is never re-sent; a rejected one only where the
    exchange documents that it refuses before acting (``TimestampRejection.not_executed``)."""
    spec = registry.apis[scenario.api].server_time
    assert spec is not None and spec.rejection is not None
    async with (
        scenario.exchange() as server,
        scenario.client(server, registry, sync_clock=True) as client,
    ):
        server.fail_after_acting = True
        failed = await client.fetch(
            "POST", scenario.post_url, data=scenario.post_data, headers=scenario.headers
        )
        assert failed.response.status == 503 and len(server.accepted) == 1
        assert [r["method"] for r in server.signed()] == ["POST"]
        server.fail_after_acting = False
        server.ahead += scenario.ahead
        rejected = await client.fetch(
            "POST", scenario.post_url, data=scenario.post_data, headers=scenario.headers
        )
        posts = [r["method"] for r in server.signed()]
        if spec.rejection.not_executed:
            assert rejected.data == {"ok": True} and posts == ["POST"] * 3
        else:
            assert rejected.response.status == scenario.rules.rejection().status
            assert posts == ["POST"] * 2
            again = await client.fetch(
                "POST", scenario.post_url, data=scenario.post_data, headers=scenario.headers
            )
            assert again.data == {"ok": True}  # the re-sync was kept for the next one
        assert len(server.rejected) == 1


ClockCheck = Callable[[ClockScenario, Registry], Awaitable[None]]

CLOCK_CHECKS: tuple[ClockCheck, ...] = (
    check_sync_measures_offset,
    check_first_signed_use_syncs,
    check_rejection_resyncs_and_retries_once,
    check_second_rejection_returned,
    check_post,
)
"""Run each on a plugin's ``ClockScenario``: ``pytest.mark.parametrize("check", CLOCK_CHECKS)``."""
