"""The seeded random walk of a ~1,000-level-per-side book that the tick-priced book benchmarks
(Binance, Bybit, Bitget, KuCoin) write in their exchange's shape.

Prices are integer ticks of 0.1 (``price(tick)`` writes them as the exchanges do), sizes are
strings made by the caller's ``size(rng)``. Every change keeps the book uncrossed, so a store that
verifies the feed must stay in sync all the way. All randomness comes from the one ``rng``, so a
seed gives the same stream on every run (and the same as before this module existed).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

DEPTH = 1_000
"""Levels per side of the walked book."""
MESSAGES = 3_000
"""Messages per generated stream."""
SEED = 20261208
"""The walk's seed: the same stream on every run, for every library."""
SIDES = ("asks", "bids")
Sizer = Callable[[random.Random], str]
"""Draws one level's size, as the exchange writes it, from the walk's random source."""
Changes = dict[str, dict[int, str]]
"""Per side (``"asks"``/``"bids"``), tick -> new size (the caller's ``removed`` when deleted)."""


def price(tick: int) -> str:
    return f"{tick // 10}.{tick % 10}"


class TickBook:
    """The true book a generator walks; what it sends is derived from its changes."""

    depth = DEPTH

    def __init__(self, rng: random.Random, size: Sizer, *, step: int, first_bid: int) -> None:
        self.rng = rng
        self._make_size = size
        self.asks: dict[int, str] = {}
        self.bids: dict[int, str] = {}
        tick = 950_000  # 95,000.0
        for _ in range(self.depth):
            tick += rng.randint(1, step)
            self.asks[tick] = self.size()
        tick = first_bid
        for _ in range(self.depth):
            self.bids[tick] = self.size()
            tick -= rng.randint(1, step)

    def size(self) -> str:
        return self._make_size(self.rng)

    def side(self, name: str) -> dict[int, str]:
        return self.asks if name == "asks" else self.bids

    def rows(self, name: str, limit: int | None = None) -> list[list[str]]:
        """``[price, size]`` rows of one side, best first."""
        side = self.side(name)
        ticks = sorted(side, reverse=name == "bids")[:limit]
        return [[price(t), side[t]] for t in ticks]

    def sides(self) -> dict[str, list[list[str]]]:
        """The whole book as ``{"bids": rows, "asks": rows}``, best first (a REST snapshot)."""
        return {"bids": self.rows("bids"), "asks": self.rows("asks")}

    def pick(self, name: str) -> tuple[list[int], int]:
        """The 60 best ticks of a side, and an index into them skewed towards the best."""
        near = sorted(self.side(name), reverse=name == "bids")[:60]
        return near, min(int(self.rng.expovariate(1 / 8)), len(near) - 1)

    def draw(self) -> tuple[str, list[int], int]:
        """Where the next change goes: a side, its 60 best ticks, and an index into them."""
        name = self.rng.choice(SIDES)
        near, index = self.pick(name)
        return name, near, index

    def free_near(self, name: str, near: int) -> int:
        """A free tick a few ticks from ``near``, never crossing the other side."""
        best_ask, best_bid = min(self.asks), max(self.bids)
        side = self.side(name)
        for _ in range(50):
            tick = near + self.rng.randint(-4, 4)
            if tick not in side and (tick > best_bid if name == "asks" else tick < best_ask):
                return tick
        return max(side) + 1 if name == "asks" else min(side) - 1

    def free_behind_best(self, name: str, index: int) -> int:
        """A free tick up to ``index * 4 + 4`` ticks behind the side's best, never crossing."""
        ask, bid = min(self.asks), max(self.bids)
        side = self.side(name)
        for _ in range(50):
            step = self.rng.randint(0, index * 4 + 4)
            tick = ask + step if name == "asks" else bid - step
            if tick not in side:  # never crosses: asks at or above the best ask, bids below
                return tick
        return (max(side) + 1) if name == "asks" else (min(side) - 1)

    def trade_through(self, changes: Changes, removed: str) -> None:
        """Sometimes the market trades away the best level of one side."""
        if self.rng.random() < 0.08:
            name = self.rng.choice(SIDES)
            side = self.side(name)
            best = min(side) if name == "asks" else max(side)
            del side[best]
            changes[name][best] = removed

    def trades(self, sides: tuple[str, str]) -> list[tuple[str, str, str]]:
        """1-4 trades at the best prices as ``(side, price, size)``; ``sides`` is (buy, sell)."""
        done = []
        for _ in range(self.rng.randint(1, 4)):
            side = self.rng.choice(sides)
            tick = min(self.asks) if side == sides[0] else max(self.bids)
            done.append((side, price(tick), self.size()))
        return done

    def walk(self, removed: str) -> Changes:
        """One step of 1-20 changes near the best (size changes, deletions while the side is
        deep enough, new levels behind the best), then maybe a trade through the best."""
        rng = self.rng
        changes: Changes = {"asks": {}, "bids": {}}
        for _ in range(rng.randint(1, 20)):
            name, near, index = self.draw()
            side = self.side(name)
            roll = rng.random()
            if roll < 0.55:
                tick = near[index]
            elif roll < 0.8 and len(side) > self.depth * 0.9:
                tick = near[index]
                del side[tick]
                changes[name][tick] = removed
                continue
            else:
                tick = self.free_behind_best(name, index)
            side[tick] = changes[name][tick] = self.size()
        self.trade_through(changes, removed)
        return changes

    @staticmethod
    def changed_rows(changes: Changes, name: str) -> list[list[str]]:
        return [[price(t), s] for t, s in changes[name].items()]


