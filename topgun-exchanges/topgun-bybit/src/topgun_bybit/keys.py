"""Self-generated RSA API keys: the secret is the user's PEM private key, not an HMAC secret.

Bybit (https://bybit-exchange.github.io/docs/v5/guide, "Select Your API Key Type" and "Create A
Request") signs the same text with RSA_SHA256 and sends the signature Base64-encoded, for HTTP and
for the WebSocket ``auth``. Needs the ``cryptography`` package (``pip install 'topgun-bybit[rsa]'``).
"""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import TYPE_CHECKING

from topgun.errors import SigningError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

PEM_MARKER = "-----BEGIN"
INSTALL_HINT = "pip install 'topgun-bybit[rsa]'"


def is_rsa_key(secret: str) -> bool:
    """A PEM private key rather than an HMAC secret."""
    return secret.startswith(PEM_MARKER)


def rsa_sha256_b64(pem: str, message: bytes) -> str:
    """Base64 of the RSASSA-PKCS1-v1_5 SHA-256 signature of ``message``."""
    key = _private_key(pem)  # first: it explains a missing cryptography package
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    signature = key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


@lru_cache(maxsize=8)
def _private_key(pem: str) -> RSAPrivateKey:
    """Parse a PEM key once per process (parsing costs far more than signing)."""
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    except ImportError:
        raise SigningError(
            f"this API secret is an RSA private key, which needs the cryptography package: {INSTALL_HINT}"
        ) from None
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError):
        # The parser's message is not shown: it is about the secret's content.
        raise SigningError(
            "the API secret looks like a PEM private key but cannot be read; it must be an "
            "unencrypted RSA private key in PEM form"
        ) from None
    if not isinstance(key, RSAPrivateKey):
        raise SigningError("the API secret is a PEM private key but not an RSA one")
    return key
