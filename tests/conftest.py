"""Fixtures for running what a newcomer runs: a fresh copy of the checkout, README commands.

Documentation commands are run literally, each ``sh`` block as one bash script, in an environment
stripped of this test run's own settings (its virtual environment, strict plugin mode).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from processes import run

ROOT = Path(__file__).resolve().parent.parent

Shell = Callable[[str, Path], str]


@pytest.fixture
def uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
    if not Path(found).exists():
        pytest.fail("uv is needed for this test; run it through `make test`, which bootstraps uv")
    return found


@pytest.fixture
def newcomer_env(uv: str) -> dict[str, str]:
    """This machine's environment less this run's own settings, with uv on PATH as if installed."""
    dropped = {"VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "SOURCE_DATE_EPOCH", "MAKEFLAGS", "MFLAGS"}
    env = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("TOPGUN_")}
    # Not this run's virtual environment (uv run puts it first); uv appended, so that where it was
    # bootstrapped into .tools/bin, the python there does not shadow the user's.
    ours = str(Path(sys.prefix) / "bin") if sys.prefix != sys.base_prefix else None
    path = [entry for entry in env.get("PATH", "").split(os.pathsep) if entry and entry != ours]
    env["PATH"] = os.pathsep.join([*path, str(Path(uv).parent)])
    return env


@pytest.fixture
def fresh_checkout(tmp_path: Path) -> Path:
    """The checkout as a fresh clone has it: tracked and new files, nothing ignored (no .venv)."""
    dest = tmp_path / "topgun"
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = ROOT / os.fsdecode(name)
        if source.is_file():  # a tracked file deleted in the working tree is not copied
            target = dest / os.fsdecode(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return dest


@pytest.fixture
def shell(newcomer_env: dict[str, str]) -> Shell:
    """Run a script with bash (stopping at the first failing command); return its stdout."""

    def bash(script: str, cwd: Path) -> str:
        return run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, env=newcomer_env).stdout

    return bash


def sh_blocks(markdown: str) -> list[str]:
    """The fenced ``sh`` blocks of a Markdown text, in order."""
    return re.findall(r"```sh\n(.*?)```", markdown, re.S)


@pytest.fixture(name="sh_blocks")
def sh_blocks_fixture() -> Callable[[str], list[str]]:
    return sh_blocks
