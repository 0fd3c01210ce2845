"""Both Bitget DataStores through core's store fuzz kit (``topgun.testing.storefuzz``): thousands
of mutated docs-shaped messages never raise out of ``onmessage`` and never half-apply.

Samples (test_bitget_samples.py) are the docs' push samples the store tests use too, a book
snapshot + update with seq/pseq and checksum included.
"""

from __future__ import annotations

from topgun.testing import assert_store_fuzz
from topgun_bitget import BitgetDataStore, BitgetV2DataStore

from .test_bitget_samples import V1_SAMPLES, V2_SAMPLES


def test_v2_fuzz() -> None:
    assert_store_fuzz(BitgetV2DataStore, V2_SAMPLES)


def test_v1_fuzz() -> None:
    assert_store_fuzz(BitgetDataStore, V1_SAMPLES)
