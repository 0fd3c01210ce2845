"""What a bot pays before its first request: ``import topgun`` and the first ``Client()``.

Each sample is a fresh interpreter (an import is only ever paid once per process), with bytecode
caching on as a user has it, after one warm-up run that writes the caches. The first ``Client()``
builds the plugin registry, so it is measured with every plugin of the workspace installed. The
reference library has no registry (its first ``Client()`` only opens a session, under 0.1 ms), so
that row has no reference column: its target is absolute.
"""

from __future__ import annotations

import os
import subprocess
import sys

from ._report import Report

SAMPLES = 15

IMPORT = """
import time
start = time.perf_counter()
import {module}
print(time.perf_counter() - start)
"""

FIRST_CLIENT = """
import asyncio, time
import {module}

async def main():
    start = time.perf_counter()
    client = {module}.Client()
    elapsed = time.perf_counter() - start
    await client.close()
    return elapsed

print(asyncio.run(main()))
"""


def run(report: Report) -> None:
    imports = _best(
        {name: IMPORT.format(module=name) for name in ("topgun", "pybotters", "aiohttp")}
    )
    report.add(
        "startup",
        "import (floor: import aiohttp)",
        {
            "topgun": imports["topgun"],
            "pybotters": imports["pybotters"],
            "floor": imports["aiohttp"],
        },
        target="topgun <= pybotters",
    )
    report.add(
        "startup",
        f"first Client(), {_plugin_count()} plugins installed",
        _best({"topgun": FIRST_CLIENT.format(module="topgun")}),
        target="topgun <= 50 ms",
    )


def _best(codes: dict[str, str]) -> dict[str, float]:
    """Best of SAMPLES fresh interpreters per case, taken in turns so machine load hits all alike."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    samples: dict[str, list[float]] = {name: [] for name in codes}
    for round_ in range(SAMPLES + 1):
        for name, code in codes.items():
            done = subprocess.run(
                [sys.executable, "-c", code],
                capture_output=True,
                text=True,
                env=env,
                check=True,
                timeout=60,
            )
            if round_:  # round 0 writes the bytecode caches; it is not counted
                samples[name].append(float(done.stdout.split()[-1]))
    return {name: min(values) for name, values in samples.items()}


def _plugin_count() -> int:
    from importlib.metadata import entry_points

    return len(entry_points(group="topgun"))
