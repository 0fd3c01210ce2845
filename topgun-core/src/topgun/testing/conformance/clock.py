"""``ClockSuite``: the clock checks of ``topgun.testing.timekeeping``, run on a plugin's scenario."""

from __future__ import annotations

from typing import ClassVar

import pytest

from ...registry import Registry
from ..timekeeping import CLOCK_CHECKS, ClockCheck, ClockScenario

__all__ = ["ClockSuite"]


class ClockSuite:
    """Subclass it as ``Test<Exchange>Clock`` with ``scenario`` set to the exchange's
    ``ClockScenario``; pytest then runs every one of ``CLOCK_CHECKS`` on it."""

    scenario: ClassVar[ClockScenario]

    @pytest.mark.parametrize("check", CLOCK_CHECKS, ids=lambda check: check.__name__)
    async def test_clock(self, check: ClockCheck, registry: Registry) -> None:
        await check(self.scenario, registry)
