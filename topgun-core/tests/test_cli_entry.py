"""Starting the ``topgun`` command: a bare call explains itself, ``python -m topgun`` works too."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata

import pytest

import topgun
from topgun.cli import main


def test_bare_command_prints_help_and_succeeds(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: topgun")
    assert "exchanges" in out and "list installed exchange plugins" in out


def test_python_dash_m_runs_the_same_command() -> None:
    bare = subprocess.run(
        [sys.executable, "-m", "topgun"], capture_output=True, text=True, timeout=60, check=False
    )
    assert bare.returncode == 0, bare.stderr
    assert "usage: topgun" in bare.stdout and "exchanges" in bare.stdout
    version = subprocess.run(
        [sys.executable, "-m", "topgun", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert version.returncode == 0
    assert version.stdout.strip() == f"topgun-core {topgun.__version__}"


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["exchange"])
    assert exited.value.code == 2
    assert "invalid choice: 'exchange'" in capsys.readouterr().err


def test_version_is_the_installed_distributions() -> None:
    # _version.py is the single source the build reads; an install must report the same.
    assert topgun.__version__ == metadata.version("topgun-core")
