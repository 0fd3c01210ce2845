"""The verified-book kit (topgun.testing.books) on both made-up feeds, offline and end to end.

End to end means ``client.ws_connect`` against a local exchange on 127.0.0.1 (TLS, real
sockets): it answers the store's re-subscribe with a snapshot, or serves the REST snapshot.
"""

from __future__ import annotations

import pytest

from topgun.testing.books import (
    BookAdapter,
    check_before_snapshot,
    check_clean_stream,
    check_corrupted_level,
    check_dropped_diff,
    check_duplicates,
    check_recovery,
)

ADAPTERS = ["checksum_adapter", "rest_adapter"]


@pytest.fixture(params=ADAPTERS)
def adapter(request: pytest.FixtureRequest) -> BookAdapter:
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


@pytest.mark.parametrize("seed", range(4))
def test_a_clean_stream_equals_the_model(adapter: BookAdapter, seed: int) -> None:
    check_clean_stream(adapter, steps=300, seed=seed)


def test_nothing_is_served_before_the_first_snapshot(adapter: BookAdapter) -> None:
    check_before_snapshot(adapter)


def test_a_dropped_diff_is_detected_at_the_next_message(adapter: BookAdapter) -> None:
    assert adapter.detects_loss
    check_dropped_diff(adapter)


def test_a_corrupted_level_is_caught_by_the_checksum(checksum_adapter: BookAdapter) -> None:
    check_corrupted_level(checksum_adapter)


def test_duplicates_and_stale_diffs_change_nothing(adapter: BookAdapter) -> None:
    check_duplicates(adapter)


async def test_recovery_end_to_end(adapter: BookAdapter) -> None:
    await check_recovery(adapter)
