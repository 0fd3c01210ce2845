"""Where credentials may go: only to their own plugin, only over TLS to a declared port, under
any spelling of the registered host, and never readable afterwards in what aiohttp hands back.

Every request goes to a local server (TLS under the toy hostnames, or plain HTTP where the point
is that nothing must arrive); each test checks what actually reached it.
"""

from __future__ import annotations

import asyncio
import hmac
import types
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import topgun
from topgun.plugin import ApiSelector, ApiSpec, Host, SignedRequest, SigningRequest
from topgun.registry import Registry, build_registry
from topgun.testing import HttpExchange

TOY_KEY = "toy-key-0001"
TOY_SECRET = "toy-secret-DO-NOT-LEAK-7f3a"
ROGUE_KEY = "rogue-key-9999"
PASSPHRASE = "toy-passphrase-SECRET-55"


def _credential_values(record: dict[str, Any]) -> str:
    return " ".join(str(value) for value in record["headers"].values())


async def _answer(request: web.Request, body: bytes, record: dict[str, Any]) -> web.StreamResponse:
    if request.path == "/bad":
        return web.json_response({"error": "insufficient funds"}, status=400)
    if request.path == "/hop":
        raise web.HTTPFound("/bad")
    if request.path == "/loop":
        raise web.HTTPFound("/loop")
    sign = request.headers.get("X-TOY-SIGN", "")
    text = request.method.encode() + request.raw_path.encode() + body
    expected = hmac.digest(TOY_SECRET.encode(), text, "sha256").hex()
    record["verified"] = hmac.compare_digest(sign, expected)
    return web.json_response({"verified": record["verified"]})


@pytest.fixture
async def tls_exchange() -> AsyncIterator[HttpExchange]:
    hosts = ["api.toy.test", "alt.toy.test", "api.rogue.test", "api.ported.test"]
    async with HttpExchange(hosts, _answer) as server:
        yield server


@pytest.fixture
async def plain_exchange() -> AsyncIterator[HttpExchange]:
    """The same hosts over plain HTTP: whatever arrives here went out in cleartext."""
    async with HttpExchange(["api.toy.test", "api.ported.test"], _answer, tls=False) as server:
        yield server


def _toy_and_rogue(
    plugin_factory: Callable[..., types.ModuleType], toy: types.ModuleType, answer: str
) -> Registry:
    """The toy plugin beside one that declares only ``rogue`` but whose selector answers
    ``answer``."""

    def rogue_signer(request: SigningRequest) -> SignedRequest:
        return SignedRequest(headers={"X-ROGUE-GOT": request.credential.key})

    selector = ApiSelector(("rogue",), lambda headers: answer)
    rogue = plugin_factory(
        "rogue",
        apis=[ApiSpec("rogue")],
        hosts=[
            Host("api.rogue.test", api=selector, signer=rogue_signer, body="json"),
            Host("ws.rogue.test", api=selector, ws_authenticator=_never_called),
        ],
    )
    return build_registry([toy, rogue], strict=True)


async def _never_called(login: Any) -> None:
    raise AssertionError("the authenticator must not run")


def _ws_tasks() -> list[asyncio.Task[Any]]:
    return [t for t in asyncio.all_tasks() if t.get_name().startswith("topgun.ws")]


def _apis() -> dict[str, list[str]]:
    return {"toy": [TOY_KEY, TOY_SECRET], "rogue": [ROGUE_KEY, "rogue-secret"]}


# -- 1. a selector yields only its own plugin's API names -------------------------------------


async def test_a_selector_reaching_for_another_plugins_name_is_refused_over_http(
    tls_exchange: HttpExchange, plugin_factory: Any, toy_plugin_module: Any
) -> None:
    registry = _toy_and_rogue(plugin_factory, toy_plugin_module, "toy")
    async with topgun.Client(_apis(), registry=registry, **tls_exchange.client_kwargs()) as client:
        with pytest.raises(topgun.PluginError) as raised:
            await client.fetch("GET", "https://api.rogue.test/v1/balance")
    message = str(raised.value)
    assert "'rogue'" in message and "'toy'" in message and "api.rogue.test" in message
    assert TOY_KEY not in message
    assert tls_exchange.seen == []  # nothing left, signed or not


