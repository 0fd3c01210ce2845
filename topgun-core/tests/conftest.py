"""Shared fixtures: a toy exchange plugin built in memory, served from 127.0.0.1 over TLS.

Core knows no exchange, so core tests use a made-up one: ``toy`` signs ``X-TOY-*`` headers with
HMAC-SHA256 over method + path-with-query + body, on hosts ``api.toy.test`` and ``alt.toy.test``.
"""

from __future__ import annotations

import hmac
import textwrap
import types
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

import topgun
from topgun.plugin import ApiSelector, ApiSpec, Host, SignedRequest, SigningRequest, hookimpl
from topgun.registry import Registry, build_registry
from topgun.testing import HttpExchange
from topgun.testing.fixtures import *  # noqa: F403 - the shared pytest fixtures

TOY_KEY = "toy-key-0001"
TOY_SECRET = "toy-secret-DO-NOT-LEAK-7f3a"


def toy_signature(secret: str, method: str, path_qs: str, body: bytes) -> str:
    text = method.encode() + path_qs.encode() + body
    return hmac.digest(secret.encode(), text, "sha256").hex()


def toy_signer(request: SigningRequest) -> SignedRequest:
    return SignedRequest(
        headers={
            "X-TOY-KEY": request.credential.key,
            "X-TOY-SIGN": toy_signature(
                request.credential.secret, request.method, request.url.raw_path_qs, request.body
            ),
        }
    )


def make_plugin(
    name: str,
    apis: Iterable[ApiSpec] = (),
    hosts: Iterable[Host] = (),
    datastores: Iterable[tuple[str, type]] = (),
) -> types.ModuleType:
    """A plugin module with the three registration hooks, as an entry point would load it."""
    module = types.ModuleType(f"topgun_{name}")
    apis, hosts, datastores = list(apis), list(hosts), list(datastores)

    @hookimpl
    def topgun_register_apis(register: Callable[[ApiSpec], None]) -> None:
        for spec in apis:
            register(spec)

    @hookimpl
    def topgun_register_hosts(register: Callable[[Host], None]) -> None:
        for host in hosts:
            register(host)

    @hookimpl
    def topgun_register_datastores(register: Callable[[str, type], None]) -> None:
        for public_name, cls in datastores:
            register(public_name, cls)

    module.topgun_register_apis = topgun_register_apis  # type: ignore[attr-defined]
    module.topgun_register_hosts = topgun_register_hosts  # type: ignore[attr-defined]
    module.topgun_register_datastores = topgun_register_datastores  # type: ignore[attr-defined]
    return module


def toy_plugin() -> types.ModuleType:
    return make_plugin(
        "toy",
        apis=[
            ApiSpec("toy", label="Toy"),
            ApiSpec("toy_demo", label="Toy demo"),
            ApiSpec(
                "toy_pass",
                fields=("API_KEY", "API_SECRET", "PASSPHRASE"),
                hint="Toy needs the passphrase.",
            ),
        ],
        hosts=[
            Host("api.toy.test", api="toy", signer=toy_signer, body="json"),
            Host(
                "alt.toy.test",
                api=ApiSelector(
                    ("toy", "toy_demo"),
                    lambda h: "toy_demo" if h.get("x-toy-demo") == "1" else "toy",
                ),
                signer=toy_signer,
                body="form",
            ),
        ],
    )


@pytest.fixture
def toy_registry() -> Registry:
    return build_registry([toy_plugin()], strict=True)


async def _toy_exchange(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
    if request.path == "/redirect-other":
        raise web.HTTPTemporaryRedirect("https://evil.test/landing")
    if request.path == "/redirect-same":
        raise web.HTTPTemporaryRedirect("https://api.toy.test/landing")
    if request.path == "/text":
        return web.Response(text="<html>maintenance</html>", content_type="text/html")
    sign = request.headers.get("X-TOY-SIGN")
    record["verified"] = sign is not None and hmac.compare_digest(
        sign, toy_signature(TOY_SECRET, request.method, request.raw_path, body)
    )
    return web.json_response({"path": request.path, "verified": record["verified"]})


@pytest.fixture
async def toy_exchange() -> AsyncIterator[HttpExchange]:
    async with HttpExchange(["api.toy.test", "alt.toy.test", "evil.test"], _toy_exchange) as server:
        yield server


@pytest.fixture
def toy_apis() -> dict[str, list[str]]:
    return {"toy": [TOY_KEY, TOY_SECRET], "toy_demo": ["demo-key", "demo-secret-XYZ"]}


@pytest.fixture
def toy_client(
    toy_exchange: HttpExchange, toy_registry: Registry, toy_apis: dict[str, list[str]]
) -> Callable[..., topgun.Client]:
    """``toy_client(**overrides)``: a Client of the toy exchange (its keys, registry and TLS)."""

    def make(**overrides: Any) -> topgun.Client:
        options = {"apis": toy_apis, "registry": toy_registry, **toy_exchange.client_kwargs()}
        return topgun.Client(**{**options, **overrides})

    return make


@pytest.fixture
def toy_secret() -> str:
    return TOY_SECRET


@pytest.fixture
def plugin_factory() -> Callable[..., types.ModuleType]:
    return make_plugin


@pytest.fixture
def toy_plugin_module() -> types.ModuleType:
    return toy_plugin()


@pytest.fixture
def install_plugin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[str, str, str], None]:
    """``install_plugin(name, module, source)``: ``topgun-<name>`` laid out as pip would (its
    dist-info with the entry point, and the plugin's module) on this test's ``sys.path``. Give
    each test its own module names: imports are cached for the whole run."""
    monkeypatch.syspath_prepend(str(tmp_path))

    def install(name: str, module: str, source: str) -> None:
        dist = f"topgun-{name}"
        info = tmp_path / f"{dist.replace('-', '_')}-0.1.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
        (info / "entry_points.txt").write_text(f"[topgun]\n{name} = {module}\n")
        (tmp_path / f"{module}.py").write_text(textwrap.dedent(source))

    return install
