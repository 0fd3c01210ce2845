"""BybitDataStore applies a message whole or not at all, under ``topgun.testing.storefuzz``:
thousands of mutations (types swapped; booleans, NaN, infinities for values; keys dropped;
containers swapped) of one docs-shaped message per topic (conftest's samples and their URLs)."""

from __future__ import annotations

from typing import Any

from topgun.testing import assert_store_fuzz
from topgun_bybit import BybitDataStore


def test_fuzz_bybit_datastore(all_samples: list[Any]) -> None:
    report = assert_store_fuzz(BybitDataStore, all_samples, rounds=3000, seed=12)
    assert report.skipped > 300 and report.applied > 300  # both paths were exercised
