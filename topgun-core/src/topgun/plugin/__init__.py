"""The plugin author's API: everything an exchange distribution imports at run time.

An exchange plugin is a module with ``topgun_register_*`` functions marked ``@hookimpl``; each
receives a ``register`` callback and calls it once per thing it contributes. Plugin authors import
from here and from the public top-level ``topgun`` names only, never from pluggy or from core's
inner modules: the specs a plugin registers, the clock and credential its signers get, the errors
they raise, HMAC and RSA signing helpers (RSA loads ``cryptography`` on first use), rate-limit
header readers, ``Retry``, the bounded ``Decompressor`` for compressed frames, and the DataStore,
order-book and verified-book classes its stores build on. ``tests/test_plugin_imports.py`` holds
every official distribution to this surface.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ..clock import Clock
from ..credential import Credential
from ..errors import (
    AuthenticationError,
    CredentialError,
    FrameTooLargeError,
    InitializeError,
    MalformedMessage,
    ResponseTooLargeError,
    SigningError,
    StoreError,
    TopgunError,
)
from ..http.limit import DEFAULT_MAX_RESPONSE_SIZE
from .decompress import Compression, Decompressor, decompress
from .digest import hmac_sha256, hmac_sha256_b64, hmac_sha256_hex, hmac_sha512_hex
from .hookspecs import hookimpl, hookspec
from .limits import INTERVAL_SECONDS, header_number, next_window, response_code
from .retry import Retry
from .rsa import PEM_MARKER, is_pem_key, rsa_private_key, rsa_sha256_b64
from .specs import (
    ApiSelector,
    ApiSpec,
    BodyEncoding,
    FrameDecoder,
    Heartbeat,
    HeartbeatFactory,
    Host,
    HttpRateLimits,
    MessageResponder,
    MessageSigner,
    MessageSigningRequest,
    RateLimit,
    RateLimitReader,
    RateLimitReading,
    RequestSigner,
    ServerTime,
    SignedRequest,
    SigningRequest,
    TimestampRejection,
    WebSocketAuthenticator,
    WebSocketLogin,
)

if TYPE_CHECKING:
    from ..store import (
        DEFAULT_MAXLEN,
        ChainRule,
        DataStore,
        DataStoreCollection,
        Item,
        Level,
        OrderBookStore,
        OrderRule,
        RangeRule,
        Recovery,
        RecoveryPolicy,
        SequenceRule,
        SnapshotRequest,
        Verdict,
        is_number,
        is_price,
        is_size,
        json_objects,
        price_of,
        query_param,
        signed_crc32,
    )
    from ..ws.dispatch import DEFAULT_MAX_MSG_SIZE

# The store and WebSocket names load on first use: core's own modules (the store, the WebSocket
# app) import this package's submodules (``specs``, ``hookspecs``...), which runs this file while
# they are still half-imported, so importing them here eagerly would be an import cycle. The leaf
# modules above (clock, credential, errors, the response bound) import no more of core than errors.
_ELSEWHERE: dict[str, str] = {
    "DEFAULT_MAXLEN": "topgun.store",
    "ChainRule": "topgun.store",
    "DataStore": "topgun.store",
    "DataStoreCollection": "topgun.store",
    "Item": "topgun.store",
    "Level": "topgun.store",
    "OrderBookStore": "topgun.store",
    "OrderRule": "topgun.store",
    "RangeRule": "topgun.store",
    "Recovery": "topgun.store",
    "RecoveryPolicy": "topgun.store",
    "SequenceRule": "topgun.store",
    "SnapshotRequest": "topgun.store",
    "Verdict": "topgun.store",
    "is_number": "topgun.store",
    "is_price": "topgun.store",
    "is_size": "topgun.store",
    "json_objects": "topgun.store",
    "price_of": "topgun.store",
    "query_param": "topgun.store",
    "signed_crc32": "topgun.store",
    "DEFAULT_MAX_MSG_SIZE": "topgun.ws.dispatch",
}


def __getattr__(name: str) -> Any:
    module = _ELSEWHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_MAXLEN",
    "DEFAULT_MAX_MSG_SIZE",
    "DEFAULT_MAX_RESPONSE_SIZE",
    "INTERVAL_SECONDS",
    "PEM_MARKER",
    "ApiSelector",
    "ApiSpec",
    "AuthenticationError",
    "BodyEncoding",
    "ChainRule",
    "Clock",
    "Compression",
    "Credential",
    "CredentialError",
    "DataStore",
    "DataStoreCollection",
    "Decompressor",
    "FrameDecoder",
    "FrameTooLargeError",
    "Heartbeat",
    "HeartbeatFactory",
    "Host",
    "HttpRateLimits",
    "InitializeError",
    "Item",
    "Level",
    "MalformedMessage",
    "MessageResponder",
    "MessageSigner",
    "MessageSigningRequest",
    "OrderBookStore",
    "OrderRule",
    "RangeRule",
    "RateLimit",
    "RateLimitReader",
    "RateLimitReading",
    "Recovery",
    "RecoveryPolicy",
    "RequestSigner",
    "ResponseTooLargeError",
    "Retry",
    "SequenceRule",
    "ServerTime",
    "SignedRequest",
    "SigningError",
    "SigningRequest",
    "SnapshotRequest",
    "StoreError",
    "TimestampRejection",
    "TopgunError",
    "Verdict",
    "WebSocketAuthenticator",
    "WebSocketLogin",
    "decompress",
    "header_number",
    "hmac_sha256",
    "hmac_sha256_b64",
    "hmac_sha256_hex",
    "hmac_sha512_hex",
    "hookimpl",
    "hookspec",
    "is_number",
    "is_pem_key",
    "is_price",
    "is_size",
    "json_objects",
    "next_window",
    "price_of",
    "query_param",
    "response_code",
    "rsa_private_key",
    "rsa_sha256_b64",
    "signed_crc32",
]
