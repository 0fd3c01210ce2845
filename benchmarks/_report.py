"""Timing helpers and the side-by-side table `make bench` prints."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

Body = Callable[[Any], None]
"""A timed run over one fresh store (the store is made outside the timing)."""


def best_of(fn: Callable[[], object], *, repeat: int = 5, number: int = 1) -> float:
    """Best wall time of ``repeat`` runs of ``number`` calls, in seconds per call (GC paused)."""
    best = float("inf")
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            start = time.perf_counter()
            for _ in range(number):
                fn()
            best = min(best, (time.perf_counter() - start) / number)
    finally:
        if enabled:
            gc.enable()
    return best


def per_message(make: Callable[[], Any], body: Body, count: int, repeat: int) -> float:
    """Best of ``repeat`` runs of ``body(make())``, in seconds per message (GC paused)."""
    best = float("inf")
    for _ in range(repeat):
        store = make()
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            body(store)
            best = min(best, (time.perf_counter() - start) / count)
        finally:
            gc.enable()
    return best


def repeats(library: str) -> int:
    """Best-of runs: short topgun runs are repeated often, so one quiet window is enough."""
    return 3 if library == "pybotters" else 15


def interleaved(
    cases: dict[str, tuple[Callable[[], Any], Body]], count: int, repeat: int
) -> dict[str, float]:
    """Best seconds per message of each case, run in turns so that a machine busy with other
    work slows them alike."""
    best = dict.fromkeys(cases, float("inf"))
    for _ in range(repeat):
        for name, (make, body) in cases.items():
            best[name] = min(best[name], per_message(make, body, count, 1))
    return best


def against_floor(
    make: Callable[[], Any],
    body: Body,
    frames: Sequence[Any],
    parse: Callable[[Any], Any] = orjson.loads,
) -> tuple[float, float]:
    """Best seconds per message of ``body`` and of parsing ``frames`` alone, interleaved."""

    def parse_only(store: Any) -> None:
        for raw in frames:
            parse(raw)

    best = interleaved(
        {"body": (make, body), "floor": (make, parse_only)}, len(frames), repeats("topgun")
    )
    return best["body"], best["floor"]


@dataclass
class Row:
    group: str
    case: str
    seconds: dict[str, float]  # implementation name -> seconds per operation
    unit: str = "op"
    target: str = ""  # e.g. "topgun/pybotters >= 20x"


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)

    def add(
        self,
        group: str,
        case: str,
        seconds: dict[str, float],
        *,
        unit: str = "op",
        target: str = "",
    ) -> None:
        self.rows.append(Row(group, case, seconds, unit, target))
        cells = "  ".join(f"{name}={_fmt(value)}" for name, value in seconds.items())
        print(f"  {case}: {cells}", flush=True)

    def print(self) -> None:
        print("\n" + "=" * 100)
        print(
            f"{'benchmark':<52} {'topgun':>10} {'pybotters':>10} {'floor':>10} {'vs ref':>8} {'vs floor':>9}"
        )
        for row in self.rows:
            ours = row.seconds.get("topgun")
            ref = row.seconds.get("pybotters")
            floor = row.seconds.get("floor")
            vs_ref = f"{ref / ours:.1f}x" if ours and ref else "-"
            vs_floor = f"{ours / floor:.1f}x" if ours and floor else "-"
            line = (
                f"{row.group + ': ' + row.case:<52} {_fmt(ours):>10} {_fmt(ref):>10} {_fmt(floor):>10} "
                f"{vs_ref:>8} {vs_floor:>9}"
            )
            print(line + (f"   target {row.target}" if row.target else ""))
        print(
            "(times are per "
            + "/".join(sorted({r.unit for r in self.rows}))
            + "; 'vs ref' = pybotters/topgun, "
            "higher is better; 'vs floor' = topgun/floor, lower is better)"
        )


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f}µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f}ms"
    return f"{seconds:.2f}s"
