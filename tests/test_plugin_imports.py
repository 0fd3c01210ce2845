"""Every official distribution imports core through its one surface (docs/plugins.rst).

Sources and tests alike may import from ``topgun.plugin``, ``topgun.testing`` and the public
top-level ``topgun`` names only (and star-import ``topgun.testing.fixtures`` in a conftest), so
core's inner modules can move without breaking a plugin. The walk reads the files with ``ast``.
"""

from __future__ import annotations

from pathlib import Path

import topgun.plugin
import topgun.testing
from topgun.testing import import_problems

ROOT = Path(__file__).resolve().parent.parent
DISTRIBUTIONS = sorted(path for path in (ROOT / "topgun-exchanges").iterdir() if path.is_dir())


def test_every_distribution_imports_core_through_the_surface_only() -> None:
    assert len(DISTRIBUTIONS) == 15
    folders = [dist / part for dist in DISTRIBUTIONS for part in ("src", "tests")]
    assert import_problems(folders, ROOT) == []


def test_the_walk_names_each_way_around_the_surface(tmp_path: Path) -> None:
    module = tmp_path / "mod.py"
    module.write_text(
        "import topgun\n"
        "import topgun.store\n"
        "from topgun.errors import SigningError\n"
        "from topgun.plugin import rsa\n"
        "from topgun.testing.fixtures import *\n"
        "from topgun.plugin import Credential, Host\n"
        "from topgun.testing import eventually\n"
        "from topgun import Client, FooDataStore\n"
        "def f() -> None:\n"
        "    from topgun.registry import build_registry\n"
        "x = topgun.Client, topgun.BarDataStore, topgun.registry\n"
    )
    problems = import_problems([tmp_path], tmp_path)
    assert [problem.split(":", 2)[1] for problem in problems] == ["2", "3", "4", "5", "10", "11"]
    assert "topgun.errors is not part of the plugin surface" in problems[1]
    assert "'rsa' is not in topgun.plugin.__all__" in problems[2]
    assert "in conftest.py only" in problems[3]
    assert "topgun.registry is not a public top-level name" in problems[5]
    (tmp_path / "mod.py").rename(tmp_path / "conftest.py")
    (tmp_path / "conftest.py").write_text("from topgun.testing.fixtures import *\n")
    assert import_problems([tmp_path], tmp_path) == []


def test_every_surface_name_resolves() -> None:
    # topgun.plugin loads the names it re-exports from elsewhere in core on first use: a name
    # whose home moved would fail only there, so each one is looked up here.
    for module in (topgun.plugin, topgun.testing):
        missing = [name for name in module.__all__ if not hasattr(module, name)]
        assert missing == [], f"{module.__name__} does not resolve {missing}"
