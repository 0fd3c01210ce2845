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


def test_the_check_names_each_departure(tmp_path: Path) -> None:
    folder = tmp_path / "topgun-bitflyer"
    shutil.copytree(
        ROOT / "topgun-exchanges" / "topgun-bitflyer",
        folder,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    package = folder / "src" / "topgun_bitflyer"
    (package / "py.typed").unlink()
    with (package / "plugin.py").open("a") as plugin:
        plugin.write("\n\ndef helper() -> None:\n    pass\n\n\nlowercase = 1\n")
    with (package / "auth.py").open("a") as auth:
        auth.write(
            "\n\nfrom topgun.plugin import DataStore, Host\n\n\n"
            "class Extra(DataStore):\n    pass\n\n\nSTRAY = Host('x.example')\n"
        )
    (folder / "tests" / "test_bitflyer_ws.py").rename(folder / "tests" / "ws_checks.py")
    pyproject = folder / "pyproject.toml"
    text = pyproject.read_text().replace(
        'dependencies = ["topgun-core>=0.1.0"]',
        'dependencies = ["topgun-core>=0.1.0", "cryptography>=42"]',
    )
    pyproject.write_text(
        text.replace('bitflyer = "topgun_bitflyer.plugin"', 'bitflyer = "topgun_bitflyer"')
    )

    problems = "\n".join(layout_problems(folder, registration=False))
    for expected in (
        "src/topgun_bitflyer/py.typed is missing",
        "helper: plugin.py holds hook implementations",
        "lowercase: plugin.py holds UPPER_CASE constants only",
        "Host(...) is built in plugin.py only",
        "Extra is a DataStore class; it belongs in store",
        "tests/test_bitflyer_ws.py is missing",
        "tests/ws_checks.py: test modules are named test_bitflyer_<topic>.py",
        "cryptography goes in the optional extra rsa",
        '[project.entry-points.topgun] must be exactly bitflyer = "topgun_bitflyer.plugin"',
    ):
        assert expected in problems
    assert len(problems.splitlines()) == 9, problems