async def test_a_selector_reaching_for_another_plugins_name_is_refused_over_websocket(
    plugin_factory: Any, toy_plugin_module: Any
) -> None:
    registry = _toy_and_rogue(plugin_factory, toy_plugin_module, "toy")
    async with topgun.Client(_apis(), registry=registry) as client:
        with pytest.raises(topgun.PluginError, match=r"plugin 'rogue'.*API name 'toy'"):
            client.ws_connect("wss://ws.rogue.test/private")
        assert _ws_tasks() == []  # no app was started


async def test_a_selector_answering_its_own_name_still_works(
    tls_exchange: HttpExchange, plugin_factory: Any, toy_plugin_module: Any
) -> None:
    registry = _toy_and_rogue(plugin_factory, toy_plugin_module, "rogue")
    async with topgun.Client(_apis(), registry=registry, **tls_exchange.client_kwargs()) as client:
        await client.fetch("GET", "https://api.rogue.test/v1/balance")
    assert tls_exchange.seen[0]["headers"]["X-ROGUE-GOT"] == ROGUE_KEY


@pytest.mark.parametrize(
    "api",
    [
        ApiSelector(("toy",), lambda headers: "toy"),
        ApiSelector((), lambda headers: "rogue"),
        ApiSelector(("rogue",), "rogue"),  # type: ignore[arg-type]
        42,
    ],
    ids=["foreign-name", "no-names", "not-callable", "not-an-api"],
)
def test_a_host_api_is_checked_at_registry_build(
    plugin_factory: Any, toy_plugin_module: Any, api: Any
) -> None:
    plugin = plugin_factory(
        "rogue", apis=[ApiSpec("rogue")], hosts=[Host("api.rogue.test", api=api)]
    )
    with pytest.raises(topgun.PluginError, match=r"plugin 'rogue'.*api\.rogue\.test"):
        build_registry([toy_plugin_module, plugin], strict=True)


# -- 2. TLS, to a declared port ---------------------------------------------------------------


async def test_a_signed_request_over_plain_http_is_refused_and_nothing_is_sent(
    plain_exchange: HttpExchange, toy_registry: Registry
) -> None:
    async with topgun.Client(
        {"toy": [TOY_KEY, TOY_SECRET]}, registry=toy_registry, **plain_exchange.client_kwargs()
    ) as client:
        with pytest.raises(topgun.InsecureDestinationError) as raised:
            await client.fetch("POST", "http://api.toy.test/v1/order", data={"size": 1})
        assert plain_exchange.seen == []
        message = str(raised.value)
        assert "http://api.toy.test:80" in message and "https://api.toy.test/" in message
        assert "auth=None" in message and TOY_KEY not in message
        # Without credentials it is an ordinary request, sent as asked.
        result = await client.fetch("GET", "http://api.toy.test/v1/ticker", auth=None)
    assert result.response.status == 200
    assert "X-TOY-KEY" not in plain_exchange.seen[0]["headers"]


async def test_a_signed_request_to_an_undeclared_port_is_refused(
    tls_exchange: HttpExchange, toy_registry: Registry
) -> None:
    async with topgun.Client(
        {"toy": [TOY_KEY, TOY_SECRET]}, registry=toy_registry, **tls_exchange.client_kwargs()
    ) as client:
        with pytest.raises(topgun.InsecureDestinationError, match=r"api\.toy\.test:8443"):
            await client.fetch("GET", "https://api.toy.test:8443/v1/balance")
        # The default port, spelled out, is the registered one.
        result = await client.fetch("GET", "https://api.toy.test:443/v1/balance")
    assert result.data == {"verified": True}
    assert [r["path"] for r in tls_exchange.seen] == ["/v1/balance"]


async def test_a_host_declaring_a_port_gets_credentials_there_only(
    tls_exchange: HttpExchange, plain_exchange: HttpExchange, plugin_factory: Any
) -> None:
    def signer(request: SigningRequest) -> SignedRequest:
        return SignedRequest(headers={"X-TOY-KEY": request.credential.key})

    plugin = plugin_factory(
        "ported",
        apis=[ApiSpec("ported")],
        hosts=[Host("api.ported.test", api="ported", signer=signer, body="json", ports=(8443,))],
    )
    registry = build_registry([plugin], strict=True)
    apis = {"ported": [TOY_KEY, TOY_SECRET]}
    async with topgun.Client(apis, registry=registry, **tls_exchange.client_kwargs()) as client:
        await client.fetch("GET", "https://api.ported.test:8443/v1/a")
        with pytest.raises(topgun.InsecureDestinationError, match="port 8443"):
            await client.fetch("GET", "https://api.ported.test/v1/b")
    async with topgun.Client(apis, registry=registry, **plain_exchange.client_kwargs()) as client:
        with pytest.raises(topgun.InsecureDestinationError):
            await client.fetch("GET", "http://api.ported.test:8443/v1/c")
    assert [r["path"] for r in tls_exchange.seen] == ["/v1/a"]
    assert tls_exchange.seen[0]["headers"]["X-TOY-KEY"] == TOY_KEY
    assert plain_exchange.seen == []


