"""RSA API keys: the API secret is the user's PEM private key, and signatures are made with it.

Some exchanges let users register their own RSA public key instead of issuing an HMAC secret;
the credential then holds the PEM private key where the secret goes, and the text to sign is
signed with RSASSA-PKCS1-v1_5 over SHA-256 and sent Base64-encoded. This needs the
``cryptography`` package, which core does not depend on: a plugin offers it as an extra and
passes the command that installs it (``install``), which the error names when it is missing.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import TYPE_CHECKING

from ..errors import SigningError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

__all__ = ["PEM_MARKER", "is_pem_key", "rsa_private_key", "rsa_sha256_b64"]

PEM_MARKER = "-----BEGIN"
"""How an API secret that is a PEM private key (rather than an HMAC secret) starts."""


def is_pem_key(secret: str) -> bool:
    """A PEM private key rather than an HMAC secret."""
    return secret.startswith(PEM_MARKER)


def rsa_sha256_b64(pem: str, message: bytes, *, install: str) -> str:
    """Base64 of the RSASSA-PKCS1-v1_5 SHA-256 signature of ``message`` with the key ``pem``."""
    key = rsa_private_key(pem, install)  # first: it explains a missing cryptography package
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    signature = key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


@lru_cache(maxsize=8)
def rsa_private_key(pem: str, install: str) -> RSAPrivateKey:
    """The unencrypted RSA private key in ``pem``, parsed once per process (parsing costs far
    more than signing). Raises ``SigningError``, naming ``install`` when ``cryptography`` is
    missing, and never quoting the key."""
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    except ImportError:
        raise SigningError(
            f"this API secret is an RSA private key, which needs the cryptography package: {install}"
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
