"""Signing checks: the vectors, a local exchange under the real hostnames that verifies what
arrives, and requests that must carry no credentials at all."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable, Mapping, Set
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import orjson
from aiohttp import web
from yarl import URL

from ...client import Client
from ...credential import Credential
from ...registry import Registry
from ...registry.hostname import lookup
from ..http import HttpExchange
from .description import Exchange, HttpRecord
from .vectors import SignatureVector, sign_vector

__all__ = [
    "LocalSigningExchange",
    "check_delivered",
    "check_unsigned",
    "check_vector",
    "credential_values",
    "local_exchange",
    "replay",
]


def check_vector(vector: SignatureVector, registry: Registry) -> None:
    """The registered signer turns the vector's request into exactly the documented output."""
    signed = sign_vector(vector, registry)
    expected = vector.expected
    headers = {name: str(value) for name, value in signed.headers.items()}
    want = dict(expected.get("headers") or {})
    for name, value in want.items():
        assert name in headers, f"{vector.name}: the signer adds no {name} header ({vector.doc})"
        assert headers[name] == value, f"{vector.name}: {name} differs from {vector.doc}"
    for name in expected.get("absent_headers") or ():
        assert name not in headers, f"{vector.name}: the signer adds {name}"
    if expected.get("all_headers"):
        assert headers == want, f"{vector.name}: the signer adds {sorted(headers)}"
    if expected.get("url", "") is None:
        assert signed.url is None, f"{vector.name}: the signer replaces the URL"
    elif "url" in expected:
        assert signed.url is not None, f"{vector.name}: the signer replaces no URL"
        assert str(signed.url) == expected["url"], f"{vector.name}: URL differs ({vector.doc})"
    if expected.get("body", "") is None:
        assert signed.body is None, f"{vector.name}: the signer replaces the body"
    elif "body" in expected:
        assert signed.body is not None, f"{vector.name}: the signer replaces no body"
        assert signed.body.decode() == expected["body"], f"{vector.name}: body differs"


@dataclass
class LocalSigningExchange:
    """What the local exchange expects (``credential``: None answers everything unchecked) and
    the server itself, whose ``seen`` records every request."""

    exchange: Exchange
    server: HttpExchange | None = None
    credential: Credential | None = None
    verdicts: list[bool] = field(default_factory=list)

    async def handle(
        self, request: web.Request, body: bytes, record: dict[str, Any]
    ) -> web.Response:
        if self.credential is None or self.exchange.verify is None:
            return web.json_response({})
        received = HttpRecord(
            request.method, record["host"], request.raw_path, request.headers, body
        )
        verified = self.exchange.verify(received, self.credential)
        record["verified"] = verified
        self.verdicts.append(verified)
        if verified:
            return web.json_response({"verified": True})
        return web.json_response(
            {"error": "signature does not verify"}, status=self.exchange.refused_status
        )

    @property
    def seen(self) -> list[dict[str, Any]]:
        assert self.server is not None
        return self.server.seen

    def client(self, registry: Registry, apis: Mapping[str, Any] | None) -> Client:
        assert self.server is not None
        return self.server.client(apis=apis or {}, registry=registry)


@contextlib.asynccontextmanager
async def local_exchange(
    exchange: Exchange, hosts: Iterable[str]
) -> AsyncIterator[LocalSigningExchange]:
    """``hosts`` served from 127.0.0.1 over TLS by an exchange that runs ``exchange.verify``."""
    local = LocalSigningExchange(exchange)
    async with HttpExchange(sorted(set(hosts)), local.handle) as server:
        local.server = server
        yield local


async def replay(
    local: LocalSigningExchange,
    registry: Registry,
    vector: SignatureVector,
    credential: tuple[str, ...] | None,
    *,
    expect: tuple[str, ...] | None = None,
    **options: Any,
) -> tuple[int, dict[str, Any]]:
    """Send the vector's request through a ``Client`` holding ``credential`` (None: no apis) to
    an exchange that checks it against ``expect`` (default: the same credential); the status
    and the request as the exchange received it."""
    route = lookup(registry.hosts, vector.target)
    encoding = route.host.body if route is not None else None
    apis = None if credential is None else {vector.api: list(credential)}
    expected = expect if expect is not None else credential
    local.credential = None if expected is None else Credential(vector.api, expected)
    url, params = (vector.target, None) if vector.encoded else _split_query(vector.target)
    async with local.client(registry, apis) as client:
        result = await client.fetch(
            vector.method,
            url,
            params=params,
            data=vector.decoded_data(encoding),
            headers=dict(vector.headers),
            **options,
        )
    return result.response.status, local.seen[-1]


def _split_query(url: URL) -> tuple[URL, list[tuple[str, str]] | None]:
    """The query as ``params=`` (how callers usually pass it) where that sends the same bytes."""
    params = list(url.query.items())
    if params and url.with_query(params).raw_query_string == url.raw_query_string:
        return url.with_query(None), params
    return url, None


def check_delivered(record: Mapping[str, Any], vector: SignatureVector, registry: Registry) -> None:
    """What arrived is the vector's request: its path and query, and its body as encoded for the
    host (the signed bytes are the sent bytes), with the matching content type."""
    url = vector.target
    if (
        vector.expected.get("url") is not None
    ):  # a query signer: the caller's parameters, and its own
        received = URL(record["path_qs"], encoded=True)
        assert received.raw_path == url.raw_path, (received.raw_path, url.raw_path)
        pairs = list(received.query.items())
        assert all(pair in pairs for pair in url.query.items()), (pairs, url.raw_query_string)
    else:
        assert record["path_qs"] == url.raw_path_qs, (record["path_qs"], url.raw_path_qs)
    route = lookup(registry.hosts, url)
    assert route is not None
    if vector.expected.get("body") is None and (vector.body or vector.data is not None):
        data = vector.decoded_data(route.host.body)
        content_type = record["headers"].get("Content-Type", "")
        if route.host.body == "json":
            assert content_type.startswith("application/json"), content_type
            assert orjson.loads(record["body"]) == data
        elif route.host.body == "form":
            assert content_type.startswith("application/x-www-form-urlencoded"), content_type
            assert dict(parse_qsl(record["body"].decode())) == data


def credential_values(credential: Iterable[str]) -> list[str]:
    """The values that must never travel where no credential is needed (short ones aside)."""
    return [value for value in credential if len(value) >= 8]


def check_unsigned(
    record: Mapping[str, Any],
    secret_headers: Set[str],
    values: list[str],
    secret_params: Set[str] = frozenset(),
) -> None:
    """``record`` (a request the exchange received) carries no credential of any kind: none of
    the headers or query parameters signing adds, and none of the credential's values."""
    where = f"{record['method']} {record['host']}{record['path_qs']}"
    names = {name.lower() for name in record["headers"]}
    leaked = sorted(names & secret_headers)
    assert not leaked, f"{where} carries the credential headers {leaked}"
    params = sorted(set(URL(record["path_qs"], encoded=True).query) & secret_params)
    assert not params, f"{where} carries the signing parameters {params}"
    text = "\n".join(
        [
            record["path_qs"],
            str(URL(record["path_qs"]).query),
            record["body"].decode(errors="replace"),
        ]
        + [str(value) for value in record["headers"].values()]
    )
    for value in values:
        assert value not in text, f"{where} carries a credential value"
