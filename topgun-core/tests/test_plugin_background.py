"""``topgun.plugin.BackgroundTask``: the lifecycle shared by token keepers and long polls."""

from __future__ import annotations

import asyncio

import pytest

from topgun.plugin import BackgroundTask


class Keeper(BackgroundTask):
    COUNTERS = ("renewals", "failures")

    def __init__(self) -> None:
        self.renewals = 2
        self.failures = 0
        self.release = asyncio.Event()

    def start(self) -> None:
        self._check_open()
        self._task = asyncio.get_running_loop().create_task(self.release.wait())

    def _repr_detail(self) -> str:
        return "api.example.com/key"


async def test_running_wait_and_repr_follow_the_task() -> None:
    keeper = Keeper()
    seen = [keeper.running]
    await keeper.wait()  # never started: returns at once
    assert repr(keeper) == "<Keeper api.example.com/key stopped renewals=2 failures=0>"
    keeper.start()
    seen.append(keeper.running)
    assert repr(keeper) == "<Keeper api.example.com/key running renewals=2 failures=0>"
    keeper.release.set()
    await keeper.wait()
    seen.append(keeper.running)
    assert seen == [False, True, False]


async def test_cancel_task_returns_once_the_task_has_ended() -> None:
    keeper = Keeper()
    keeper.start()
    task = keeper._task
    assert task is not None
    await keeper._cancel_task()
    assert task.cancelled()
    assert not keeper.running
    await keeper._cancel_task()  # already ended: nothing to do


def test_repr_without_detail_or_counters() -> None:
    assert repr(BackgroundTask()) == "<BackgroundTask stopped>"


async def test_close_cancels_the_task_and_a_closed_object_does_not_start_again() -> None:
    keeper = Keeper()
    keeper.start()
    task = keeper._task
    await keeper.close()
    assert task is not None
    assert task.cancelled()
    with pytest.raises(RuntimeError, match="this Keeper is closed"):
        keeper.start()
    await keeper.close()  # closing twice is harmless


class TokenKeeper(BackgroundTask):
    """Fetches something first, as a token keeper does: ``start()`` is a coroutine."""

    async def start(self) -> None:
        self._check_open()
        await asyncio.sleep(0)
        self._task = asyncio.get_running_loop().create_task(asyncio.Event().wait())


@pytest.mark.parametrize("kind", [Keeper, TokenKeeper])
async def test_async_with_starts_then_closes(kind: type[Keeper | TokenKeeper]) -> None:
    async with kind() as keeper:
        task = keeper._task
        assert keeper.running
    assert task is not None
    assert task.cancelled()
    assert keeper._closing


def test_start_is_for_subclasses() -> None:
    with pytest.raises(NotImplementedError):
        BackgroundTask().start()
