"""Recording bitFlyer's Lightstream feed and replaying it into bitFlyerDataStore.

Core's recorder, replay and ``topgun record``/``replay``/``export`` commands, exercised with one
real plugin's feed; a root test, since it reaches into core's CLI and record format.

A local server under ws.lightstream.bitflyer.com (127.0.0.1, TLS) answers JSON-RPC subscribes
(https://bf-lightning-api.readme.io/docs/json-rpc-20-over-websocket) and pushes board snapshots,
board diffs, tickers and executions as ``channelMessage`` frames
(https://bf-lightning-api.readme.io/docs/realtime-board-snapshot, .../realtime-board,
.../realtime-ticker, .../realtime-executions). The live store and the recording see the same
frames, through a reconnection the server forces; the replayed store must end equal to the live
one, and the same file must always give the same store.
"""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

import topgun
from topgun.cli import main
from topgun.record import Frame, Marker, read_records
from topgun.testing import FAST_BACKOFF, Connection, WebSocketExchange, eventually
from topgun_bitflyer.store import bitFlyerDataStore

HOST = "ws.lightstream.bitflyer.com"
URL = f"wss://{HOST}/json-rpc"
PRODUCT = "FX_BTC_JPY"
SNAPSHOT = f"lightning_board_snapshot_{PRODUCT}"
CHANNELS = [SNAPSHOT, f"lightning_board_{PRODUCT}", f"lightning_ticker_{PRODUCT}"]
CHANNELS.append(f"lightning_executions_{PRODUCT}")


def subscribe(channel: str, n: int) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "method": "subscribe", "params": {"channel": channel}, "id": n}


def channel_message(channel: str, message: Any) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "method": "channelMessage",
        "params": {"channel": channel, "message": message},
    }


class Lightstream:
    """The exchange's side: one book, a tick counter, and the frames each change sends."""

    def __init__(self) -> None:
        self.asks = {5_000_100.0: 0.5, 5_000_200.0: 1.0}
        self.bids = {4_999_900.0: 0.7, 4_999_800.0: 2.0}
        self.tick = 0
        self.execution_id = 0

    def board(self, asks: dict[float, float], bids: dict[float, float]) -> dict[str, Any]:
        return {
            "mid_price": (min(self.asks) + max(self.bids)) / 2,
            "asks": [{"price": p, "size": s} for p, s in asks.items()],
            "bids": [{"price": p, "size": s} for p, s in bids.items()],
        }

    def respond(self, conn: Connection, message: Any) -> list[Any]:
        replies: list[Any] = [{"jsonrpc": "2.0", "id": message.get("id"), "result": True}]
        if message.get("params", {}).get("channel") == SNAPSHOT:
            replies.append(channel_message(SNAPSHOT, self.board(self.asks, self.bids)))
        return replies

    def changes(self, step: int) -> list[Any]:
        """A diff (one level changed, one removed or added), an execution, then a ticker."""
        price = 5_000_100.0 + 100 * (step % 3)
        size = 0.0 if step % 4 == 3 else round(0.1 * (step + 1), 8)
        if size:
            self.asks[price] = size
        else:
            self.asks.pop(price, None)
        self.bids[4_999_900.0] = round(0.7 + 0.01 * step, 8)
        diff = self.board({price: size}, {4_999_900.0: self.bids[4_999_900.0]})
        self.execution_id += 1
        self.tick += 1
        execution = {
            "id": self.execution_id,
            "side": "BUY",
            "price": price,
            "size": 0.01,
            "exec_date": "2024-06-07T01:23:45.6789012Z",
            "buy_child_order_acceptance_id": f"JRF20240607-{self.execution_id:06d}",
            "sell_child_order_acceptance_id": f"JRF20240607-{self.execution_id + 500:06d}",
        }
        ticker = {"product_code": PRODUCT, "tick_id": self.tick, "ltp": price, "state": "RUNNING"}
        return [
            channel_message(CHANNELS[1], diff),
            channel_message(CHANNELS[3], [execution]),
            channel_message(CHANNELS[2], ticker),
        ]


