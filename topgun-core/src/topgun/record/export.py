"""``topgun export``: a recording as Parquet files, for DuckDB, Polars, pandas or Spark.

``frames.parquet`` holds every record (frames and markers) as it was recorded. With a DataStore,
the recording is also replayed into it and every change of every store becomes a row of
``<store>.parquet``: the receive time of the frame that caused it, the connection, the operation
(``insert``, ``update``, ``delete``) and the item's fields as columns. A book's table is thus its
snapshots (the levels inserted after a reset) and diffs, with timestamps; a trades store's its
trades; a ticker store's every ticker. Needs pyarrow (the ``topgun-core[export]`` extra).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from ..errors import ExportError
from ..store.change import StoreStream
from .format import Frame, Marker, read_records
from .replay import ReplayStats, _Feeder

__all__ = ["export_parquet"]

_BURST = 1 << 30
"""Room for one message's changes in the capture streams (a snapshot of a deep book, say)."""


def export_parquet(
    paths: Sequence[str | Path], out_dir: str | Path, collection: Any = None
) -> dict[str, int]:
    """Write ``frames.parquet`` (and one table per store of ``collection``) into ``out_dir``;
    returns the rows written per table. Raises ``RecordingError`` for a bad file, after
    writing what came before it."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ExportError(
            "Parquet export needs pyarrow: pip install 'topgun-core[export]'"
        ) from None
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    frames: list[dict[str, Any]] = []
    changes: dict[str, list[dict[str, Any]]] = {}
    streams: dict[str, StoreStream] = {}
    feeder = None
    if collection is not None:
        feeder = _Feeder(collection, ReplayStats())
        streams = {name: collection[name].watch(_BURST) for name in collection}
        changes = {name: [] for name in streams}
    try:
        for path in paths:
            for record in read_records(path):
                frames.append(_frame_row(record))
                if feeder is not None:
                    feeder.record(record)
                    _drain(streams, changes, record.time_ns, record.conn)
    finally:
        written = {"frames": _write(pq, out / "frames.parquet", frames)}
        for name, rows in changes.items():
            written[name] = _write(pq, out / f"{name}.parquet", rows)
        for stream in streams.values():
            stream.close()
    return written


def _frame_row(record: Frame | Marker) -> dict[str, Any]:
    kind: str
    data: str
    if isinstance(record, Marker):
        kind, data = "marker", record.kind
    elif isinstance(record.data, str):
        kind, data = "text", record.data
    else:
        kind, data = "bytes", base64.b64encode(record.data).decode("ascii")
    return {"time_ns": record.time_ns, "conn": record.conn, "kind": kind, "data": data}


def _drain(
    streams: dict[str, StoreStream],
    changes: dict[str, list[dict[str, Any]]],
    time_ns: int,
    conn: int,
) -> None:
    for name, stream in streams.items():
        rows = changes[name]
        while (change := stream.get_nowait()) is not None:
            rows.append({"time_ns": time_ns, "conn": conn, "op": change.operation, **change.data})


def _write(pq: Any, path: Path, rows: list[dict[str, Any]]) -> int:
    import pyarrow as pa

    columns: dict[str, list[Any]] = {}
    for n, row in enumerate(rows):
        for key, value in row.items():
            column = columns.get(key)
            if column is None:
                column = columns[key] = [None] * n
            column.append(value)
        for column in columns.values():
            if len(column) <= n:
                column.append(None)
    arrays = {}
    for key, values in columns.items():
        try:
            arrays[key] = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed types: kept as JSON text
            arrays[key] = pa.array(
                [None if v is None else orjson.dumps(v).decode() for v in values], pa.string()
            )
    pq.write_table(
        pa.table(arrays) if arrays else pa.table({"time_ns": pa.array([], pa.int64())}), path
    )
    return len(rows)
