"""Signing through the per-request middleware: where credentials go, and where they never go."""

from __future__ import annotations

from typing import Any

import pytest
from yarl import URL

import topgun
from topgun.plugin import ApiSpec, Host, SignedRequest, SigningRequest
from topgun.registry import Registry, build_registry


def _auth_headers(record: dict[str, Any]) -> set[str]:
    return {h.upper() for h in record["headers"] if h.upper().startswith("X-TOY-")}


async def test_signed_request_verifies(
    toy_client: Any, toy_exchange: Any, toy_registry: Any, toy_apis: Any
) -> None:
    async with toy_client() as client:
        result = await client.fetch(
            "POST", "https://api.toy.test/v1/order", params={"q": "1"}, data={"size": 0.01}
        )
    assert result.data["verified"] is True
    assert toy_exchange.seen[-1]["headers"]["X-TOY-KEY"] == toy_apis["toy"][0]


async def test_auth_none_and_missing_credentials_send_nothing(
    toy_client: Any, toy_exchange: Any, toy_registry: Any, toy_apis: Any
) -> None:
    async with toy_client() as client:
        await client.fetch("GET", "https://api.toy.test/v1/a", auth=None)
    async with toy_client(apis={}) as client:
        await client.fetch("GET", "https://api.toy.test/v1/b")
    assert [_auth_headers(r) for r in toy_exchange.seen] == [set(), set()]


async def test_unknown_hosts_are_never_signed(
    toy_client: Any, toy_exchange: Any, toy_registry: Any, toy_apis: Any
) -> None:
    async with toy_client() as client:
        await client.fetch("GET", "https://evil.test/v1/a")
    assert _auth_headers(toy_exchange.seen[-1]) == set()


async def test_redirect_to_another_host_is_not_signed(
    toy_client: Any, toy_exchange: Any, toy_registry: Any, toy_apis: Any
) -> None:
    async with toy_client() as client:
        result = await client.fetch("POST", "https://api.toy.test/redirect-other", data={"a": 1})
    first, second = toy_exchange.seen
    assert first["host"] == "api.toy.test" and _auth_headers(first) == {"X-TOY-KEY", "X-TOY-SIGN"}
    assert second["host"] == "evil.test" and _auth_headers(second) == set()
    assert result.response.url.host == "evil.test"


async def test_redirect_on_the_same_host_is_signed_again(
    toy_client: Any, toy_exchange: Any, toy_registry: Any, toy_apis: Any
) -> None:
    async with toy_client() as client:
        result = await client.fetch("POST", "https://api.toy.test/redirect-same", data={"a": 1})
    assert result.data == {"path": "/landing", "verified": True}


async def test_api_selector_picks_credentials_per_request(
    toy_client: Any, toy_exchange: Any, toy_registry: Any, toy_apis: Any
) -> None:
    async with toy_client() as client:
        await client.fetch("GET", "https://alt.toy.test/v1/live")
        await client.fetch("GET", "https://alt.toy.test/v1/demo", headers={"x-toy-demo": "1"})
    live, demo = toy_exchange.seen
    assert live["headers"]["X-TOY-KEY"] == toy_apis["toy"][0]
    assert demo["headers"]["X-TOY-KEY"] == toy_apis["toy_demo"][0]
    assert demo["headers"]["x-toy-demo"] == "1"


async def test_body_and_url_rewriting_signers(
    toy_exchange: Any, plugin_factory: Any, toy_apis: Any
) -> None:
    """A signer may replace the URL (query signatures) and the body (signatures inside the body)."""

    def rewriting_signer(request: SigningRequest) -> SignedRequest:
        url = request.url.update_query({"signature": "sig-" + request.credential.key})
        return SignedRequest(url=url, body=request.body[:-1] + b',"signed":true}')

    registry = _signed_by(rewriting_signer, plugin_factory)
    async with topgun.Client(
        apis={"toy": toy_apis["toy"]}, registry=registry, **toy_exchange.client_kwargs()
    ) as client:
        await client.fetch("POST", "https://api.toy.test/v1/order", data={"a": 1})
        await client.fetch("POST", "https://api.toy.test/redirect-other", data={"a": 1})
    order, redirect_origin, foreign = toy_exchange.seen
    assert order["path_qs"] == "/v1/order?signature=sig-" + toy_apis["toy"][0]
    assert order["body"] == b'{"a":1,"signed":true}'
    assert redirect_origin["body"] == b'{"a":1,"signed":true}'
    # The foreign host gets the caller's body, not the signed one.
    assert foreign["host"] == "evil.test" and foreign["body"] == b'{"a":1}'


