"""Run every benchmark module in this package (or the ones named on the command line).

Each module exposes ``run(report: Report) -> None`` (sync; modules that need a loop call
``asyncio.run`` themselves) and adds rows to the shared report, which prints as one table.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path

from ._report import Report


def main(argv: list[str]) -> int:
    wanted = set(argv)
    names = sorted(
        m.name
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if not m.name.startswith("_") and (not wanted or m.name in wanted)
    )
    report = Report()
    started = time.perf_counter()
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"== {name}", flush=True)
        module.run(report)
    report.print()
    print(f"\n(total {time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
