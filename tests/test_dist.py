"""The README's "Install from this repository" works as written, on a copy of the checkout.

The copy stands for a fresh clone: the README's commands run there literally (``make dist``, a new
virtual environment, pip installing the built wheels), then a bot's first signed bitFlyer request
goes to a local server that checks the signature, and the meta-distribution brings every exchange.
Every built file passes ``twine check --strict`` (what PyPI checks), and building again gives
byte-identical files.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from processes import run

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Install from this repository"

PROBE = r"""
import asyncio, hashlib, hmac
from aiohttp import web
import topgun
from topgun.testing import LocalExchange

verdicts = []

async def handle(request):
    # bitFlyer: ACCESS-SIGN = hex HMAC-SHA256(secret, timestamp + method + path with query + body)
    # (https://lightning.bitflyer.com/docs?lang=en#authentication)
    body = await request.text()
    text = request.headers["ACCESS-TIMESTAMP"] + request.method + request.path_qs + body
    expected = hmac.new(b"SECRET", text.encode(), hashlib.sha256).hexdigest()
    verdicts.append(hmac.compare_digest(expected, request.headers["ACCESS-SIGN"]))
    return web.json_response([{"currency_code": "JPY", "amount": 1000.0, "available": 1000.0}])

async def main():
    app = web.Application()
    app.router.add_get("/v1/me/getbalance", handle)
    async with LocalExchange(app, ["api.bitflyer.com"]) as server:
        apis = {"bitflyer": ["KEY", "SECRET"]}
        async with topgun.Client(apis=apis, connector=server.connector()) as client:
            result = await client.fetch("GET", "https://api.bitflyer.com/v1/me/getbalance")
    print("signature verified" if verdicts == [True] else f"signature refused: {verdicts}")
    print("balance", result.data[0]["amount"])

asyncio.run(main())
"""


def _readme_commands(sh_blocks: Callable[[str], list[str]]) -> list[str]:
    """The ``sh`` blocks of the README's install section, up to the PyPI ones."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split(SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = sh_blocks(section.split("Once the distributions are published", 1)[0])
    assert len(blocks) == 2, "expected the per-exchange block and the meta-distribution block"
    return blocks


def _start(
    command: list[str], env: dict[str, str], cwd: Path | None = None
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _distributions() -> set[str]:
    """Every distribution of the repository, as wheel and sdist file names spell it."""
    pyprojects = [
        ROOT / "pyproject.toml",
        ROOT / "topgun-core" / "pyproject.toml",
        *sorted((ROOT / "topgun-exchanges").glob("*/pyproject.toml")),
    ]
    return {tomllib.loads(p.read_text())["project"]["name"].replace("-", "_") for p in pyprojects}


@pytest.mark.timeout(600)  # fresh venvs and package installs: slow on a loaded machine
def test_readme_install_from_this_repository(
    tmp_path: Path,
    fresh_checkout: Path,
    uv: str,
    newcomer_env: dict[str, str],
    shell: Callable[[str, Path], str],
    sh_blocks: Callable[[str], list[str]],
) -> None:
    checkout, env = fresh_checkout, newcomer_env
    per_exchange, meta = _readme_commands(sh_blocks)

    listing = shell(per_exchange, checkout)
    assert "bitflyer  (topgun-bitflyer 0.1.0)" in listing
    assert "okx  (" not in listing  # only what was asked for

    dist = checkout / "dist"
    built = sorted(dist.iterdir())
    names = {re.split(r"-\d", f.name, maxsplit=1)[0] for f in built}
    assert names == _distributions()
    assert len(built) == 2 * len(names)  # one wheel and one sdist each
    assert len(names) == 17  # topgun, topgun-core and the 15 exchanges
    # While the bot's checks run: what PyPI would check, and a second build of the same sources
    # (core alone, to keep this quick), which must give the same bytes.
    again = tmp_path / "again"
    check = [sys.executable, "-m", "twine", "check", "--strict", *map(str, built)]
    build = [uv, "build", "--package", "topgun-core", "--no-create-gitignore", "-o", f"{again}"]
    epoch = {**env, "SOURCE_DATE_EPOCH": "315532800"}  # the Makefile's value where there is no git
    with _start(check, env) as twine, _start(build, epoch, cwd=checkout) as rebuild:
        _bot_checks(tmp_path, checkout, env, shell, meta)
        out, err = twine.communicate(timeout=300)
        assert twine.returncode == 0, out + err
        out, err = rebuild.communicate(timeout=300)
        assert rebuild.returncode == 0, out + err
    rebuilt = sorted(again.iterdir())
    assert [f.name for f in rebuilt] == sorted(f.name for f in built if "topgun_core" in f.name)
    for file in rebuilt:
        assert file.read_bytes() == (dist / file.name).read_bytes(), f"{file.name} differs"


def _bot_checks(
    tmp_path: Path,
    checkout: Path,
    env: dict[str, str],
    shell: Callable[[str, Path], str],
    meta: str,
) -> None:
    """A signed request from the bitFlyer-only install, then the meta-distribution's install."""
    python = tmp_path / "bot-venv" / "bin" / "python"  # the README's ../bot-venv
    # The local exchange serves TLS under bitFlyer's hostname with a throwaway CA, made by trustme
    # (topgun-core's `testing` extra): the probe needs it, a bot does not.
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "trustme"],
        env=env,
        capture_output=True,
        timeout=300,
        check=True,
    )
    probe = run([str(python), "-c", PROBE], cwd=tmp_path, env=env, timeout=60)
    assert "signature verified" in probe.stdout and "balance 1000.0" in probe.stdout

    everything = shell(f". ../bot-venv/bin/activate\n{meta}topgun exchanges\n", checkout)
    installed = set(re.findall(r"^(\w+)  \(topgun-\w+ 0\.1\.0\)$", everything, re.M))
    exchanges = {p.name.removeprefix("topgun-") for p in (ROOT / "topgun-exchanges").iterdir()}
    assert installed == exchanges and len(installed) == 15
    assert "FAILED TO LOAD" not in everything
