"""Installing the distributions into fresh virtual environments, as a user would.

With only topgun-core, bitFlyer requests go out unsigned and ``topgun.bitFlyerDataStore`` says
what to install; adding topgun-bitflyer makes the same code sign, and ``topgun exchanges`` lists it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROBE = r"""
import asyncio, sys
from aiohttp import web
import topgun
from topgun.testing import LocalExchange

seen = []

async def handle(request):
    seen.append(dict(request.headers))
    return web.json_response({"ok": True})

async def main():
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    async with LocalExchange(app, ["api.bitflyer.com"]) as server:
        async with topgun.Client(apis={"bitflyer": ["K", "S"]}, connector=server.connector()) as client:
            await client.fetch("GET", "https://api.bitflyer.com/v1/me/getbalance")
    print("SIGNED" if "ACCESS-SIGN" in seen[0] else "UNSIGNED")
    try:
        topgun.bitFlyerDataStore
    except AttributeError as exc:
        print("HINT:", exc)

asyncio.run(main())
"""


def _uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
    if not Path(found).exists():
        pytest.fail("uv is needed for this test; run it through `make test`, which bootstraps uv")
    return found


def _venv_with(tmp_path: Path, name: str, *packages: str) -> Path:
    venv = tmp_path / name
    uv = _uv()
    env = {
        k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT"}
    }
    subprocess.run(
        [uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True, env=env, timeout=120
    )
    subprocess.run(
        [uv, "pip", "install", "-q", "--python", str(venv / "bin" / "python"), *packages],
        check=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )
    return venv


def _run(venv: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOPGUN_")}
    return subprocess.run(
        [str(venv / "bin" / args[0]), *args[1:]],
        capture_output=True,
        text=True,
        env=env,
        cwd=venv,
        timeout=120,
        check=False,
    )


def test_core_alone_then_with_bitflyer(tmp_path: Path) -> None:
    core_only = _venv_with(tmp_path, "core-only", "./topgun-core[testing]")
    probe = _run(core_only, "python", "-c", PROBE)
    assert probe.returncode == 0, probe.stderr
    assert "UNSIGNED" in probe.stdout
    assert "no installed topgun plugin registers a DataStore of that name" in probe.stdout
    assert "register: none." in probe.stdout
    listing = _run(core_only, "topgun", "exchanges")
    assert "no exchange plugins installed" in listing.stdout

    with_bitflyer = _venv_with(
        tmp_path, "with-bitflyer", "./topgun-core[testing]", "./topgun-exchanges/topgun-bitflyer"
    )
    probe = _run(with_bitflyer, "python", "-c", PROBE)
    assert probe.returncode == 0, probe.stderr
    assert "SIGNED" in probe.stdout.split()
    listing = _run(with_bitflyer, "topgun", "exchanges")
    assert listing.returncode == 0, listing.stdout + listing.stderr
    assert "topgun-bitflyer" in listing.stdout and "api.bitflyer.com" in listing.stdout
