"""``client.clock.offset`` takes finite numbers only: NaN or an infinity would otherwise surface
as a raw ValueError deep inside some exchange's signer, on every request."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import pytest

import topgun
from topgun.registry import Registry
from topgun.testing import HttpExchange


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, float("nan")])
def test_a_non_finite_offset_is_refused_when_set(value: float) -> None:
    clock = topgun.Clock(1.5)
    with pytest.raises(ValueError, match="clock offset must be a finite number of seconds"):
        clock.offset = value
    assert clock.offset == 1.5  # unchanged
    with pytest.raises(ValueError, match="finite"):
        topgun.Clock(value)
    with pytest.raises(ValueError, match="finite"):
        clock.sync_to(value)


@pytest.mark.parametrize("value", ["5", None, True, b"1", [1.0]])
def test_a_non_number_offset_is_refused(value: Any) -> None:
    clock = topgun.Clock()
    with pytest.raises(TypeError, match="clock offset must be a number of seconds"):
        clock.offset = value
    assert clock.offset == 0.0


def test_numbers_of_any_real_kind_are_taken_as_float_seconds() -> None:
    clock = topgun.FixedClock(1700000000.0)
    clock.offset = 2
    assert clock.offset == 2.0 and isinstance(clock.offset, float)
    clock.offset = Fraction(1, 4)
    assert clock.time_ms() == 1700000000250
    with pytest.raises(ValueError, match="FixedClock time"):
        topgun.FixedClock(math.nan)


async def test_a_refused_offset_leaves_signing_working(
    toy_client: Any, toy_exchange: HttpExchange, toy_registry: Registry, toy_apis: Any
) -> None:
    async with toy_client() as client:
        client.clock.offset = 0.25
        with pytest.raises(ValueError, match="finite"):
            client.clock.offset = math.nan
        result = await client.fetch("GET", "https://api.toy.test/v1/balance")
    assert result.data["verified"] is True
    assert client.clock.offset == 0.25
