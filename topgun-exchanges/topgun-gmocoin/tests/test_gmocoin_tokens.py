"""The GMO Coin access-token helper against a local exchange reached as api.coin.z.com.

https://api.coin.z.com/docs/ #ws-auth-post (create, 60 min validity), #ws-auth-put (extend),
#ws-auth-delete (revoke). Every ws-auth request the helper makes is signed and verified by the
local server (see conftest.py); intervals are shortened so each test takes milliseconds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from yarl import URL

import topgun
from topgun_gmocoin import (
    GMOCoinAPIError,
    GMOCoinTokenManager,
    Retry,
    create_access_token,
    extend_access_token,
    private_ws_url,
    revoke_access_token,
)

FAST = Retry(first=0.01, cap=0.02)


class Target:
    """Stands in for a WebSocketApp: a settable url, closed/wait(), a connect-failure counter."""

    def __init__(self) -> None:
        self.url = URL("wss://api.coin.z.com/ws/private/v1/not-yet")
        self.stats = SimpleNamespace(connect_failures=0)
        self._closed = asyncio.Event()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    async def wait(self) -> None:
        await self._closed.wait()

    def close(self) -> None:
        self._closed.set()


async def eventually(condition: Callable[[], bool], within: float = 5.0) -> None:
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - waiting on the helper's own task
            await asyncio.sleep(0.002)


def manager(client: topgun.Client, **kwargs: Any) -> GMOCoinTokenManager:
    options: dict[str, Any] = {"extend_every": 0.05, "check_every": 0.01, "retry": FAST}
    options.update(kwargs)
    return GMOCoinTokenManager(client, **options)


async def test_create_extend_revoke(gmo: Any) -> None:
    async with gmo.client() as client:
        token = await create_access_token(client)
        await extend_access_token(client, token)
        await revoke_access_token(client, token)
        with pytest.raises(GMOCoinAPIError) as caught:
            await extend_access_token(client, token)
    assert gmo.state.issued == [token]
    assert gmo.state.extended == [token]
    assert gmo.state.revoked == [token]
    assert caught.value.status == 1
    assert caught.value.codes == ("ERR-5106",)
    assert caught.value.answered
    assert token not in str(caught.value)
    assert all(r["verified"] for r in gmo.state.seen)
    assert private_ws_url(token) == URL(f"wss://api.coin.z.com/ws/private/v1/{token}")


async def test_extends_on_schedule_and_revokes_on_close(gmo: Any) -> None:
    async with gmo.client() as client:
        tokens = manager(client)
        url = await tokens.start()
        first = gmo.state.issued[0]
        assert url == private_ws_url(first)
        target = Target()
        tokens.attach(target)
        assert target.url == url
        await eventually(lambda: tokens.extensions >= 3)
        assert tokens.running
        await tokens.close()
        assert not tokens.running
    assert set(gmo.state.extended) == {first}
    assert gmo.state.issued == [first]
    assert gmo.state.revoked == [first]
    assert tokens.extensions >= 3
    assert tokens.renewals == 0
    assert target.url == url


async def test_expired_token_is_replaced_and_the_url_follows(gmo: Any) -> None:
    async with gmo.client() as client, manager(client) as tokens:
        target = Target()
        tokens.attach(target)
        first = gmo.state.issued[0]
        gmo.state.expire(first)  # as after a maintenance: PUT now answers ERR-5106
        await eventually(lambda: len(gmo.state.issued) == 2 and target.url != private_ws_url(first))
        second = gmo.state.issued[1]
        assert target.url == private_ws_url(second)
        assert tokens.url == target.url
        assert tokens.renewals == 1
        await gmo.state.wait_for(lambda: second in gmo.state.extended)
    assert gmo.state.revoked == [second]


async def test_maintenance_is_retried_until_a_token_can_be_made(gmo: Any) -> None:
    async with gmo.client() as client, manager(client) as tokens:
        target = Target()
        tokens.attach(target)
        first = gmo.state.issued[0]
        gmo.state.maintenance = True
        gmo.state.expire(first)
        await eventually(lambda: tokens.failures >= 3)
        assert len(gmo.state.issued) == 1  # nothing could be made during the maintenance
        gmo.state.maintenance = False
        await eventually(lambda: len(gmo.state.issued) == 2)
        await eventually(lambda: target.url == private_ws_url(gmo.state.issued[1]))


async def test_http_errors_are_retried_without_dropping_a_good_token(gmo: Any) -> None:
    async with gmo.client() as client, manager(client) as tokens:
        first = gmo.state.issued[0]
        # An HTML 503 page three times: that is not GMO Coin's answer about the token.
        gmo.state.http_failures = 3
        await gmo.state.wait_for(lambda: first in gmo.state.extended)
        assert tokens.failures == 3
        assert gmo.state.issued == [first]
        assert tokens.token == first


async def test_token_past_its_lifetime_is_replaced_not_extended(gmo: Any) -> None:
    async with gmo.client() as client:
        tokens = manager(client, extend_every=0.05, lifetime=0.1)
        async with tokens:
            first = gmo.state.issued[0]
            gmo.state.failing_methods = {"PUT"}  # extensions never get through
            await eventually(lambda: len(gmo.state.issued) == 2)
            assert tokens.failures >= 1
            # The exchange never said the first token was dead: its lifetime ran out locally.
            assert first in gmo.state.live_tokens
            assert first not in gmo.state.extended


async def test_a_failed_reconnection_prompts_an_early_check(gmo: Any) -> None:
    async with gmo.client() as client, manager(client, extend_every=3000.0) as tokens:
        target = Target()
        tokens.attach(target)
        first = gmo.state.issued[0]
        gmo.state.expire(first)
        target.stats.connect_failures += 1  # the app could not reconnect with the dead token
        await eventually(lambda: target.url != private_ws_url(first))
        assert target.url == private_ws_url(gmo.state.issued[1])


async def test_stops_by_itself_when_every_target_closes(gmo: Any) -> None:
    async with gmo.client() as client:
        tokens = manager(client)
        await tokens.start()
        one, two = Target(), Target()
        tokens.attach(one)
        tokens.attach(two)
        one.close()
        extensions = tokens.extensions
        await eventually(lambda: tokens.extensions > extensions)  # still serving the other one
        two.close()
        async with asyncio.timeout(5):
            await tokens.wait()
        assert not tokens.running
        assert gmo.state.revoked == gmo.state.issued
        await tokens.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        await tokens.start()


async def test_revoke_on_close_can_be_turned_off(gmo: Any) -> None:
    async with gmo.client() as client, manager(client, revoke_on_close=False):
        pass
    assert gmo.state.revoked == []
    assert len(gmo.state.issued) == 1


async def test_start_without_credentials_says_what_is_missing(gmo: Any) -> None:
    async with gmo.client(apis={}) as client:
        with pytest.raises(topgun.CredentialError, match="gmocoin"):
            await manager(client).start()
    assert gmo.state.seen == []


async def test_start_with_a_wrong_secret_raises_the_exchange_error(gmo: Any) -> None:
    async with gmo.client(apis={"gmocoin": ["gmo-test-key", "wrong-secret"]}) as client:
        with pytest.raises(GMOCoinAPIError, match="ERR-5012") as caught:
            await manager(client).start()
    assert caught.value.status == 1
    assert "wrong-secret" not in str(caught.value)


async def test_tokens_and_secret_never_reach_logs_or_reprs(
    gmo: Any, gmo_credentials: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with gmo.client() as client, manager(client) as tokens:
        target = Target()
        tokens.attach(target)
        gmo.state.expire(gmo.state.issued[0])
        gmo.state.http_failures = 1
        await eventually(lambda: len(gmo.state.issued) == 2 and tokens.extensions >= 1)
        shown = repr(tokens)
    assert "renewal 1" in caplog.text
    for secret in (*gmo.state.issued, gmo_credentials[1]):
        assert secret not in caplog.text
        assert secret not in shown


def test_intervals_are_checked() -> None:
    with pytest.raises(ValueError, match="extend_every < lifetime"):
        GMOCoinTokenManager(None, extend_every=3600.0)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="start"):
        _ = GMOCoinTokenManager(None).url  # type: ignore[arg-type]
