"""The Sphinx site builds cleanly: every warning is an error (-W), as in ``make docs``.

A fresh output directory each time, so no cached environment hides a warning in a page that did
not change. The build needs no network (no intersphinx in ``docs/conf.py``).
"""

from __future__ import annotations

import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.timeout(330)  # above the build's own 300 s limit, so its output is shown
def test_docs_build_without_warnings(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", "docs", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, (
        f"sphinx-build failed (exit {result.returncode})\n"
        f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    )


def test_docs_are_nitpicky_about_topgun_names() -> None:
    """Broken links to our own names fail the build: nothing suppresses them or ignores them."""
    conf = runpy.run_path(str(ROOT / "docs" / "conf.py"))
    assert conf["nitpicky"] is True
    assert not conf.get("suppress_warnings")
    assert not conf.get("nitpick_ignore")
    own = ["topgun", "topgun.Client", "topgun.store.Item", "topgun_okx.store.Books", "Handler"]
    for _kind, pattern in conf["nitpick_ignore_regex"]:
        matched = [name for name in own if re.fullmatch(pattern, name)]
        assert not matched, f"nitpick_ignore_regex {pattern!r} hides topgun names {matched}"
