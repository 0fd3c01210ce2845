"""`make demo` shows the demo and nothing else: no toolchain install, no package noise."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import importlib.metadata as m; print(sorted(d.metadata['Name'] for d in m.distributions()))"
)


def _env() -> dict[str, str]:
    uv = os.environ.get("UV") or shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
    if not Path(uv).exists():
        pytest.fail("uv is needed for this test; run it through `make test`, which bootstraps uv")
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "MAKEFLAGS", "MFLAGS"}}
    env["PATH"] = f"{Path(uv).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def test_make_demo_prints_only_the_demo() -> None:
    done = subprocess.run(
        ["make", "--no-print-directory", "demo"],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Embedded bitFlyer-like exchange listening on 127.0.0.1:")
    assert "Demo finished:" in done.stdout
    # uv reports on stderr ("Resolved 30 packages", "Installed 22 packages", " + aiohttp==...");
    # the demo's own stderr is its log (the simulated server restart it survives).
    noise = ("Resolved ", "Prepared ", "Installed ", "Audited ", "Built ", "Downloading", " + ")
    assert not [line for line in done.stderr.splitlines() if line.startswith(noise)]
    assert "closed by the server (code 1012: server restart)" in done.stderr


def test_the_demo_environment_holds_only_what_the_demo_needs() -> None:
    # The same command the Makefile runs, asked what it installed.
    uv = shutil.which("uv", path=_env()["PATH"])
    assert uv is not None
    listed = subprocess.run(
        [uv, "run", "--locked", "--isolated", "--only-group", "demo", "-q", "python", "-c", PROBE],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    for needed in ("topgun-core", "topgun-bitflyer", "trustme", "aiohttp"):
        assert f"'{needed}'" in listed
    for tool in ("pytest", "mypy", "ruff", "sphinx", "twine", "hyperliquid-python-sdk"):
        assert f"'{tool}'" not in listed
    assert "'topgun-okx'" not in listed  # one exchange is all the demo talks to
