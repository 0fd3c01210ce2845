"""Signature vectors: an exchange's documented signing examples, kept as data (with the public
endpoints and WebSocket rules it documents, see ``ExchangeFacts``).

One JSON file per exchange (``tests/vectors/<slug>.json`` in its distribution)::

    {
      "doc": "https://exchange.example/docs#authentication",
      "vectors": [
        {
          "name": "get-with-query",
          "doc": "https://...",                       (optional: this case's own source)
          "api": "foo",
          "credential": ["key", "secret"],
          "time": 1700000000.123,                     (the frozen clock, Unix seconds)
          "request": {"method": "GET", "url": "https://api.foo.example/v1/x?a=1",
                      "headers": {}, "body": "", "data": null},
          "expected": {"headers": {"X-SIGN": "..."}, "all_headers": false,
                       "url": "...", "body": "..."},
          "live": true
        }
      ]
    }

``expected.headers`` must all be among what the signer adds (``all_headers``: and nothing else;
``absent_headers``: names it must not add);
``expected.url`` / ``expected.body`` are the replacement URL and body a query or body signer
returns (``null``: the signer must leave it as it is). ``request.data`` is what the caller passed (the body's decoded form); without it the
body is decoded by the host's body encoding. ``live: false`` keeps a case out of the replay
against the local exchange (a request that only makes sense at a frozen time, say);
``request.encoded: true`` sends the URL exactly as written (its percent-escapes kept).
Expected values come from the exchange's worked examples, or from an independent computation of
its recipe where it publishes none; ``doc`` says which.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

import orjson
from yarl import URL

from ...credential import Credential
from ...plugin import BodyEncoding, RateLimit, SignedRequest
from ...registry import Registry
from ...registry.hostname import lookup
from ..signing import signing_request
from .description import Socket

__all__ = ["ExchangeFacts", "SignatureVector", "load_facts", "load_vectors", "sign_vector"]


@dataclass(frozen=True, slots=True)
class SignatureVector:
    """One signing case: a credential and a frozen time, a request in, what the signer adds."""

    name: str
    doc: str
    """Where the expected values come from."""
    api: str
    credential: tuple[str, ...]
    """The API name and credential elements that sign."""
    time: float
    """The frozen clock, Unix seconds."""
    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: str = ""
    data: Any = None
    """The request: the body as sent, and ``data`` as the caller passed it (if it differs)."""
    expected: Mapping[str, Any] = field(default_factory=dict)
    live: bool = True
    encoded: bool = False
    """The URL is sent exactly as written (percent-escapes and all), as ``URL(url, encoded=True)``."""

    @property
    def target(self) -> URL:
        return URL(self.url, encoded=self.encoded)

    def decoded_data(self, encoding: BodyEncoding | None) -> Any:
        """What a caller passes as ``data`` to send this body (``None``: no body)."""
        if self.data is not None or not self.body:
            return self.data
        if encoding == "form":
            return dict(parse_qsl(self.body, keep_blank_values=True))
        return orjson.loads(self.body)


class ExchangeFacts(NamedTuple):
    """What a vector file states besides its signing cases: the documented public endpoints
    (``"public": ["GET https://...", ...]``) and WebSocket rules (``"sockets": [{"urls": [...],
    "idle_timeout": 30, "heartbeat_every": 20, "rate_limit": {"messages": 10, "per_seconds": 1},
    "doc": "https://..."}]``, fields as ``Socket``'s)."""

    vectors: list[SignatureVector]
    public: tuple[str, ...]
    sockets: tuple[Socket, ...]


def load_facts(path: Path) -> ExchangeFacts:
    """Everything a vector file states; ``ValueError`` says what is wrong and where."""
    document = json.loads(path.read_text(encoding="utf-8"))
    try:
        public = tuple(str(line) for line in document.get("public", ()))
        sockets = tuple(_socket(raw) for raw in document.get("sockets", ()))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path.name}: malformed public endpoints or sockets ({exc})") from None
    bad = [line for line in public if len(line.split()) != 2]
    if bad:
        raise ValueError(f"{path.name}: write public endpoints as 'METHOD URL', not {bad}")
    return ExchangeFacts(load_vectors(path), public, sockets)


def _socket(raw: Mapping[str, Any]) -> Socket:
    limit = raw.get("rate_limit")
    return Socket(
        urls=tuple(str(url) for url in raw["urls"]),
        idle_timeout=raw.get("idle_timeout"),
        heartbeat_every=raw.get("heartbeat_every"),
        rate_limit=None if limit is None else RateLimit(**limit),
        doc=str(raw.get("doc", "")),
    )


def load_vectors(path: Path) -> list[SignatureVector]:
    """The cases of a vector file; ``ValueError`` names the case and field that are wrong."""
    document = json.loads(path.read_text(encoding="utf-8"))
    default_doc = document.get("doc", "")
    cases: list[SignatureVector] = []
    for index, raw in enumerate(document["vectors"]):
        where = f"{path.name}, vector {raw.get('name', index)!r}"
        try:
            request = raw["request"]
            vector = SignatureVector(
                name=str(raw["name"]),
                doc=str(raw.get("doc", default_doc)),
                api=str(raw["api"]),
                credential=tuple(str(value) for value in raw["credential"]),
                time=float(raw["time"]),
                method=str(request["method"]),
                url=str(request["url"]),
                headers=dict(request.get("headers") or {}),
                body=str(request.get("body") or ""),
                data=request.get("data"),
                expected=dict(raw["expected"]),
                live=bool(raw.get("live", True)),
                encoded=bool(request.get("encoded", False)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{where}: missing or malformed field {exc}") from None
        if not vector.doc.startswith("https://"):
            raise ValueError(f"{where}: give the doc URL the expected values come from")
        if not set(vector.expected) <= {"headers", "all_headers", "absent_headers", "url", "body"}:
            raise ValueError(
                f"{where}: expected takes headers, all_headers, absent_headers, url and body"
            )
        cases.append(vector)
    names = [case.name for case in cases]
    if len(set(names)) != len(names):
        raise ValueError(f"{path.name}: vector names must be unique, got {names}")
    return cases


def sign_vector(vector: SignatureVector, registry: Registry) -> SignedRequest:
    """Sign ``vector``'s request with the signer the registry holds for its host."""
    url = vector.target
    route = lookup(registry.hosts, url)
    if route is None or route.host.signer is None:
        raise AssertionError(f"vector {vector.name!r}: no signer is registered for {url.host}")
    encoding = route.host.body
    body = vector.body.encode()
    request = signing_request(
        vector.method,
        url,
        Credential(vector.api, vector.credential),
        body=body,
        data=vector.decoded_data(encoding) if body else vector.data,
        headers=dict(vector.headers),
        clock=vector.time,
    )
    return route.host.signer(request)
