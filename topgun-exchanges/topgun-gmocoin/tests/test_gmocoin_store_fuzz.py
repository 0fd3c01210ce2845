"""GMOCoinDataStore through the store fuzz kit: malformed messages are skipped whole.

Samples are the docs' examples (https://api.coin.z.com/docs/), shared with the store tests in
test_gmocoin_samples.py.
"""

from __future__ import annotations

from topgun.testing import assert_store_fuzz
from topgun_gmocoin.store import GMOCoinDataStore

from .test_gmocoin_samples import SAMPLES


def test_fuzz() -> None:
    assert_store_fuzz(GMOCoinDataStore, SAMPLES)
