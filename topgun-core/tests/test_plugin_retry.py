"""``topgun.plugin.Retry``: capped exponential backoff with jitter for a plugin's HTTP retries."""

from __future__ import annotations

import pytest

from topgun.plugin import Retry


def test_delays_grow_to_the_cap_with_jitter() -> None:
    retry = Retry(first=1.0, cap=60.0, factor=2.0)
    assert retry.delay(0) == 0.0  # nothing failed yet
    assert [retry.delay(n, rand=lambda: 1.0) for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert retry.delay(3, rand=lambda: 0.0) == 2.0  # the jitter takes at most half off
    assert retry.delay(10_000, rand=lambda: 1.0) == 60.0  # no overflow on a long outage


@pytest.mark.parametrize("options", [{"first": 0.0}, {"first": 2.0, "cap": 1.0}, {"factor": 0.5}])
def test_nonsense_is_refused(options: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="Retry needs 0 < first <= cap and factor >= 1"):
        Retry(**options)
