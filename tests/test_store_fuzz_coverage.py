"""Every exchange DataStore is fuzzed: its distribution's tests run ``topgun.testing.storefuzz``.

The fuzz kit proves a collection skips a malformed message whole (never half-applies it); this
test makes sure no registered DataStore escapes it. A new exchange store needs a test in its own
``tests/`` calling ``assert_store_fuzz`` with that class and sample messages from the docs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from topgun.registry import get_registry

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = get_registry()


def test_the_official_datastores_are_registered() -> None:
    assert REGISTRY.datastores, "no DataStore registered: is the workspace installed?"


@pytest.mark.parametrize("name", sorted(REGISTRY.datastores))
def test_each_registered_datastore_has_a_fuzz_test(name: str) -> None:
    distribution = REGISTRY.datastore_distribution(name)
    assert distribution is not None, name
    tests = ROOT / "topgun-exchanges" / distribution / "tests"
    call = re.compile(rf"assert_store_fuzz\(\s*{re.escape(name)}\b")
    fuzzed = [path for path in sorted(tests.glob("test_*.py")) if call.search(path.read_text())]
    assert fuzzed, (
        f"{name} ({distribution}) has no fuzz test: add one to {tests.relative_to(ROOT)} "
        f"calling topgun.testing.storefuzz.assert_store_fuzz({name}, SAMPLES)"
    )
