"""The plugin author's API: hook markers, the specs a plugin registers, and helpers for both.

An exchange plugin is a module with ``topgun_register_*`` functions marked ``@hookimpl``; each
receives a ``register`` callback and calls it once per thing it contributes. Plugin authors import
everything from here and nothing from pluggy; ``topgun.plugin.rsa`` signs with RSA API keys.
``Decompressor`` is the bounded ``ws_decoder`` for exchanges that compress their frames.
"""

from ..errors import AuthenticationError
from .decompress import Compression, Decompressor, decompress
from .digest import hmac_sha256, hmac_sha256_b64, hmac_sha256_hex, hmac_sha512_hex
from .hookspecs import hookimpl, hookspec
from .retry import Retry
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

__all__ = [
    "ApiSelector",
    "ApiSpec",
    "AuthenticationError",
    "BodyEncoding",
    "Compression",
    "Decompressor",
    "FrameDecoder",
    "Heartbeat",
    "HeartbeatFactory",
    "Host",
    "HttpRateLimits",
    "MessageResponder",
    "MessageSigner",
    "MessageSigningRequest",
    "RateLimit",
    "RateLimitReader",
    "RateLimitReading",
    "RequestSigner",
    "Retry",
    "ServerTime",
    "SignedRequest",
    "SigningRequest",
    "TimestampRejection",
    "WebSocketAuthenticator",
    "WebSocketLogin",
    "decompress",
    "hmac_sha256",
    "hmac_sha256_b64",
    "hmac_sha256_hex",
    "hmac_sha512_hex",
    "hookimpl",
    "hookspec",
]
