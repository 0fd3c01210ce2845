"""Installing the distributions into fresh virtual environments, as a user would.

With only topgun-core, bitFlyer requests go out unsigned and ``topgun.bitFlyerDataStore`` says
what to install; adding topgun-bitflyer makes the same code sign, and ``topgun exchanges`` lists it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from processes import run

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


def _venv_with(venv: Path, uv: str, env: dict[str, str], *packages: str) -> Path:
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


def _run(venv: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run(
        [str(venv / "bin" / args[0]), *args[1:]], cwd=venv, env=env, timeout=120, check=False
    )


@pytest.mark.timeout(600)  # fresh venvs and package installs: slow on a loaded machine
def test_core_alone_then_with_bitflyer(
    tmp_path: Path, uv: str, newcomer_env: dict[str, str]
) -> None:
    env = newcomer_env
    core_only = _venv_with(tmp_path / "core-only", uv, env, "./topgun-core[testing]")
    probe = _run(core_only, env, "python", "-c", PROBE)
    assert probe.returncode == 0, probe.stderr
    assert "UNSIGNED" in probe.stdout
    assert "no installed topgun plugin registers a DataStore of that name" in probe.stdout
    assert "register: none." in probe.stdout
    listing = _run(core_only, env, "topgun", "exchanges")
    assert "no exchange plugins installed" in listing.stdout

    with_bitflyer = _venv_with(
        tmp_path / "with-bitflyer",
        uv,
        env,
        "./topgun-core[testing]",
        "./topgun-exchanges/topgun-bitflyer",
    )
    probe = _run(with_bitflyer, env, "python", "-c", PROBE)
    assert probe.returncode == 0, probe.stderr
    assert "SIGNED" in probe.stdout.split()
    listing = _run(with_bitflyer, env, "topgun", "exchanges")
    assert listing.returncode == 0, listing.stdout + listing.stderr
    assert "topgun-bitflyer" in listing.stdout and "api.bitflyer.com" in listing.stdout
