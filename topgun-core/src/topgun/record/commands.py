"""``topgun record`` and ``topgun replay``: the console side of recordings."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import importlib
import signal
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import orjson
from yarl import URL

from ..errors import ExportError, RecordingError, TopgunError
from ..registry import get_registry
from ..registry.hostname import lookup
from ..store.policy import BookStats
from .recorder import Recorder
from .replay import ReplayStats, parse_speed, replay_into

__all__ = [
    "PROGRESS_INTERVAL",
    "add_commands",
    "find_store",
    "parse_time",
    "print_summary",
    "run_export",
    "run_record",
    "run_replay",
]

PROGRESS_INTERVAL = 1.0


def add_commands(commands: Any) -> None:
    """Add ``record`` and ``replay`` to the ``topgun`` argument parser's subcommands."""
    record = commands.add_parser(
        "record",
        help="record a WebSocket feed to a file (reconnects, heartbeats and login apply)",
        description="Record every frame a WebSocket feed sends, until Ctrl+C or SIGTERM.",
    )
    record.add_argument("url", help="the WebSocket URL, e.g. wss://...")
    record.add_argument(
        "--send",
        action="append",
        default=[],
        metavar="JSON",
        help="a JSON message sent after every (re)connection, e.g. a subscription; repeatable",
    )
    record.add_argument("--apis", metavar="FILE", help="credentials file, for private feeds")
    record.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="the recording (.jsonl.zst compressed, .jsonl plain)",
    )
    record.add_argument(
        "--rotate-mb", type=float, metavar="MB", help="start a new file after this many MB"
    )
    record.add_argument(
        "--rotate-minutes", type=float, metavar="MIN", help="start a new file this often"
    )
    replay = commands.add_parser(
        "replay",
        help="replay a recording into a DataStore and print what it holds",
        description="Feed recordings into a DataStore as the live feed did, then summarise.",
    )
    replay.add_argument("files", nargs="+", metavar="FILE", help="recording files, in order")
    replay.add_argument(
        "--store",
        required=True,
        metavar="NAME",
        help="the DataStore: NAME for topgun.<NAME>DataStore, or module:Class for your own",
    )
    replay.add_argument("--speed", default="max", help="max (default), 1x, or a factor like 10x")
    replay.add_argument(
        "--until", metavar="TIME", help="stop after this time (ISO 8601, or Unix seconds)"
    )
    export = commands.add_parser(
        "export",
        help="write a recording as Parquet tables (frames, and one per store with --store)",
        description="Write recordings as Parquet: frames.parquet, and with --store the changes "
        "of each store (its items, with the receive time of the frame that changed them).",
    )
    export.add_argument("files", nargs="+", metavar="FILE", help="recording files, in order")
    export.add_argument(
        "--to", nargs=2, required=True, metavar=("FORMAT", "DIR"), help="parquet and a directory"
    )
    export.add_argument(
        "--store", metavar="NAME", help="replay into this DataStore and export its stores' changes"
    )


# -- record ----------------------------------------------------------------------------------


def run_record(args: argparse.Namespace, err: TextIO) -> int:
    try:
        messages = [orjson.loads(text) for text in args.send]
    except orjson.JSONDecodeError as exc:
        print(f"topgun record: --send takes JSON messages ({exc})", file=err)
        return 2
    for name, value in (("--rotate-mb", args.rotate_mb), ("--rotate-minutes", args.rotate_minutes)):
        if value is not None and not value > 0:
            print(f"topgun record: {name} must be a positive number, not {value}", file=err)
            return 2
    try:
        return asyncio.run(_record(args, messages, err))
    except (TopgunError, OSError, ValueError) as exc:
        print(f"topgun record: {exc}", file=err)
        return 1