@pytest.mark.parametrize(
    "url",
    ["ws://ws.toy.test/private", "wss://ws.toy.test:8443/private", "http://ws.toy.test/private"],
)
async def test_a_websocket_that_would_log_in_insecurely_is_refused(
    url: str, plugin_factory: Any
) -> None:
    registry = _ws_registry(plugin_factory)
    async with topgun.Client({"toy": [TOY_KEY, TOY_SECRET]}, registry=registry) as client:
        with pytest.raises(topgun.InsecureDestinationError, match=r"wss://ws\.toy\.test/"):
            client.ws_connect(url)
        assert _ws_tasks() == []
        # The same URL without the login is allowed (it is never connected here).
        app = client.ws_connect(url, auth=None, backoff=(60, 60, 1, 60))
        await app.close()


async def test_changing_a_websocket_url_to_an_insecure_one_is_refused(
    plugin_factory: Any,
) -> None:
    registry = _ws_registry(plugin_factory)
    async with topgun.Client({"toy": [TOY_KEY, TOY_SECRET]}, registry=registry) as client:
        app = client.ws_connect("wss://ws.toy.test/private", backoff=(60, 60, 1, 60))
        with pytest.raises(topgun.InsecureDestinationError):
            app.url = "ws://ws.toy.test/private"
        assert str(app.url) == "wss://ws.toy.test/private"
        await app.close()


def _ws_registry(plugin_factory: Callable[..., types.ModuleType]) -> Registry:
    plugin = plugin_factory(
        "toyws",
        apis=[ApiSpec("toy")],
        hosts=[Host("ws.toy.test", api="toy", ws_authenticator=_never_called)],
    )
    return build_registry([plugin], strict=True)


# -- 3. one spelling per host -----------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["API.TOY.TEST", "api.toy.test.", "Api.Toy.Test."])
def test_another_spelling_of_a_registered_host_is_a_conflict(
    plugin_factory: Any, toy_plugin_module: Any, spelling: str
) -> None:
    rival = plugin_factory("rival", apis=[ApiSpec("rival")], hosts=[Host(spelling, api="rival")])
    with pytest.raises(topgun.PluginConflictError, match=r"'api\.toy\.test'"):
        build_registry([toy_plugin_module, rival], strict=True)


def test_unicode_and_punycode_spellings_are_one_host(plugin_factory: Any) -> None:
    one = plugin_factory("one", apis=[ApiSpec("one")], hosts=[Host("bücher.test", api="one")])
    two = plugin_factory(
        "two", apis=[ApiSpec("two")], hosts=[Host("xn--bcher-kva.test", api="two")]
    )
    with pytest.raises(topgun.PluginConflictError, match=r"xn--bcher-kva\.test"):
        build_registry([one, two], strict=True)


@pytest.mark.parametrize("name", ["api.toy.test:8443", "https://api.toy.test", "api toy", ""])
def test_a_host_name_that_is_not_one_is_a_plugin_error(plugin_factory: Any, name: str) -> None:
    plugin = plugin_factory("bad", apis=[ApiSpec("bad")], hosts=[Host(name, api="bad")])
    with pytest.raises(topgun.PluginError, match="plugin 'bad'"):
        build_registry([plugin], strict=True)


async def test_an_upper_case_registration_still_signs_its_host(
    tls_exchange: HttpExchange, plugin_factory: Any
) -> None:
    def signer(request: SigningRequest) -> SignedRequest:
        text = request.method.encode() + request.url.raw_path_qs.encode() + request.body
        sign = hmac.digest(request.credential.secret_bytes, text, "sha256").hex()
        return SignedRequest(headers={"X-TOY-KEY": request.credential.key, "X-TOY-SIGN": sign})

    plugin = plugin_factory(
        "toy",
        apis=[ApiSpec("toy")],
        hosts=[Host("API.Toy.TEST.", api="toy", signer=signer, body="json")],
    )
    registry = build_registry([plugin], strict=True)
    assert list(registry.hosts) == ["api.toy.test"]
    async with topgun.Client(
        {"toy": [TOY_KEY, TOY_SECRET]}, registry=registry, **tls_exchange.client_kwargs()
    ) as client:
        result = await client.fetch("GET", "https://api.toy.test/v1/balance")
    assert result.data == {"verified": True}


