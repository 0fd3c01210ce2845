"""Running a command the way the root tests do: text output captured, a hang bounded.

A failure names the command and shows both streams, so a red run on a loaded machine says why
without a rerun.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path


def run(
    command: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 300,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` to its end; with ``check``, fail the test unless it exits with 0
    (``check=False`` leaves the exit status for the caller to judge)."""
    done = subprocess.run(
        list(command),
        cwd=cwd,
        env=None if env is None else dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert not check or done.returncode == 0, (
        f"{' '.join(command)} exited with {done.returncode}\n"
        f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
    )
    return done
