"""Recordings: the file format, rotation, flushing, replaying into a collection, bad files, and
the ``topgun record`` / ``topgun replay`` argument errors. (An exchange's feed recorded through
a real connection and reconnection is tested in topgun-bitflyer's tests.)"""

from __future__ import annotations

import gzip
import io
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

import topgun
from topgun.cli import main
from topgun.plugin import Decompressor
from topgun.record import Frame, Marker, RecordingError, parse_speed, read_records
from topgun.record.commands import find_store, parse_time
from topgun.testing import eventually


class Ticks(topgun.DataStoreCollection):
    """A collection keeping the last price per symbol, and the reconnects it was told of."""

    def _init(self) -> None:
        self.prices = self._create("prices", keys=["symbol"])
        self.reconnected = 0

    def _onmessage(self, msg: Any, ws: Any = None) -> None:
        self.prices._update([msg])

    def _onreconnect(self, ws_app: Any) -> None:
        self.reconnected += 1
        self.prices._clear()


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000_000_000_000

    def __call__(self) -> int:
        self.now += 1_000_000  # 1 ms per reading
        return self.now


def tick(symbol: str, price: int) -> str:
    return orjson.dumps({"symbol": symbol, "price": price}).decode()


def torn(path: Path, messages: list[str], cut: int = 5) -> Path:
    """A recording of ``messages`` whose last ``cut`` bytes are lost (a crash mid-write)."""
    with topgun.Recorder(path) as rec:
        for message in messages:
            rec.onmessage(message)
    path.write_bytes(path.read_bytes()[:-cut])
    return path


def frames(path: Path) -> list[Any]:
    return [r.data for r in read_records(path) if isinstance(r, Frame)]


@pytest.mark.parametrize("name", ["feed.jsonl", "feed.jsonl.zst"])
def test_a_recording_holds_frames_and_markers_in_order(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    with topgun.Recorder(path, source="wss://feed.test/ws?token=SECRET", clock_ns=Clock()) as rec:
        rec.onmessage(tick("A", 1), "ws1")
        rec.onmessage(b"\x00\xffbinary", "ws1")
        rec.on_ws_reconnect(None)
        rec.onmessage(tick("A", 2), "ws2")
    assert path.read_bytes().startswith(b"\x28\xb5\x2f\xfd") == name.endswith(".zst")
    records = list(read_records(path))
    kinds = ["Marker", "Frame", "Frame", "Marker", "Marker", "Frame", "Marker"]
    assert [type(r).__name__ for r in records] == kinds
    assert [r.kind for r in records if isinstance(r, Marker)] == [
        "connect",
        "reconnect",
        "connect",
        "close",
    ]
    assert frames(path) == [tick("A", 1), b"\x00\xffbinary", tick("A", 2)]
    assert [r.conn for r in records] == [1, 1, 1, 2, 2, 2, 2]
    times = [r.time_ns for r in records]
    assert times == sorted(times)
    assert (rec.messages, rec.reconnects) == (3, 1)
    head = orjson.loads(_plain_lines(path)[0])
    assert head["topgun_recording"] == 1 and head["source"] == "wss://feed.test/ws"  # no token


def _plain_lines(path: Path) -> list[bytes]:
    data = path.read_bytes()
    if path.suffix == ".zst":
        import zstandard

        data = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)).read()
    return data.splitlines()


def test_binary_frames_are_recorded_after_the_exchange_decoder(tmp_path: Path) -> None:
    path = tmp_path / "gz.jsonl"
    with topgun.Recorder(path, decoder=Decompressor("gzip")) as rec:
        rec.onmessage(gzip.compress(tick("B", 7).encode()))
        rec.onmessage(b"not gzip")  # kept as it came, as the JSON handlers would see it
    assert frames(path) == [tick("B", 7).encode(), b"not gzip"]


def test_rotation_by_size_and_by_time_numbers_the_files(tmp_path: Path) -> None:
    with topgun.Recorder(tmp_path / "big.jsonl", rotate_bytes=200) as by_size:
        for n in range(10):
            by_size.onmessage(tick("A", n))
    assert [p.name for p in by_size.paths][:2] == ["big-0001.jsonl", "big-0002.jsonl"]
    assert len(by_size.paths) > 2
    assert [f for p in by_size.paths for f in frames(p)] == [tick("A", n) for n in range(10)]

    clock = Clock()
    with topgun.Recorder(
        tmp_path / "t.jsonl.zst", rotate_seconds=0.0025, clock_ns=clock
    ) as by_time:
        for n in range(6):
            by_time.onmessage(tick("A", n))
    assert by_time.paths[0].name == "t-0001.jsonl.zst" and len(by_time.paths) == 3
    assert [f for p in by_time.paths for f in frames(p)] == [tick("A", n) for n in range(6)]


