"""What a bot pays before its first request: ``import topgun`` and the first ``Client()``.

Each sample is a fresh interpreter (an import is only ever paid once per process), with bytecode
caching on as a user has it, after one warm-up run that writes the caches. The first ``Client()``
builds the plugin registry, so it is measured with every plugin of the workspace installed; the
reference library has no registry, so its first ``Client()`` is the bare session it opens.
"""

from __future__ import annotations

import os
import subprocess
import sys

from ._report import Report

SAMPLES = 9

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
    report.add(
        "startup",
        "import (floor: import aiohttp)",
        {
            "topgun": _best(IMPORT.format(module="topgun")),
            "pybotters": _best(IMPORT.format(module="pybotters")),
            "floor": _best(IMPORT.format(module="aiohttp")),
        },
        target="topgun <= pybotters",
    )
    report.add(
        "startup",
        f"first Client(), {_plugin_count()} plugins installed",
        {
            "topgun": _best(FIRST_CLIENT.format(module="topgun")),
            "pybotters": _best(FIRST_CLIENT.format(module="pybotters")),
        },
        target="topgun <= 50 ms",
    )


def _best(code: str) -> float:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    samples = []
    for _ in range(SAMPLES + 1):  # the first run writes the bytecode caches; it is not counted
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env=env,
            check=True,
            timeout=60,
        )
        samples.append(float(done.stdout.split()[-1]))
    return min(samples[1:])


def _plugin_count() -> int:
    from importlib.metadata import entry_points

    return len(entry_points(group="topgun"))
