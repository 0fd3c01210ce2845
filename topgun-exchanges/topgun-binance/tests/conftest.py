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

import orjson
import pytest
from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from topgun.testing import HttpExchange, Registry, build_registry
from topgun.testing.fixtures import *  # noqa: F403 - the shared pytest fixtures
from topgun_binance import plugin

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


# -- DataStore samples: the payload examples of the official docs, one per message kind ----------
# Spot streams: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams
# Spot user data: https://developers.binance.com/docs/binance-spot-api-docs/user-data-stream
# USDⓈ-M: https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams
#   and .../usds-margined-futures/user-data-streams (Event-Balance-and-Position-Update,
#   Event-Order-Update); COIN-M: .../coin-margined-futures/websocket-market-streams and
#   .../coin-margined-futures/user-data-streams.
DOC_MESSAGES: dict[str, Any] = {
    "aggTrade": {
        "e": "aggTrade",
        "E": 1672515782136,
        "s": "BNBBTC",
        "a": 12345,
        "p": "0.001",
        "q": "100",
        "f": 100,
        "l": 105,
        "T": 1672515782136,
        "m": True,
        "M": True,
    },
    "trade": {
        "e": "trade",
        "E": 1672515782136,
        "s": "BNBBTC",
        "t": 12345,
        "p": "0.001",
        "q": "100",
        "T": 1672515782136,
        "m": True,
        "M": True,
    },
    "kline": {
        "e": "kline",
        "E": 1672515782136,
        "s": "BNBBTC",
        "k": {
            "t": 1672515780000,
            "T": 1672515839999,
            "s": "BNBBTC",
            "i": "1m",
            "f": 100,
            "L": 200,
            "o": "0.0010",
            "c": "0.0020",
            "h": "0.0025",
            "l": "0.0015",
            "v": "1000",
            "n": 100,
            "x": False,
            "q": "1.0000",
            "V": "500",
            "Q": "0.500",
            "B": "123456",
        },
    },
    "24hrMiniTicker": {
        "e": "24hrMiniTicker",
        "E": 1672515782136,
        "s": "BNBBTC",
        "c": "0.0025",
        "o": "0.0010",
        "h": "0.0025",
        "l": "0.0010",
        "v": "10000",
        "q": "18",
    },
    "spot bookTicker": {
        "u": 400900217,
        "s": "BNBUSDT",
        "b": "25.35190000",
        "B": "31.21000000",
        "a": "25.36520000",
        "A": "40.66000000",
    },
    "bookTicker": {
        "e": "bookTicker",
        "u": 400900217,
        "E": 1568014460893,
        "T": 1568014460891,
        "s": "BNBUSDT",
        "b": "25.35190000",
        "B": "31.21000000",
        "a": "25.36520000",
        "A": "40.66000000",
    },
    "spot depthUpdate": {
        "e": "depthUpdate",
        "E": 1672515782136,
        "s": "BNBBTC",
        "U": 157,
        "u": 160,
        "b": [["0.0024", "10"]],
        "a": [["0.0026", "100"]],
    },
    "depthUpdate": {
        "e": "depthUpdate",
        "E": 123456789,
        "T": 123456788,
        "s": "BTCUSDT",
        "U": 157,
        "u": 160,
        "pu": 149,
        "b": [["0.0024", "10"]],
        "a": [["0.0026", "100"]],
    },
    "markPriceUpdate": {
        "e": "markPriceUpdate",
        "E": 1562305380000,
        "s": "BTCUSDT",
        "p": "11794.15000000",
        "i": "11784.62659091",
        "P": "11784.25641265",
        "r": "0.00038167",
        "T": 1562306400000,
    },
    "continuous_kline": {
        "e": "continuous_kline",
        "E": 1607443058651,
        "ps": "BTCUSDT",
        "ct": "PERPETUAL",
        "k": {
            "t": 1607443020000,
            "T": 1607443079999,
            "i": "1m",
            "f": 116467658886,
            "L": 116468012423,
            "o": "18787.00",
            "c": "18804.04",
            "h": "18804.04",
            "l": "18786.54",
            "v": "197.664",
            "n": 543,
            "x": False,
            "q": "3715253.19494",
            "V": "184.769",
            "Q": "3472925.84746",
            "B": "0",
        },
    },
    "forceOrder": {
        "e": "forceOrder",
        "E": 1568014460893,
        "o": {
            "s": "BTCUSDT",
            "S": "SELL",
            "o": "LIMIT",
            "f": "IOC",
            "q": "0.014",
            "p": "9910",
            "ap": "9910",
            "X": "FILLED",
            "l": "0.014",
            "z": "0.014",
            "T": 1568014460893,
        },
    },
    "compositeIndex": {
        "e": "compositeIndex",
        "E": 1602310596000,
        "s": "DEFIUSDT",
        "p": "554.41604065",
        "C": "baseAsset",
        "c": [
            {"b": "BAL", "q": "USDT", "w": "1.04884844", "W": "0.01457800", "i": "24.33521021"},
            {"b": "BAND", "q": "USDT", "w": "3.53782729", "W": "0.03935200", "i": "7.26420084"},
        ],
    },
    "indexPriceUpdate": {
        "e": "indexPriceUpdate",
        "E": 1591261236000,
        "i": "BTCUSD",
        "p": "9636.57860000",
    },
    "indexPrice_kline": {
        "e": "indexPrice_kline",
        "E": 1591267070033,
        "ps": "BTCUSD",
        "k": {
            "t": 1591267020000,
            "T": 1591267079999,
            "s": "0",
            "i": "1m",
            "f": 1591267020000,
            "L": 1591267070000,
            "o": "9542.21900000",
            "c": "9542.50440000",
            "h": "9542.71640000",
            "l": "9542.21040000",
            "v": "0",
            "n": 51,
            "x": False,
            "q": "0",
            "V": "0",
            "Q": "0",
            "B": "0",
        },
    },
    "markPrice_kline": {
        "e": "markPrice_kline",
        "E": 1591268208000,
        "ps": "BTCUSD",
        "k": {
            "t": 1591268160000,
            "T": 1591268219999,
            "s": "BTCUSD_200626",
            "i": "1m",
            "f": 1591268160000,
            "L": 1591268160000,
            "o": "9522.8",
            "c": "9524.1",
            "h": "9524.1",
            "l": "9522.8",
            "v": "0",
            "n": 1,
            "x": False,
            "q": "0",
            "V": "0",
            "Q": "0",
            "B": "0",
        },
    },
    "executionReport": {
        "e": "executionReport",
        "E": 1499405658658,
        "s": "ETHBTC",
        "c": "mUvoqJxFIILMdfAW5iGSOW",
        "S": "BUY",
        "o": "LIMIT",
        "f": "GTC",
        "q": "1.00000000",
        "p": "0.10264410",
        "P": "0.00000000",
        "F": "0.00000000",
        "g": -1,
        "C": "",
        "x": "NEW",
        "X": "NEW",
        "r": "NONE",
        "i": 4293153,
        "l": "0.00000000",
        "z": "0.00000000",
        "L": "0.00000000",
        "n": "0",
        "N": None,
        "T": 1499405658657,
        "t": -1,
        "v": 3,
        "I": 8641984,
        "w": True,
        "m": False,
        "M": False,
        "O": 1499405658657,
        "Z": "0.00000000",
        "Y": "0.00000000",
        "Q": "0.00000000",
        "W": 1499405658657,
        "V": "NONE",
    },
    "outboundAccountPosition": {
        "e": "outboundAccountPosition",
        "E": 1564034571105,
        "u": 1564034571073,
        "B": [{"a": "ETH", "f": "10000.000000", "l": "0.000000"}],
    },
    "listStatus": {
        "e": "listStatus",
        "E": 1564035303637,
        "s": "ETHBTC",
        "g": 2,
        "c": "OCO",
        "l": "EXEC_STARTED",
        "L": "EXECUTING",
        "r": "NONE",
        "C": "F4QN4G8DlFATFlIUQ0cjdD",
        "T": 1564035303625,
        "O": [
            {"s": "ETHBTC", "i": 17, "c": "AJYsMjErWJesZvqlJCTUgL"},
            {"s": "ETHBTC", "i": 18, "c": "bfYPSQdLoqAJeNrOr9adzq"},
        ],
    },
    "ACCOUNT_UPDATE": {
        "e": "ACCOUNT_UPDATE",
        "E": 1564745798939,
        "T": 1564745798938,
        "a": {
            "m": "ORDER",
            "B": [
                {"a": "USDT", "wb": "122624.12345678", "cw": "100.12345678", "bc": "50.12345678"},
                {"a": "BUSD", "wb": "1.00000000", "cw": "0.00000000", "bc": "-49.12345678"},
            ],
            "P": [
                {
                    "s": "BTCUSDT",
                    "pa": "0",
                    "ep": "0.00000",
                    "bep": "0",
                    "cr": "200",
                    "up": "0",
                    "mt": "isolated",
                    "iw": "0.00000000",
                    "ps": "BOTH",
                },
                {
                    "s": "BTCUSDT",
                    "pa": "20",
                    "ep": "6563.66500",
                    "bep": "0",
                    "cr": "0",
                    "up": "2850.21200",
                    "mt": "isolated",
                    "iw": "13200.70726908",
                    "ps": "LONG",
                },
            ],
        },
    },
    "ORDER_TRADE_UPDATE": {
        "e": "ORDER_TRADE_UPDATE",
        "E": 1568879465651,
        "T": 1568879465650,
        "o": {
            "s": "BTCUSDT",
            "c": "TEST",
            "S": "SELL",
            "o": "TRAILING_STOP_MARKET",
            "f": "GTC",
            "q": "0.001",
            "p": "0",
            "ap": "0",
            "sp": "7103.04",
            "x": "NEW",
            "X": "NEW",
            "i": 8886774,
            "l": "0",
            "z": "0",
            "L": "0",
            "N": "USDT",
            "n": "0",
            "T": 1568879465650,
            "t": 0,
            "b": "0",
            "a": "9.91",
            "m": False,
            "R": False,
            "wt": "CONTRACT_PRICE",
            "ot": "TRAILING_STOP_MARKET",
            "ps": "LONG",
            "cp": False,
            "AP": "7476.89",
            "cr": "5.0",
            "pP": False,
            "si": 0,
            "ss": 0,
            "rp": "0",
        },
    },
}


def doc_message(kind: str, **changes: Any) -> Any:
    """A fresh copy of the docs' example of ``kind`` (as parsed off the wire), with ``changes``."""
    message = orjson.loads(orjson.dumps(DOC_MESSAGES[kind]))
    message.update(changes)
    return message


@pytest.fixture
def doc() -> Any:
    """``doc("kind", **changes)``: the docs' example message of that kind, freshly parsed."""
    return doc_message


@pytest.fixture
def registry() -> Registry:
    return build_registry([plugin], strict=True)