async def test_what_is_recorded_reaches_the_disk_within_a_second(tmp_path: Path) -> None:
    """The crash guarantee: without close(), a frame is readable from the file within ~1 s."""
    path = tmp_path / "live.jsonl.zst"
    rec = topgun.Recorder(path)
    rec.onmessage(tick("A", 1))

    def readable() -> bool:
        try:
            return [f for f in _frames_so_far(path)] == [tick("A", 1)]
        except FileNotFoundError:
            return False

    await eventually(readable, within=10)
    rec.close()
    assert frames(path) == [tick("A", 1)]


def _frames_so_far(path: Path) -> list[Any]:
    found = []
    try:
        for record in read_records(path):
            if isinstance(record, Frame):
                found.append(record.data)
    except RecordingError:  # the compressed stream is not ended until close()
        pass
    return found


async def test_replay_into_feeds_messages_and_reconnects_as_live(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl.zst"
    with topgun.Recorder(path, clock_ns=Clock()) as rec:
        rec.onmessage(tick("A", 1), "ws1")
        rec.onmessage(tick("B", 1), "ws1")
        rec.onmessage("pong", "ws1")  # not JSON: counted, skipped, as the live JSON handlers do
        rec.on_ws_reconnect(None)
        rec.onmessage(tick("A", 2), "ws2")
    store = Ticks()
    stats = await topgun.replay_into(store, path)
    assert store.reconnected == 1
    assert store.prices.find() == [{"symbol": "A", "price": 2}]  # B went with the reconnection
    assert (stats.frames, stats.messages, stats.not_json, stats.reconnects) == (4, 3, 1, 1)
    assert stats.markers == {"connect": 2, "reconnect": 1, "close": 1}
    assert stats.seconds > 0

    records = [r async for r in topgun.replay(path, speed=1000.0)]
    assert records == list(read_records(path))

    first_two = [r async for r in topgun.replay(path, until_ns=records[2].time_ns)]
    assert first_two == records[:3]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"{not json\n", r"line 4: corrupt record \(JSONDecodeError"),
        (b'{"t":1,"c":1,"k":"video","d":""}\n', r"line 4: corrupt record.*unknown record kind"),
        (b'{"t":1,"c":1,"k":"bytes","d":"@@"}\n', r"line 4: corrupt record"),
        (b'{"t":"x","c":1,"k":"text","d":""}\n', r"line 4: corrupt record"),
    ],
)
async def test_a_corrupt_line_is_named_after_everything_before_it(
    tmp_path: Path, line: bytes, expected: str
) -> None:
    path = tmp_path / "bad.jsonl"
    with topgun.Recorder(path) as rec:
        rec.onmessage(tick("A", 1))
        rec.onmessage(tick("A", 2))
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join([*lines[:3], line, *lines[3:]]))
    store = Ticks()
    stats = topgun.ReplayStats()
    with pytest.raises(RecordingError, match=f"bad.jsonl, {expected}"):
        await topgun.replay_into(store, path, stats=stats)
    assert stats.markers == {"connect": 1} and stats.frames == 1
    assert store.prices.find() == [{"symbol": "A", "price": 1}]


def test_a_cut_compressed_recording_is_read_up_to_the_cut(tmp_path: Path) -> None:
    path = torn(tmp_path / "cut.jsonl.zst", [tick("A", n) for n in range(100)], cut=20)
    got: list[Any] = []
    with pytest.raises(RecordingError, match=r"cut.jsonl.zst, line \d+: truncated or corrupt"):
        got.extend(read_records(path))
    assert len(got) > 0 and isinstance(got[0], Marker)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty, not a topgun recording"),
        (b'{"hello": 1}\n', "line 1: not a topgun recording"),
        (b'{"topgun_recording": 99}\n', "format version 99; this topgun reads version 1"),
    ],
)
def test_files_that_are_not_recordings_say_so(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "other.jsonl"
    path.write_bytes(content)
    with pytest.raises(RecordingError, match=expected):
        list(read_records(path))


def test_compressed_names_without_zstandard_ask_for_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "zstandard", None)  # as if the extra were not installed
    with pytest.raises(RecordingError, match=r"topgun-core\[record\]"):
        topgun.Recorder(tmp_path / "x.jsonl.zst")
    with topgun.Recorder(tmp_path / "x.rec") as plain:  # any other name: plain lines
        plain.onmessage(tick("A", 1))
    assert frames(tmp_path / "x.rec") == [tick("A", 1)]


