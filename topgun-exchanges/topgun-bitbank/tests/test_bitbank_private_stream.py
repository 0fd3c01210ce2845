"""The bitbank private stream helper against one local server playing api.bitbank.cc and PubNub.

https://github.com/bitbankinc/bitbank-api-docs/blob/master/private-stream.md (Step 2: GET
/v1/user/subscribe; Step 3: the PubNub subscribe key, token and user id; Step 5 and the example
code: on access denied / network errors, fetch a new channel and token and subscribe again), and
https://www.pubnub.com/docs/sdks/rest-api/subscribe-v-2 for the long-poll the server plays.
Real sockets and TLS throughout; retries are shortened so each test takes milliseconds.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

import topgun
from topgun_bitbank import (
    BitbankAPIError,
    BitbankPrivateStream,
    Retry,
    fetch_channel_and_token,
)
from topgun_bitbank.pubnub import Cursor, parse_response

FAST = Retry(first=0.01, cap=0.02)


def order(order_id: int, status: str = "UNFILLED") -> dict[str, Any]:
    return {"method": "spot_order", "params": [{"order_id": order_id, "status": status}]}


def stream(client: topgun.Client, handler: Any, **kwargs: Any) -> BitbankPrivateStream:
    return BitbankPrivateStream(client, handler, retry=FAST, **kwargs)


async def test_fetch_channel_and_token(bitbank: Any) -> None:
    async with bitbank.client() as client:
        access = await fetch_channel_and_token(client)
    assert access.channel == "private-channel-0001"
    assert access.token == bitbank.state.issued[0]
    assert access.token not in repr(access)
    assert bitbank.state.seen[-1]["verified"]


async def test_messages_reach_the_handler_in_order(bitbank: Any) -> None:
    received: list[Any] = []
    async with bitbank.client() as client, stream(client, received.append) as private:
        await bitbank.wait_for(lambda: bitbank.state.held > 0)  # subscribed and waiting
        bitbank.state.publish(order(1), order(2))
        bitbank.state.publish(order(3))
        await bitbank.wait_for(lambda: len(received) == 3)
        assert private.channel == "private-channel-0001"
    assert received == [order(1), order(2), order(3)]
    assert private.messages == 3
    first, second, *_ = bitbank.state.polls
    assert first["tt"] == "0" and "tr" not in first
    assert second["tr"] == "4" and second["auth"] == bitbank.state.issued[0]
    assert all(p["uuid"] == "private-channel-0001" for p in bitbank.state.polls)


async def test_expired_token_is_renewed_without_losing_messages(bitbank: Any) -> None:
    received: list[Any] = []
    async with bitbank.client() as client, stream(client, received.append) as private:
        bitbank.state.publish(order(1))  # before the first poll: tt=0 starts after it
        await bitbank.wait_for(lambda: bitbank.state.held > 0)
        bitbank.state.publish(order(2))
        await bitbank.wait_for(lambda: received == [order(2)])
        bitbank.state.expire(bitbank.state.issued[0])  # PubNub: 403 "Token is expired."
        bitbank.state.publish(order(3))  # delivered by the poll already held with the old token
        await bitbank.wait_for(lambda: private.renewals == 1)
        bitbank.state.publish(order(4))
        await bitbank.wait_for(lambda: len(received) == 3)
    assert received == [order(2), order(3), order(4)]
    assert bitbank.state.subscribe_calls() == 2
    assert bitbank.state.polls[-1]["auth"] == bitbank.state.issued[1]
    denied = [p for p in bitbank.state.polls if p["auth"] == bitbank.state.issued[0]]
    renewed = [p for p in bitbank.state.polls if p["auth"] == bitbank.state.issued[1]]
    assert renewed[0]["tt"] == denied[-1]["tt"]  # the cursor survived the renewal


async def test_network_errors_are_retried_with_the_same_cursor(bitbank: Any) -> None:
    received: list[Any] = []
    async with bitbank.client() as client, stream(client, received.append) as private:
        await bitbank.wait_for(lambda: bitbank.state.held > 0)
        bitbank.state.drop_next = 2  # the next two polls die without a reply
        bitbank.state.pubnub_errors = [500, 502]  # then two HTTP errors
        bitbank.state.publish(order(1))
        await bitbank.wait_for(lambda: received == [order(1)])
        bitbank.state.publish(order(2))
        await bitbank.wait_for(lambda: len(received) == 2)
        # aiohttp itself retries one dropped keep-alive request, so at least 3 surface here.
        assert private.failures >= 3
        assert bitbank.state.drop_next == 0 and not bitbank.state.pubnub_errors
        assert private.renewals == 0
    assert received == [order(1), order(2)]  # no message lost, none repeated


async def test_a_token_refused_right_after_renewal_backs_off(bitbank: Any) -> None:
    received: list[Any] = []
    async with bitbank.client() as client, stream(client, received.append) as private:
        await bitbank.wait_for(lambda: bitbank.state.held > 0)
        bitbank.state.deny_all = True
        bitbank.state.publish(order(1))
        await bitbank.wait_for(lambda: private.failures >= 2)
        assert private.renewals >= 2  # each new token was tried once, with backoff between
        bitbank.state.deny_all = False
        await bitbank.wait_for(lambda: received == [order(1)])


async def test_bitbank_errors_while_renewing_are_retried(bitbank: Any) -> None:
    received: list[Any] = []
    async with bitbank.client() as client, stream(client, received.append) as private:
        await bitbank.wait_for(lambda: bitbank.state.held > 0)
        bitbank.state.subscribe_errors = [10007, 10008]  # maintenance, then busy
        bitbank.state.expire(bitbank.state.issued[0])
        bitbank.state.publish(order(7))  # delivered by the poll already held with the old token
        await bitbank.wait_for(lambda: private.renewals == 1)
        bitbank.state.publish(order(8))
        await bitbank.wait_for(lambda: received == [order(7), order(8)])
        assert private.failures == 2
    assert len(bitbank.state.issued) == 2


async def test_handler_errors_are_logged_and_async_handlers_awaited(
    bitbank: Any, caplog: pytest.LogCaptureFixture
) -> None:
    received: list[Any] = []

    async def handler(message: Any) -> None:
        await asyncio.sleep(0)
        if message["params"][0]["order_id"] == 1:
            raise RuntimeError("handler bug")
        received.append(message)

    async with bitbank.client() as client, stream(client, handler) as private:
        await bitbank.wait_for(lambda: bitbank.state.held > 0)
        bitbank.state.publish(order(1), order(2))
        await bitbank.wait_for(lambda: received == [order(2)])
        assert private.handler_errors == 1
    assert "the handler raised" in caplog.text


async def test_close_cancels_the_long_poll_in_flight(bitbank: Any) -> None:
    bitbank.state.hold = 30.0  # the server holds the poll far longer than the test runs
    async with bitbank.client() as client:
        private = stream(client, lambda message: None)
        await private.start()
        await bitbank.wait_for(lambda: bitbank.state.held > 0)
        assert private.running
        async with asyncio.timeout(5):
            await private.close()
        assert not private.running
        with pytest.raises(RuntimeError, match="closed"):
            await private.start()


async def test_closing_the_client_ends_the_stream_quietly(bitbank: Any) -> None:
    client = bitbank.client()
    private = stream(client, lambda message: None)
    await private.start()
    await bitbank.wait_for(lambda: bitbank.state.held > 0)
    await client.close()
    async with asyncio.timeout(5):
        await private.wait()
    assert not private.running
    await private.close()


async def test_start_without_credentials_says_what_is_missing(bitbank: Any) -> None:
    async with bitbank.client(apis={}) as client:
        with pytest.raises(topgun.CredentialError, match="bitbank"):
            await stream(client, print).start()
    assert bitbank.state.seen == []


async def test_start_with_a_wrong_secret_raises_the_exchange_error(bitbank: Any) -> None:
    async with bitbank.client(apis={"bitbank": ["bitbank-test-key", "wrong-secret"]}) as client:
        with pytest.raises(BitbankAPIError, match="code 20005") as caught:
            await stream(client, print).start()
    assert caught.value.code == 20005
    assert "wrong-secret" not in str(caught.value)


async def test_tokens_and_secret_never_reach_logs(
    bitbank: Any, bitbank_credentials: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    received: list[Any] = []
    async with bitbank.client() as client, stream(client, received.append) as private:
        await bitbank.wait_for(lambda: bitbank.state.held > 0)
        bitbank.state.pubnub_errors = [500]
        bitbank.state.expire(bitbank.state.issued[0])
        bitbank.state.publish(order(1))
        await bitbank.wait_for(lambda: received == [order(1)] and private.renewals == 1)
        shown = repr(private)
    # The local server's own access log prints the URLs it served; only topgun's logs count.
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("topgun"))
    assert "renewal 1" in ours
    assert "retrying" in ours
    for secret in (*bitbank.state.issued, bitbank_credentials[1]):
        assert secret not in ours
        assert secret not in shown


def test_handler_must_be_callable() -> None:
    with pytest.raises(TypeError, match="callable"):
        BitbankPrivateStream(None, "not a function")  # type: ignore[arg-type]


def test_parse_response_reads_messages_and_cursor() -> None:
    raw = (
        b'{"t":{"t":"17000000000000005","r":12},"m":[{"a":"1","c":"ch","d":{"method":"x"}},'
        b'{"a":"1","c":"ch"}]}'
    )
    assert parse_response(raw) == ([{"method": "x"}], Cursor("17000000000000005", 12))
    with pytest.raises(ValueError, match="not a PubNub subscribe response"):
        parse_response(b"[1, 2]")
