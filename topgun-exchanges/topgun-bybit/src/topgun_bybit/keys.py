"""Self-generated RSA API keys: the secret is the user's PEM private key, not an HMAC secret.

Bybit (https://bybit-exchange.github.io/docs/v5/guide, "Select Your API Key Type" and "Create A
Request") signs the same text with RSA_SHA256 and sends the signature Base64-encoded, for HTTP and
for the WebSocket ``auth``. Needs the ``cryptography`` package (``pip install 'topgun-bybit[rsa]'``).
"""

from __future__ import annotations

from topgun.plugin import PEM_MARKER, rsa_private_key
from topgun.plugin import is_pem_key as is_rsa_key
from topgun.plugin import rsa_sha256_b64 as sign_with_rsa_key

__all__ = ["INSTALL_HINT", "PEM_MARKER", "is_rsa_key", "rsa_sha256_b64"]

INSTALL_HINT = "pip install 'topgun-bybit[rsa]'"

_private_key = rsa_private_key  # core's cached PEM parser (tests clear its cache)


def rsa_sha256_b64(pem: str, message: bytes) -> str:
    """Base64 of the RSASSA-PKCS1-v1_5 SHA-256 signature of ``message``."""
    return sign_with_rsa_key(pem, message, install=INSTALL_HINT)
