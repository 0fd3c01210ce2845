"""Throwaway RSA API keys for tests, and the exchange's check of an RSA-SHA256 signature.

Needs the ``cryptography`` package (imported when used). The check verifies with the public key,
as an exchange does with the key the user registered; it shares no code with the signing side.
"""

from __future__ import annotations

import base64
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

from ..plugin.rsa import rsa_private_key

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

__all__ = ["Cache", "new_rsa_key", "rsa_pem", "rsa_verifies", "without_cryptography"]


def new_rsa_key() -> RSAPrivateKey:
    """A fresh 2048-bit RSA key, as a user generates one for a self-generated API key."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def rsa_pem(key: RSAPrivateKey) -> str:
    """``key`` as the API secret a user pastes: unencrypted PKCS#8 PEM."""
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def rsa_verifies(public_key: RSAPublicKey, signature_b64: str, message: bytes) -> bool:
    """Whether ``signature_b64`` is the Base64 RSASSA-PKCS1-v1_5 SHA-256 signature of ``message``."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    try:
        public_key.verify(
            base64.b64decode(signature_b64), message, padding.PKCS1v15(), hashes.SHA256()
        )
    except (InvalidSignature, ValueError):
        return False
    return True


class Cache(Protocol):
    """A ``functools.lru_cache``-wrapped function: what ``without_cryptography`` clears."""

    def cache_clear(self) -> None: ...


@contextmanager
def without_cryptography(*caches: Cache) -> Iterator[None]:
    """Run the body as if ``cryptography`` were not installed, to check the error a plugin raises
    then (it names the extra to install).

    Parsed keys are cached, so core's RSA key cache and the plugin's own ``caches`` are cleared
    on the way in (nothing parsed earlier hides the missing package) and out (nothing parsed
    without it stays).
    """
    every = (rsa_private_key, *caches)
    module = "cryptography.hazmat.primitives"
    hidden, saved = module in sys.modules, sys.modules.get(module)
    for cache in every:
        cache.cache_clear()
    sys.modules[module] = None  # type: ignore[assignment]  # what an import then fails on
    try:
        yield
    finally:
        if hidden:
            sys.modules[module] = saved  # type: ignore[assignment]
        else:
            del sys.modules[module]
        for cache in every:
            cache.cache_clear()