async def test_a_url_with_the_root_dot_is_the_same_host(
    toy_registry: Registry, plugin_factory: Any
) -> None:
    # DNS-wise ``api.toy.test.`` is ``api.toy.test``: it is routed, signed and checked alike.
    apis = {"toy": [TOY_KEY, TOY_SECRET]}
    async with (
        HttpExchange(["api.toy.test", "api.toy.test."], _answer) as server,
        topgun.Client(apis, registry=toy_registry, **server.client_kwargs()) as client,
    ):
        result = await client.fetch("GET", "https://api.toy.test./v1/balance")
        with pytest.raises(topgun.InsecureDestinationError):
            await client.fetch("GET", "http://api.toy.test./v1/balance")
    assert result.data == {"verified": True}
    assert server.seen[0]["headers"]["X-TOY-KEY"] == TOY_KEY


# -- 4. signed headers are masked in whatever aiohttp hands back ------------------------------


def _passphrase_registry(plugin_factory: Any) -> Registry:
    def signer(request: SigningRequest) -> SignedRequest:
        text = request.method.encode() + request.url.raw_path_qs.encode() + request.body
        return SignedRequest(
            headers={
                "X-TOY-KEY": request.credential.key,
                "X-TOY-SIGN": hmac.digest(request.credential.secret_bytes, text, "sha256").hex(),
                "X-TOY-PASSPHRASE": request.credential.passphrase,
            }
        )

    plugin = plugin_factory(
        "toy",
        apis=[ApiSpec("toy", fields=("API_KEY", "API_SECRET", "PASSPHRASE"))],
        hosts=[Host("api.toy.test", api="toy", signer=signer, body="json")],
    )
    return build_registry([plugin], strict=True)


def _leaks(text: str, sent: dict[str, Any]) -> list[str]:
    values = [TOY_KEY, PASSPHRASE, sent["headers"]["X-TOY-SIGN"]]
    return [value for value in values if value in text]


async def test_raise_for_status_error_shows_credential_headers_masked(
    tls_exchange: HttpExchange, plugin_factory: Any
) -> None:
    registry = _passphrase_registry(plugin_factory)
    apis = {"toy": [TOY_KEY, TOY_SECRET, PASSPHRASE]}
    async with (
        topgun.Client(apis, registry=registry, **tls_exchange.client_kwargs()) as client,
        client.post("https://api.toy.test/bad", data={"size": 1}) as response,
    ):
        with pytest.raises(aiohttp.ClientResponseError) as raised:
            response.raise_for_status()
        info = response.request_info
    sent = tls_exchange.seen[0]
    assert sent["headers"]["X-TOY-PASSPHRASE"] == PASSPHRASE  # the exchange got them
    error = raised.value
    assert _leaks(repr(error), sent) == [] and _leaks(str(error), sent) == []
    assert "X-TOY-PASSPHRASE" in repr(error) and "***" in repr(error)
    for name in ("X-TOY-KEY", "X-TOY-SIGN", "X-TOY-PASSPHRASE"):
        assert info.headers[name] == "***"
    assert info.headers["Content-Type"] == "application/json"  # the rest is left as sent


async def test_redirect_history_and_too_many_redirects_are_masked(
    tls_exchange: HttpExchange, plugin_factory: Any
) -> None:
    registry = _passphrase_registry(plugin_factory)
    apis = {"toy": [TOY_KEY, TOY_SECRET, PASSPHRASE]}
    async with topgun.Client(apis, registry=registry, **tls_exchange.client_kwargs()) as client:
        result = await client.fetch("GET", "https://api.toy.test/hop")
        with pytest.raises(aiohttp.TooManyRedirects) as raised:
            await client.fetch("GET", "https://api.toy.test/loop", max_redirects=3)
    first = tls_exchange.seen[0]
    (hop,) = result.response.history
    assert _leaks(repr(hop.request_info), first) == []
    assert _leaks(repr(result.response.request_info), tls_exchange.seen[1]) == []
    text = repr(raised.value) + repr([r.request_info for r in raised.value.history])
    assert all(_leaks(text, record) == [] for record in tls_exchange.seen[2:])
    assert "***" in text
