"""`make demo` shows the demo and nothing else: no toolchain install, no package noise."""

from __future__ import annotations

from pathlib import Path

import pytest
from processes import run

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import importlib.metadata as m; print(sorted(d.metadata['Name'] for d in m.distributions()))"
)


@pytest.mark.timeout(600)  # fresh venvs and package installs: slow on a loaded machine
def test_make_demo_prints_only_the_demo(newcomer_env: dict[str, str]) -> None:
    done = run(["make", "--no-print-directory", "demo"], cwd=ROOT, env=newcomer_env)
    assert done.stdout.startswith("Embedded bitFlyer-like exchange listening on 127.0.0.1:")
    assert "Demo finished:" in done.stdout
    # uv reports on stderr ("Resolved 30 packages", "Installed 22 packages", " + aiohttp==...");
    # the demo's own stderr is its log (the simulated server restart it survives).
    noise = ("Resolved ", "Prepared ", "Installed ", "Audited ", "Built ", "Downloading", " + ")
    assert not [line for line in done.stderr.splitlines() if line.startswith(noise)]
    assert "closed by the server (code 1012: server restart)" in done.stderr


def test_the_demo_environment_holds_only_what_the_demo_needs(
    uv: str, newcomer_env: dict[str, str]
) -> None:
    # The same command the Makefile runs, asked what it installed.
    listed = run(
        [uv, "run", "--locked", "--isolated", "--only-group", "demo", "-q", "python", "-c", PROBE],
        cwd=ROOT,
        env=newcomer_env,
    ).stdout
    for needed in ("topgun-core", "topgun-bitflyer", "trustme", "aiohttp"):
        assert f"'{needed}'" in listed
    for tool in ("pytest", "mypy", "ruff", "sphinx", "twine", "hyperliquid-python-sdk"):
        assert f"'{tool}'" not in listed
    assert "'topgun-okx'" not in listed  # one exchange is all the demo talks to
