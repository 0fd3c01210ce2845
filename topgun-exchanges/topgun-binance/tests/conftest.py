"""Fixtures: a local Binance-like REST server that checks signatures the way Binance documents them.

https://developers.binance.com/docs/binance-spot-api-docs/rest-api/request-security : the
signature covers totalParams = query string (without ``signature``) + request body; HMAC keys give
a hex HMAC-SHA256, RSA keys a base64 RSASSA-PKCS1-v1_5/SHA-256 signature and Ed25519 keys a base64
Ed25519 signature. The server recomputes (HMAC) or verifies with the public key (RSA, Ed25519) on
its own, without calling the plugin's signer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from topgun.testing import HttpExchange
from topgun.testing.fixtures import *  # noqa: F403 - the shared pytest fixtures

# The example key pair of the official docs ("SIGNED Endpoint Examples for POST /api/v3/order").
DOC_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
DOC_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
KEYS = Path(__file__).parent / "keys"
ED25519_PEM = (KEYS / "test-ed25519-private.pem").read_text()
RSA_PEM = (KEYS / "test-rsa-private.pem").read_text()
ED25519_KEY = "ed25519-api-key"
RSA_KEY = "rsa-api-key"

HOSTS = ["api.binance.com", "fapi.binance.com", "testnet.binance.vision", "evil.test"]
KEY_ONLY = {
    "/api/v3/userDataStream",
    "/sapi/v1/userDataStream",
    "/sapi/v1/userDataStream/isolated",
    "/fapi/v1/listenKey",
    "/dapi/v1/listenKey",
}


def _public_key(pem: str) -> Any:
    return serialization.load_pem_private_key(pem.encode(), password=None).public_key()


PUBLIC_KEYS = {ED25519_KEY: _public_key(ED25519_PEM), RSA_KEY: _public_key(RSA_PEM)}


def split_signature(raw_query: str) -> tuple[str, str | None]:
    """The query without its ``signature`` pair, and the (still percent-encoded) signature."""
    kept, signature = [], None
    for part in raw_query.split("&") if raw_query else []:
        if part.startswith("signature="):
            signature = part.removeprefix("signature=")
        else:
            kept.append(part)
    return "&".join(kept), signature


def verify(api_key: str, payload: bytes, signature: str) -> bool:
    public = PUBLIC_KEYS.get(api_key)
    if public is None:
        expected = hmac.new(DOC_SECRET.encode(), payload, hashlib.sha256).hexdigest()
        return hmac.compare_digest(signature.lower(), expected)
    raw = base64.b64decode(unquote(signature))
    try:
        if isinstance(public, ed25519.Ed25519PublicKey):
            public.verify(raw, payload)
        else:
            assert isinstance(public, rsa.RSAPublicKey)
            public.verify(raw, payload, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


async def handle(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
    api_key = request.headers.get("X-MBX-APIKEY")
    if request.path in ("/api/v3/time", "/api/v3/depth"):
        return web.json_response({"serverTime": 1700000000123})
    if api_key not in (DOC_KEY, ED25519_KEY, RSA_KEY):
        return web.json_response({"code": -2015, "msg": "Invalid API-key"}, status=401)
    if request.path in KEY_ONLY:
        record["verified"] = "signature" not in request.query
        return web.json_response(
            {"listenKey": "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1"}
        )
    unsigned, signature = split_signature(record["query"])
    if signature is None or "timestamp" not in (request.query.keys() | _form_keys(body)):
        return web.json_response({"code": -1102, "msg": "Mandatory parameter"}, status=400)
    if not verify(api_key, unsigned.encode() + body, signature):
        return web.json_response({"code": -1022, "msg": "Signature invalid"}, status=400)
    record["verified"] = True
    return web.json_response({"ok": True})


def _form_keys(body: bytes) -> set[str]:
    return {part.split(b"=", 1)[0].decode() for part in body.split(b"&") if part}


@pytest.fixture
async def binance_exchange() -> AsyncIterator[HttpExchange]:
    """Binance hosts served from 127.0.0.1 over TLS; ``.seen`` records every request."""
    async with HttpExchange(HOSTS, handle) as server:
        yield server


@pytest.fixture
def binance_doc_credentials() -> tuple[str, str]:
    return DOC_KEY, DOC_SECRET


@pytest.fixture
def binance_pem_keys() -> dict[str, tuple[str, str]]:
    """API key and PEM private key per key type (throwaway keys, see keys/README.md)."""
    return {"ed25519": (ED25519_KEY, ED25519_PEM), "rsa": (RSA_KEY, RSA_PEM)}


@pytest.fixture
def binance_verify() -> Any:
    """Independent signature check: (api_key, payload, signature) -> bool."""
    return verify
