"""`make demo` runs its sample bot against the embedded simulator and exits 0."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from processes import run

ROOT = Path(__file__).resolve().parent.parent


def test_demo_runs_and_explains_itself() -> None:
    done = run([sys.executable, "-m", "demo"], cwd=ROOT, timeout=60)
    assert "2 signed requests accepted, 1 forged request refused" in done.stdout
    assert "Invalid signature" in done.stdout
    # The realtime part: logged in, subscribed, survived the simulated restart.
    assert "logged in and subscribed (state: ready)" in done.stdout
    assert "reconnected and logged in again (reconnection 1); resubscribing" in done.stdout
    assert done.stdout.count("<- subscription 2: true") == 2
    assert "realtime: 2 logins verified, 1 disconnect survived" in done.stdout
    # The recorded feed, replayed into bitFlyerDataStore with its reconnection (no secret in it).
    assert re.search(r"replayed \d+ messages \(\d+ frames, 0 not JSON\), 1 reconnects", done.stdout)
    assert re.search(r"\n     ticker +1 items\n", done.stdout)
    assert "the feed recorded and replayed" in done.stdout
    assert "Traceback" not in done.stderr
