"""Keyed digests most exchange signers need, in the fastest stdlib form (one-shot OpenSSL HMAC)."""

from __future__ import annotations

import base64
import hmac

__all__ = ["hmac_sha256", "hmac_sha256_b64", "hmac_sha256_hex", "hmac_sha512_hex"]


def hmac_sha256(secret: bytes, message: bytes) -> bytes:
    return hmac.digest(secret, message, "sha256")


def hmac_sha256_hex(secret: bytes, message: bytes) -> str:
    return hmac.digest(secret, message, "sha256").hex()


def hmac_sha256_b64(secret: bytes, message: bytes) -> str:
    return base64.b64encode(hmac.digest(secret, message, "sha256")).decode()


def hmac_sha512_hex(secret: bytes, message: bytes) -> str:
    return hmac.digest(secret, message, "sha512").hex()
