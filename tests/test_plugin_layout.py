"""Every official distribution has the declared layout (docs/plugins.rst, "The layout").

``topgun.testing.layout_problems`` checks the file set, the ``pyproject.toml`` fields, the test
file names, that ``plugin.py`` holds hook implementations and constants only, and that hosts, API
names and DataStores are declared where the layout says; it lists every departure at once. The
rendered template runs the same check in its own test (tests/test_template.py runs that).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from topgun.testing import layout_problems

ROOT = Path(__file__).resolve().parent.parent
DISTRIBUTIONS = sorted(path for path in (ROOT / "topgun-exchanges").iterdir() if path.is_dir())


def test_fifteen_official_distributions() -> None:
    assert len(DISTRIBUTIONS) == 15


@pytest.mark.parametrize("folder", DISTRIBUTIONS, ids=lambda folder: folder.name)
def test_distribution_has_the_declared_layout(folder: Path) -> None:
    assert layout_problems(folder) == []