def store_state(store: bitFlyerDataStore) -> dict[str, Any]:
    state: dict[str, Any] = {name: store[name].find() for name in store}
    state["board_sorted"] = store.board.sorted({"product_code": PRODUCT})
    state["book_stats"] = store.board.stats
    state["out_of_sync"] = store.board.out_of_sync
    return state


async def push(conn: Connection, feed: Lightstream, steps: range) -> None:
    for step in steps:
        for frame in feed.changes(step):
            await conn.send(frame)


async def test_a_recording_through_a_reconnect_replays_to_the_live_state(tmp_path: Path) -> None:
    feed = Lightstream()
    live = bitFlyerDataStore()
    path = tmp_path / "lightstream.jsonl.zst"
    recorder = topgun.Recorder(path, source=URL)

    def ticked(n: int) -> bool:
        item = live.ticker.get({"product_code": PRODUCT})
        return item is not None and item["tick_id"] == n

    async with (
        WebSocketExchange([HOST], feed.respond) as exchange,
        topgun.Client(apis={}, **exchange.client_kwargs()) as client,
    ):
        app = client.ws_connect(
            URL,
            send_json=[subscribe(channel, n) for n, channel in enumerate(CHANNELS, 1)],
            hdlr_str=recorder.onmessage,
            hdlr_bytes=recorder.onmessage,
            hdlr_json=live.onmessage,
            backoff=FAST_BACKOFF,
        )
        await app.ready()
        await eventually(lambda: len(exchange.connections[0].received) == len(CHANNELS))
        await push(exchange.connections[0], feed, range(0, 10))
        await eventually(lambda: ticked(10))
        await exchange.connections[0].ws.close()  # the exchange drops the link: a reconnection
        await eventually(lambda: len(exchange.connections) == 2)
        await eventually(lambda: len(exchange.connections[1].received) == len(CHANNELS))
        await push(exchange.connections[1], feed, range(10, 25))
        await eventually(lambda: ticked(25))
        await app.close()
    recorder.close()

    records = list(read_records(path))
    kinds = [r.kind for r in records if isinstance(r, Marker)]
    assert kinds == ["connect", "reconnect", "connect", "close"]
    assert recorder.reconnects == 1 and live.board.stats.reconnects == 1
    frames = [r for r in records if isinstance(r, Frame)]
    assert len(frames) == recorder.messages == 2 * len(CHANNELS) + 2 + 25 * 3  # replies, snapshots
    assert {r.conn for r in frames} == {1, 2}
    assert all(b"secret" not in orjson.dumps(r.data) for r in frames)

    replayed = bitFlyerDataStore()
    stats = await topgun.replay_into(replayed, path)
    assert stats.reconnects == 1 and stats.frames == len(frames)
    assert store_state(replayed) == store_state(live)
    assert len(replayed.executions) == 25 and len(replayed.board) == len(live.board) > 0

    again = bitFlyerDataStore()
    await topgun.replay_into(again, path)
    assert store_state(again) == store_state(replayed)  # deterministic


async def test_a_truncated_recording_replays_what_it_holds_and_names_the_line(
    tmp_path: Path,
) -> None:
    feed = Lightstream()
    path = tmp_path / "feed.jsonl"
    with topgun.Recorder(path, source=URL) as recorder:
        snapshot = channel_message(SNAPSHOT, feed.board(feed.asks, feed.bids))
        recorder.onmessage(orjson.dumps(snapshot).decode())
        for frame in feed.changes(0):
            recorder.onmessage(orjson.dumps(frame).decode())
    text = path.read_bytes()
    path.write_bytes(text[: text.rindex(b'"marker"')])  # cut inside the close marker's line
    store = bitFlyerDataStore()
    stats = topgun.ReplayStats()
    with pytest.raises(topgun.RecordingError, match=r"feed\.jsonl, line 7: truncated"):
        await topgun.replay_into(store, path, stats=stats)
    assert stats.messages == 4
    assert store.ticker.get({"product_code": PRODUCT})["tick_id"] == 1  # type: ignore[index]


def frames_in(path: Path) -> int:
    """Frames readable so far from a recording still being written (flushed every second)."""
    count = 0
    try:
        for record in read_records(path):
            count += isinstance(record, Frame)
    except (topgun.RecordingError, FileNotFoundError):
        pass
    return count


