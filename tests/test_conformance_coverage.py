"""Every official exchange distribution, and the plugin template, runs the conformance suite.

``topgun.testing.conformance`` checks the contract of a distribution (hosts, signing against the
exchange's documented vectors, credential-free requests, secrets, logins, keep-alive and pacing,
DataStores); this test makes sure none escapes it: each has ``tests/test_<slug>_plugin.py`` with a
``ConformanceSuite`` subclass describing that very plugin, and its vectors in
``tests/vectors/<slug>.json``.
"""

from __future__ import annotations

import ast
import runpy
from pathlib import Path

import pytest

from topgun.testing.conformance import load_vectors

ROOT = Path(__file__).resolve().parent.parent
DISTRIBUTIONS = sorted(path for path in (ROOT / "topgun-exchanges").iterdir() if path.is_dir())


def _suites(source: str) -> list[ast.ClassDef]:
    tree = ast.parse(source)
    return [
        node
        for node in tree.body
        if isinstance(node, ast.ClassDef)
        and any(isinstance(base, ast.Name) and base.id == "ConformanceSuite" for base in node.bases)
    ]


def test_every_official_distribution_is_found() -> None:
    assert len(DISTRIBUTIONS) == 15, [path.name for path in DISTRIBUTIONS]


@pytest.mark.parametrize("distribution", DISTRIBUTIONS, ids=lambda path: path.name)
def test_the_distribution_runs_the_suite_on_its_own_plugin(distribution: Path) -> None:
    slug = distribution.name.removeprefix("topgun-")
    tests = distribution / "tests"
    plugin_tests = tests / f"test_{slug}_plugin.py"
    assert plugin_tests.is_file(), f"add {plugin_tests.relative_to(ROOT)} running the suite"
    source = plugin_tests.read_text()
    (suite,) = _suites(source)
    assert suite.name.startswith("Test"), suite.name  # so that pytest collects it
    assert f"from topgun_{slug} import" in source and "plugin" in source
    vectors = load_vectors(tests / "vectors" / f"{slug}.json")
    assert vectors, f"{slug}: the vector file holds no case"


def test_the_template_renders_a_plugin_that_runs_the_suite(tmp_path: Path) -> None:
    """Rendered, the template's plugin test runs the suite (test_template.py runs it for real)."""
    render = runpy.run_path(str(ROOT / "plugins-template" / "render.py"))["render"]
    render("foo", "Foo", "api.foo.example", tmp_path / "topgun-foo")
    tests = tmp_path / "topgun-foo" / "tests"
    (suite,) = _suites((tests / "test_foo_plugin.py").read_text())
    assert suite.name.startswith("Test")
    assert load_vectors(tests / "vectors" / "foo.json")
