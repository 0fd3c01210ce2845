"""Client HTTP surface: fetch, the method API, base_url, headers, body encoding, kwargs."""

from __future__ import annotations

from typing import Any

import aiohttp
import orjson
import pytest

import topgun


async def test_fetch_decodes_json_and_keeps_text(toy_exchange: Any, toy_registry: Any) -> None:
    async with topgun.Client(registry=toy_registry, **toy_exchange.client_kwargs()) as client:
        result = await client.fetch(
            "GET", "https://api.toy.test/v1/ticker", params={"symbol": "BTC"}
        )
    assert isinstance(result, topgun.FetchResult)
    assert result.response.status == 200
    assert result.data == {"path": "/v1/ticker", "verified": False}
    assert orjson.loads(result.text) == result.data
    assert toy_exchange.seen[-1]["path_qs"] == "/v1/ticker?symbol=BTC"


async def test_fetch_non_json_gives_falsy_notjsoncontent(
    toy_exchange: Any, toy_registry: Any
) -> None:
    async with topgun.Client(registry=toy_registry, **toy_exchange.client_kwargs()) as client:
        result = await client.fetch("GET", "https://api.toy.test/text")
    assert isinstance(result.data, topgun.NotJSONContent)
    assert not result.data
    assert isinstance(result.data.error, ValueError)
    assert result.text == "<html>maintenance</html>"


async def test_method_api_context_managers(toy_exchange: Any, toy_registry: Any) -> None:
    async with topgun.Client(registry=toy_registry, **toy_exchange.client_kwargs()) as client:
        for method, call in [
            ("GET", client.get),
            ("POST", client.post),
            ("PUT", client.put),
            ("DELETE", client.delete),
        ]:
            async with call("https://api.toy.test/v1/x") as resp:
                assert isinstance(resp, aiohttp.ClientResponse)
                assert resp.status == 200
            assert toy_exchange.seen[-1]["method"] == method
        async with client.request("PATCH", "https://api.toy.test/v1/y") as resp:
            assert (await resp.json())["path"] == "/v1/y"
        async with client.delete("https://api.toy.test/v1/z", params={"id": "7"}) as resp:
            assert resp.status == 200
        assert toy_exchange.seen[-1]["path_qs"] == "/v1/z?id=7"


async def test_base_url_applies_to_relative_urls_only(toy_exchange: Any, toy_registry: Any) -> None:
    async with topgun.Client(
        base_url="https://api.toy.test", registry=toy_registry, **toy_exchange.client_kwargs()
    ) as client:
        await client.fetch("GET", "/v1/relative")
        await client.fetch("GET", "https://alt.toy.test/v1/absolute")
    assert [(r["host"], r["path_qs"]) for r in toy_exchange.seen] == [
        ("api.toy.test", "/v1/relative"),
        ("alt.toy.test", "/v1/absolute"),
    ]


async def test_json_argument_is_the_body_on_exchange_hosts_and_aiohttps_elsewhere(
    toy_exchange: Any, toy_registry: Any, toy_apis: Any
) -> None:
    async with topgun.Client(
        apis=toy_apis,
        registry=toy_registry,
        **toy_exchange.client_kwargs(),
    ) as client:
        # On an exchange host, json= is data=: encoded as the exchange wants, then signed.
        result = await client.fetch("POST", "https://api.toy.test/v1/order", json={"a": 1})
        assert result.data["verified"] is True
        assert orjson.loads(toy_exchange.seen[-1]["body"]) == {"a": 1}
        await client.fetch("POST", "https://alt.toy.test/v1/order", json={"a": 1})  # a form host
        assert toy_exchange.seen[-1]["body"] == b"a=1"
        # Anywhere else it is aiohttp's own json= (a webhook, say), as with pybotters.
        await client.fetch("POST", "https://evil.test/hook", json={"text": "filled"})
        assert orjson.loads(toy_exchange.seen[-1]["body"]) == {"text": "filled"}
        assert toy_exchange.seen[-1]["headers"]["Content-Type"] == "application/json"
        with pytest.raises(TypeError, match="cannot both be given"):
            client.request("POST", "https://api.toy.test/v1/order", data={"a": 1}, json={"a": 2})


async def test_default_user_agent_and_override(toy_exchange: Any, toy_registry: Any) -> None:
    async with topgun.Client(registry=toy_registry, **toy_exchange.client_kwargs()) as client:
        await client.fetch("GET", "https://api.toy.test/ua")
    assert toy_exchange.seen[-1]["headers"]["User-Agent"] == f"topgun/{topgun.__version__}"
    async with topgun.Client(
        registry=toy_registry, headers={"User-Agent": "mybot/2"}, **toy_exchange.client_kwargs()
    ) as client:
        await client.fetch("GET", "https://api.toy.test/ua")
    assert toy_exchange.seen[-1]["headers"]["User-Agent"] == "mybot/2"


async def test_data_is_encoded_per_host_even_unsigned(toy_exchange: Any, toy_registry: Any) -> None:
    async with topgun.Client(registry=toy_registry, **toy_exchange.client_kwargs()) as client:
        await client.fetch("POST", "https://api.toy.test/json", data={"a": 1, "b": "x"})
        await client.fetch("POST", "https://alt.toy.test/form", data={"a": 1, "b": "x y"})
        await client.fetch("POST", "https://api.toy.test/raw", data='{"already":"encoded"}')
    json_req, form_req, raw_req = toy_exchange.seen
    assert json_req["headers"]["Content-Type"] == "application/json"
    assert orjson.loads(json_req["body"]) == {"a": 1, "b": "x"}
    assert form_req["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert form_req["body"] == b"a=1&b=x+y"
    assert raw_req["body"] == b'{"already":"encoded"}'


async def test_session_kwargs_pass_through(toy_registry: Any) -> None:
    timeout = aiohttp.ClientTimeout(total=3)
    async with topgun.Client(
        registry=toy_registry, timeout=timeout, raise_for_status=True
    ) as client:
        assert client.session.timeout is timeout
        assert isinstance(client.session, aiohttp.ClientSession)
    assert client.closed


async def test_clock_offset_is_settable(toy_registry: Any) -> None:
    async with topgun.Client(registry=toy_registry) as client:
        before = client.clock.time()
        client.clock.offset = 3600.0
        assert client.clock.time() - before >= 3599.0
        client.clock.sync_to(1_000_000.0)
        assert abs(client.clock.time() - 1_000_000.0) < 1.0
