"""KuCoinDataStore through ``topgun.testing.storefuzz``: thousands of mutated docs-shaped messages
never raise out of ``onmessage`` and a skipped one never changes a store."""

from __future__ import annotations

from topgun.testing import assert_store_fuzz
from topgun_kucoin.store import KuCoinDataStore

from .test_kucoin_samples import SAMPLES


def test_fuzz() -> None:
    assert_store_fuzz(KuCoinDataStore, SAMPLES)
