"""Client.run_task (tasks owned by the Client) and Client.of (the Client behind a response)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
import pytest

import topgun


async def test_close_cancels_and_awaits_owned_tasks(toy_registry: Any) -> None:
    client = topgun.Client(registry=toy_registry)
    started, cleaned = asyncio.Event(), asyncio.Event()

    async def forever() -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        finally:
            cleaned.set()

    task = client.run_task(forever(), name="owned")
    await started.wait()
    assert task.get_name() == "owned"
    await client.close()
    assert task.cancelled()
    assert cleaned.is_set()


async def test_a_finished_task_is_forgotten_and_a_closed_client_refuses(
    toy_registry: Any,
) -> None:
    client = topgun.Client(registry=toy_registry)

    async def answer() -> int:
        return 42

    assert await client.run_task(answer()) == 42
    assert not client._tasks
    await client.close()
    coro = answer()
    with pytest.raises(RuntimeError, match="closed"):
        client.run_task(coro)
    assert coro.cr_frame is None  # closed, not left un-awaited


async def test_of_names_the_client_behind_a_response(toy_exchange: Any, toy_registry: Any) -> None:
    async with topgun.Client(registry=toy_registry, **toy_exchange.client_kwargs()) as client:
        async with client.get("https://api.toy.test/v1/ticker") as response:
            assert topgun.Client.of(response) is client
        result = await client.fetch("GET", "https://api.toy.test/v1/ticker")
        assert topgun.Client.of(result) is client
        async with (
            aiohttp.ClientSession(**toy_exchange.client_kwargs()) as session,
            session.get("https://api.toy.test/v1/ticker") as plain,
        ):
            assert topgun.Client.of(plain) is None
    assert topgun.Client.of(object()) is None


async def test_a_failing_task_is_logged(
    toy_registry: Any, caplog: pytest.LogCaptureFixture
) -> None:
    async with topgun.Client(registry=toy_registry) as client:

        async def broken() -> None:
            raise ValueError("boom")

        task = client.run_task(broken(), name="broken one")
        with caplog.at_level(logging.ERROR, "topgun"):
            # The Client's done callback was added first, so it has run once gather returns.
            await asyncio.gather(task, return_exceptions=True)
    (record,) = [r for r in caplog.records if "broken one" in r.getMessage()]
    assert record.exc_info is not None and "boom" in str(record.exc_info[1])