async def test_the_record_and_replay_commands(tmp_path: Path) -> None:
    """``topgun record`` until SIGINT leaves a complete file; ``topgun replay`` summarises it.

    The command runs in its own process, so the server is plain ws:// on 127.0.0.1 (the test's
    TLS hostname routing lives in this process only)."""
    feed = Lightstream()
    path = tmp_path / "cli.jsonl.zst"
    async with WebSocketExchange(["127.0.0.1"], feed.respond, tls=False) as exchange:
        url = f"ws://127.0.0.1:{exchange.port}/json-rpc"
        sends = [a for n, c in enumerate(CHANNELS, 1) for a in ("--send", json(subscribe(c, n)))]
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "topgun", "record", url, *sends, "-o", str(path),
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            await eventually(lambda: exchange.connections, within=60)
            conn = exchange.connections[0]
            await eventually(lambda: len(conn.received) == len(CHANNELS))
            await push(conn, feed, range(5))
            expected = len(CHANNELS) + 1 + 5 * 3  # replies, the snapshot, the changes
            await eventually(lambda: frames_in(path) == expected, within=30)
        finally:
            process.send_signal(signal.SIGINT)
            _, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    progress = err.decode()
    assert f"{expected} messages" in progress and "0 reconnects" in progress
    assert f"recorded {expected} messages to {path}" in progress
    markers = [r.kind for r in read_records(path) if isinstance(r, Marker)]
    assert markers == ["connect", "close"]  # the file is complete: it ends with its close marker

    replay = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "topgun", "replay", str(path), "--store", "bitFlyer",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await replay.communicate()
    assert replay.returncode == 0, err.decode()
    summary = out.decode()
    assert f"replayed {expected} messages ({expected} frames, 0 not JSON), 0 reconnects" in summary
    assert re.search(r"\n  executions +5 items\n", summary)
    assert re.search(r"\n  ticker +1 items\n", summary)
    assert "out of sync: none" in summary
    assert "time span: " in summary


def json(message: Any) -> str:
    return orjson.dumps(message).decode()


def test_export_to_parquet_gives_a_table_per_store(tmp_path: Path) -> None:
    """``topgun export FILE --to parquet DIR --store bitFlyer``, read back with pyarrow."""
    import pyarrow.parquet as pq

    feed = Lightstream()
    path = tmp_path / "feed.jsonl.zst"
    with topgun.Recorder(path, source=URL) as recorder:
        recorder.onmessage(json(channel_message(SNAPSHOT, feed.board(feed.asks, feed.bids))), 1)
        for step in range(6):
            for frame in feed.changes(step):
                recorder.onmessage(json(frame), 1)
    out = tmp_path / "parquet"
    assert main(["export", str(path), "--to", "parquet", str(out), "--store", "bitFlyer"]) == 0
    frames = pq.read_table(out / "frames.parquet").to_pylist()
    assert [f["kind"] for f in frames] == ["marker", *["text"] * 19, "marker"]
    assert orjson.loads(frames[1]["data"])["params"]["channel"] == SNAPSHOT

    board = pq.read_table(out / "board.parquet").to_pylist()
    snapshot = [row for row in board if row["time_ns"] == frames[1]["time_ns"]]
    assert {(r["op"], r["side"], r["price"]) for r in snapshot} == {
        ("insert", "asks", 5_000_100.0),
        ("insert", "asks", 5_000_200.0),
        ("insert", "bids", 4_999_900.0),
        ("insert", "bids", 4_999_800.0),
    }
    assert {r["op"] for r in board} == {"insert", "update", "delete"}  # the diffs follow
    assert all(r["time_ns"] > frames[1]["time_ns"] for r in board if r not in snapshot)

    executions = pq.read_table(out / "executions.parquet")
    assert executions.column("id").to_pylist() == [1, 2, 3, 4, 5, 6]
    tickers = pq.read_table(out / "ticker.parquet").to_pylist()
    assert [(t["op"], t["tick_id"]) for t in tickers] == [("insert", 1)] + [
        ("update", n) for n in range(2, 7)
    ]
    assert pq.read_table(out / "positions.parquet").num_rows == 0
