"""Timing helpers and the side-by-side table `make bench` prints."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field


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