def test_speeds_times_and_store_names() -> None:
    assert parse_speed("max") is None
    assert parse_speed("1x") == 1.0 and parse_speed("10X") == 10.0 and parse_speed("0.5x") == 0.5
    for bad in ("0x", "-2x", "fast"):
        with pytest.raises(ValueError, match="use max, 1x, or a positive factor"):
            parse_speed(bad)
    assert parse_time("1700000000.5") == 1_700_000_000_500_000_000
    assert parse_time("2023-11-14T22:13:20Z") == 1_700_000_000_000_000_000
    assert parse_time("2023-11-14T22:13:20") == 1_700_000_000_000_000_000  # naive: UTC
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_time("yesterday")
    assert find_store(f"{__name__}:Ticks") is Ticks
    with pytest.raises(LookupError, match="not a DataStoreCollection"):
        find_store(f"{__name__}:Clock")
    with pytest.raises(LookupError, match="no such DataStore"):
        find_store("NoSuchExchange")


def test_replay_command_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(tmp_path / "none.jsonl"), "--store", f"{__name__}:Ticks"]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["replay", "x", "--store", f"{__name__}:Ticks", "--speed", "warp"]) == 2
    assert "speed 'warp'" in capsys.readouterr().err
    assert main(["record", "wss://feed.test/", "--send", "{oops", "-o", "x.jsonl"]) == 2
    assert "--send takes JSON messages" in capsys.readouterr().err


def test_replay_command_prints_a_summary_and_the_error_of_a_torn_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = torn(tmp_path / "torn.jsonl", [tick("A", 1), tick("B", 2)])
    assert main(["replay", str(path), "--store", f"{__name__}:Ticks"]) == 1
    captured = capsys.readouterr()
    assert "torn.jsonl, line 5: truncated" in captured.err
    assert "replayed 2 messages (2 frames, 0 not JSON), 0 reconnects" in captured.out
    assert "prices" in captured.out and " 2 items" in captured.out


async def test_json_frames_are_kept_byte_for_byte_and_parsed_once(tmp_path: Path) -> None:
    path = tmp_path / "exact.jsonl.zst"
    spaced = '{"symbol": "A",  "price": 1.10}'
    pretty = '{\n  "symbol": "B",\n  "price": 2\n}'  # a newline: kept as a JSON string instead
    with topgun.Recorder(path, clock_ns=Clock()) as rec:
        rec.onmessage(spaced)
        rec.onmessage(pretty)
        rec.onmessage(spaced.encode())  # a binary frame holding JSON stays bytes
    got = [r for r in read_records(path) if isinstance(r, Frame)]
    assert [r.data for r in got] == [spaced, pretty, spaced.encode()]
    assert got[0].message == got[2].message == {"symbol": "A", "price": 1.1}
    assert got[1].message is topgun.record.NOT_PARSED
    store = Ticks()
    stats = await topgun.replay_into(store, path, until_ns=got[1].time_ns)
    assert stats.messages == 2 and sorted(i["symbol"] for i in store.prices.find()) == ["A", "B"]
    paced = Ticks()
    assert (await topgun.replay_into(paced, path, speed=1e6)).messages == 3
    assert paced.prices.find() == store.prices.find()


def test_export_writes_what_precedes_a_torn_line_and_keeps_mixed_fields_as_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pyarrow.parquet as pq

    mixed = orjson.dumps({"symbol": "B", "price": "n/a"}).decode()
    path = torn(tmp_path / "torn.jsonl", [tick("A", 1), mixed, tick("C", 3)])
    out = tmp_path / "out"
    store = f"{__name__}:Ticks"
    assert main(["export", str(path), "--to", "parquet", str(out), "--store", store]) == 1
    assert "torn.jsonl, line 6: truncated" in capsys.readouterr().err
    prices = pq.read_table(out / "prices.parquet").to_pylist()
    assert [(p["op"], p["symbol"], p["price"]) for p in prices] == [
        ("insert", "A", "1"),
        ("insert", "B", '"n/a"'),  # a number here, a string there: JSON text
        ("insert", "C", "3"),
    ]
    kinds = pq.read_table(out / "frames.parquet").column("kind").to_pylist()
    assert kinds == ["marker", "text", "text", "text"]


def test_export_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "f.jsonl"
    with topgun.Recorder(path) as rec:
        rec.onmessage(tick("A", 1))
    assert main(["export", str(path), "--to", "csv", str(tmp_path / "o")]) == 2
    assert "the only format is parquet" in capsys.readouterr().err
    assert main(["export", str(path), "--to", "parquet", "o", "--store", "Nope"]) == 2
    assert "no such DataStore" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)  # as without the extra
    assert main(["export", str(path), "--to", "parquet", str(tmp_path / "o")]) == 1
    assert "topgun-core[export]" in capsys.readouterr().err