def _signed_by(signer: Any, plugin_factory: Any) -> Registry:
    """A registry whose one plugin signs ``api.toy.test`` (JSON bodies) with ``signer``."""
    host = Host("api.toy.test", api="toy", signer=signer, body="json")
    return build_registry([plugin_factory("toy", apis=[ApiSpec("toy")], hosts=[host])], strict=True)


async def test_signer_sees_the_caller_headers(toy_exchange: Any, plugin_factory: Any) -> None:
    seen: list[str | None] = []

    def window_signer(request: SigningRequest) -> SignedRequest:
        seen.append(request.headers.get("X-Window"))
        return SignedRequest(headers={"X-TOY-SIGN": "x"})

    registry = _signed_by(window_signer, plugin_factory)
    async with topgun.Client(
        apis={"toy": ["k", "s"]}, registry=registry, **toy_exchange.client_kwargs()
    ) as client:
        await client.fetch("GET", "https://api.toy.test/a", headers={"X-Window": "5000"})
    assert seen == ["5000"]


async def test_no_hook_runs_per_request(
    toy_client: Any,
    toy_exchange: Any,
    toy_apis: Any,
    toy_plugin_module: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Hooks run once per registry build; a request only looks up dicts and runs the signer."""
    import pluggy

    from topgun.registry import build as build_module

    calls: dict[str, int] = {}
    for name in build_module.HOOK_NAMES:
        original = getattr(toy_plugin_module, name)

        def counted(register: Any, _original: Any = original, _name: str = name) -> None:
            calls[_name] = calls.get(_name, 0) + 1
            _original(register=register)

        setattr(toy_plugin_module, name, topgun.hookimpl(counted))
    registry = build_registry([toy_plugin_module], strict=True)
    assert calls == dict.fromkeys(build_module.HOOK_NAMES, 1)

    def guard(original: Any) -> Any:
        # pytest runs on pluggy too, so only topgun's hooks are refused.
        def refuse(caller: Any, *args: Any, **kwargs: Any) -> Any:
            if caller.name.startswith("topgun_"):
                raise AssertionError(f"pluggy hook {caller.name} ran on the request path")
            return original(caller, *args, **kwargs)

        return refuse

    monkeypatch.setattr(pluggy.HookCaller, "__call__", guard(pluggy.HookCaller.__call__))
    monkeypatch.setattr(pluggy.HookCaller, "get_hookimpls", guard(pluggy.HookCaller.get_hookimpls))

    def no_collect(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the registry was rebuilt on the request path")

    monkeypatch.setattr(build_module, "_collect", no_collect)
    async with toy_client(registry=registry) as client:
        for i in range(20):
            result = await client.fetch("POST", "https://api.toy.test/v1/order", data={"i": i})
            assert result.data["verified"] is True
    assert calls == dict.fromkeys(build_module.HOOK_NAMES, 1)


@pytest.mark.parametrize(
    ("method", "url", "body", "expected"),
    [
        (
            "get",
            "https://api.example.com/v1/orders?symbol=BTC_JPY&count=2",
            b"",
            b"1700GET/v1/orders?symbol=BTC_JPY&count=2",
        ),
        ("POST", "https://api.example.com/v1/order", b'{"size":1}', b'1700POST/v1/order{"size":1}'),
    ],
)
def test_prehash_is_timestamp_method_path_query_body(
    method: str, url: str, body: bytes, expected: bytes
) -> None:
    request = SigningRequest(
        method, URL(url), {}, body, None, topgun.Credential("toy", ["k", "s"]), topgun.FixedClock(0)
    )
    assert request.prehash("1700") == expected