class PriceBook:
    """The bitFlyer-priced walk (yen prices 1-20 apart, float sizes) the other book benchmarks
    write in their exchange's shape: ``levels()`` is the whole book, ``step()`` one change of it,
    both as bitFlyer board messages (``{"mid_price", "bids", "asks"}`` of ``{price, size}``)."""

    def __init__(self, rng: random.Random, depth: int = DEPTH) -> None:
        self.rng = rng
        self.asks: dict[float, float] = {}
        self.bids: dict[float, float] = {}
        price = 15_000_000.0
        for _ in range(depth):
            price += rng.randint(1, 20)
            self.asks[price] = self.size()
        price = 15_000_000.0
        for _ in range(depth):
            self.bids[price] = self.size()
            price -= rng.randint(1, 20)
        self.depth = depth

    def size(self) -> float:
        return round(
            self.rng.choice((0.01, 0.02, 0.05, 0.1, 0.3, 1.0)) * self.rng.randint(1, 20), 8
        )

    def best(self) -> tuple[float, float]:
        return min(self.asks), max(self.bids)

    def mid(self) -> float:
        ask, bid = self.best()
        return (ask + bid) / 2

    def levels(self) -> dict[str, Any]:
        return {
            "mid_price": self.mid(),
            "bids": [{"price": p, "size": s} for p, s in self.bids.items()],
            "asks": [{"price": p, "size": s} for p, s in self.asks.items()],
        }

    def _near(self, side: dict[float, float], ascending: bool) -> list[float]:
        prices = sorted(side, reverse=not ascending)
        return prices[: min(len(prices), 60)]

    def step(self) -> dict[str, Any]:
        rng = self.rng
        changes: dict[str, dict[float, float]] = {"asks": {}, "bids": {}}
        for _ in range(rng.randint(1, 20)):
            name = rng.choice(("asks", "bids"))
            side = self.asks if name == "asks" else self.bids
            near = self._near(side, name == "asks")
            index = min(int(rng.expovariate(1 / 8)), len(near) - 1)
            roll = rng.random()
            if roll < 0.55 or len(side) < self.depth * 0.9:
                price = near[index] if roll < 0.55 else self._gap(name, index)
                side[price] = self.size()
            elif roll < 0.8 and len(side) > 2:
                price = near[index]
                del side[price]
            else:
                price = self._gap(name, index)
                side[price] = self.size()
            changes[name][price] = side.get(price, 0.0)
        if rng.random() < 0.08:  # the market trades through the best level of one side
            name = rng.choice(("asks", "bids"))
            side = self.asks if name == "asks" else self.bids
            best = min(side) if name == "asks" else max(side)
            if len(side) > 2:
                del side[best]
                changes[name][best] = 0.0
        return {
            "mid_price": self.mid(),
            "bids": [{"price": p, "size": s} for p, s in changes["bids"].items()],
            "asks": [{"price": p, "size": s} for p, s in changes["asks"].items()],
        }

    def _gap(self, name: str, index: int) -> float:
        ask, bid = self.best()
        side = self.asks if name == "asks" else self.bids
        for _ in range(50):
            if name == "asks":
                price = float(ask + self.rng.randint(-3, index * 15 + 5))
                if price > bid and price not in side:
                    return price
            else:
                price = float(bid - self.rng.randint(-3, index * 15 + 5))
                if price < ask and price not in side:
                    return price
        return (max(side) + 1.0) if name == "asks" else (min(side) - 1.0)