async def _record(args: argparse.Namespace, messages: list[Any], err: TextIO) -> int:
    from ..client import Client

    route = lookup(get_registry().hosts, URL(args.url))
    recorder = Recorder(
        args.output,
        source=args.url,
        decoder=route.host.ws_decoder if route is not None else None,
        rotate_bytes=None if args.rotate_mb is None else int(args.rotate_mb * 1_000_000),
        rotate_seconds=None if args.rotate_minutes is None else args.rotate_minutes * 60,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    progress = _Progress(recorder, err)
    try:
        async with Client(apis=args.apis) as client:
            app = client.ws_connect(
                args.url,
                send_json=messages or None,
                hdlr_str=recorder.onmessage,
                hdlr_bytes=recorder.onmessage,
            )
            print(f"recording {recorder.paths[-1]} (Ctrl+C to stop)", file=err, flush=True)
            closed = asyncio.ensure_future(app.wait())
            stopped = asyncio.ensure_future(stop.wait())
            try:
                while not (closed.done() or stopped.done()):
                    await asyncio.wait({closed, stopped}, timeout=PROGRESS_INTERVAL)
                    progress.show()
            finally:
                stopped.cancel()
                closed.cancel()
                await app.close()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        recorder.close()
        progress.show(final=True)
    files = ", ".join(str(path) for path in recorder.paths)
    print(f"recorded {recorder.messages} messages to {files}", file=err)
    return 0


class _Progress:
    """The progress line: rewritten in place on a terminal, one line per 10 s otherwise."""

    def __init__(self, recorder: Recorder, err: TextIO) -> None:
        self._recorder = recorder
        self._err = err
        self._tty = err.isatty()
        self._started = time.monotonic()
        self._printed = 0.0

    def show(self, *, final: bool = False) -> None:
        now = time.monotonic()
        if not (self._tty or final or now - self._printed >= 10):
            return
        self._printed = now
        rec = self._recorder
        rate = rec.messages / max(now - self._started, 1e-9)
        line = (
            f"{rec.messages} messages, {_size(rec.bytes)}, {rec.reconnects} reconnects, "
            f"{rate:.1f} msg/s"
        )
        if self._tty:
            end = "\n" if final else ""
            print(f"\r{line}\x1b[K", end=end, file=self._err, flush=True)
        else:
            print(line, file=self._err, flush=True)


def _size(count: int) -> str:
    if count < 1000:
        return f"{count} B"
    value = count / 1000
    for unit in ("kB", "MB"):
        if value < 1000:
            return f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


# -- replay ----------------------------------------------------------------------------------


def _missing_files(command: str, files: list[str], err: TextIO) -> bool:
    """Say which of the recordings named do not exist (before any is read); True if any."""
    missing = [name for name in files if not Path(name).is_file()]
    if missing:
        print(f"topgun {command}: no such file: {', '.join(missing)}", file=err)
    return bool(missing)


def run_replay(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        speed = parse_speed(args.speed)
        until_ns = None if args.until is None else parse_time(args.until)
        store_class = find_store(args.store)
    except (ValueError, LookupError) as exc:
        print(f"topgun replay: {exc}", file=err)
        return 2
    if _missing_files("replay", args.files, err):
        return 2
    return asyncio.run(_replay(store_class, args.files, speed, until_ns, out, err))


async def _replay(
    store_class: type[Any],
    files: Sequence[str],
    speed: float | None,
    until_ns: int | None,
    out: TextIO,
    err: TextIO,
) -> int:
    store = store_class()
    stats = ReplayStats()
    status = 0
    try:
        await replay_into(store, *files, speed=speed, until_ns=until_ns, stats=stats)
    except RecordingError as exc:
        print(f"topgun replay: {exc}", file=err)
        status = 1
    print_summary(store, stats, out)
    return status


# -- export ----------------------------------------------------------------------------------


def run_export(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .export import export_parquet

    fmt, directory = args.to
    if fmt != "parquet":
        print(f"topgun export: --to {fmt}: the only format is parquet", file=err)
        return 2
    try:
        collection = None if args.store is None else find_store(args.store)()
    except LookupError as exc:
        print(f"topgun export: {exc}", file=err)
        return 2
    if _missing_files("export", args.files, err):
        return 2
    status = 0
    try:
        written = export_parquet(args.files, directory, collection)
    except ExportError as exc:
        print(f"topgun export: {exc}", file=err)
        return 1
    except RecordingError as exc:  # what came before the bad line is written
        print(f"topgun export: {exc}", file=err)
        status = 1
        written = {}
    for table, rows in written.items():
        print(f"{Path(directory) / table}.parquet  {rows} rows", file=out)
    return status


def find_store(name: str) -> type[Any]:
    """``module:Class``, or a registered DataStore by name (``X`` or ``XDataStore``, any case)."""
    if ":" in name:
        module_name, _, attr = name.partition(":")
        try:
            found = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError) as exc:
            raise LookupError(f"--store {name}: cannot load it ({exc})") from exc
        if not isinstance(found, type) or not callable(getattr(found, "onmessage", None)):
            raise LookupError(f"--store {name}: not a DataStoreCollection class")
        return found
    stores = get_registry().datastores
    wanted = {name.lower(), f"{name}DataStore".lower()}
    for registered, cls in stores.items():
        if registered.lower() in wanted:
            return cls
    known = ", ".join(sorted(s.removesuffix("DataStore") for s in stores)) or "none installed"
    raise LookupError(f"--store {name}: no such DataStore (known: {known}; or module:Class)")


def parse_time(text: str) -> int:
    """ISO 8601 (naive means UTC) or Unix seconds -> Unix nanoseconds."""
    try:
        return int(float(text) * 1e9)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"--until {text!r}: use ISO 8601 (2026-01-02T03:04:05Z) or Unix seconds"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1e9)


def print_summary(store: Any, stats: ReplayStats, out: TextIO) -> None:
    print(
        f"replayed {stats.messages} messages ({stats.frames} frames, {stats.not_json} not JSON), "
        f"{stats.reconnects} reconnects",
        file=out,
    )
    if stats.first_ns is not None and stats.last_ns is not None:
        print(
            f"time span: {_iso(stats.first_ns)} .. {_iso(stats.last_ns)} ({stats.seconds:.3f} s)",
            file=out,
        )
    skipped = getattr(store, "skipped", None)
    if skipped:
        print(f"skipped by the store: {skipped} messages", file=out)
    print(f"stores of {type(store).__name__}:", file=out)
    empty = []
    for name in store:
        part = store[name]
        book_stats = getattr(part, "stats", None)
        is_book = isinstance(book_stats, BookStats) and hasattr(part, "out_of_sync")
        if not len(part) and not is_book:
            empty.append(name)
            continue
        line = f"  {name:<20} {len(part):>8} items"
        if isinstance(book_stats, BookStats) and is_book:
            counters = ", ".join(
                f"{key}={value}"
                for key, value in dataclasses.asdict(book_stats).items()
                if value and key != "last_reason"
            )
            unsynced = sorted(map(str, part.out_of_sync))
            line += f"  book: {counters or 'no integrity events'}"
            line += f"; out of sync: {', '.join(unsynced) if unsynced else 'none'}"
        print(line, file=out)
    if empty:
        print(f"  empty: {', '.join(empty)}", file=out)


def _iso(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, UTC).isoformat(timespec="milliseconds")
