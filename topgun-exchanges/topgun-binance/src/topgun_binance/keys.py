"""The three Binance API key types, told apart by the shape of the credential's secret.

Binance issues HMAC, RSA and Ed25519 API keys
(https://developers.binance.com/docs/binance-spot-api-docs/rest-api/request-security, "SIGNED
request example (HMAC)", "(RSA)" and "(Ed25519)"). The credential is always
``[API_KEY, API_SECRET]`` (plus an optional third element):

- HMAC: ``API_SECRET`` is the secret key string; the signature is hex HMAC-SHA256.
- RSA / Ed25519: ``API_SECRET`` is the PEM private key text (``-----BEGIN PRIVATE KEY-----``...,
  PKCS#8, newlines included); the key type is read from the PEM itself. RSA signs with
  RSASSA-PKCS1-v1_5 / SHA-256, Ed25519 with Ed25519; both signatures are base64. An encrypted PEM
  takes its password as the third element.

A PEM key is parsed once per distinct secret (cached), not per request. PEM keys need the
``cryptography`` package (``pip install 'topgun-binance[rsa]'``); HMAC keys need nothing.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import lru_cache

from topgun.plugin import PEM_MARKER, Credential, SigningError, hmac_sha256_hex

INSTALL_HINT = "pip install 'topgun-binance[rsa]'"

PayloadSigner = Callable[[bytes], str]


def is_hex_signature(credential: Credential) -> bool:
    """HMAC signatures are hex (URL-safe as is); RSA and Ed25519 ones are base64."""
    return not credential.secret.lstrip().startswith(PEM_MARKER)


def payload_signer(credential: Credential) -> PayloadSigner:
    """The function that signs a payload with this credential's key, whatever its type."""
    if is_hex_signature(credential):
        secret = credential.secret_bytes
        return lambda payload: hmac_sha256_hex(secret, payload)
    return _pem_signer(credential.secret, credential.passphrase)


def is_ed25519(credential: Credential) -> bool:
    """Whether the credential's secret is an Ed25519 private key (the only kind ``session.logon``
    takes). Raises SigningError for a PEM that cannot be loaded."""
    if is_hex_signature(credential):
        return False
    key = _pem_key(credential.secret, credential.passphrase)
    from cryptography.hazmat.primitives.asymmetric import ed25519

    return isinstance(key, ed25519.Ed25519PrivateKey)


@lru_cache(maxsize=32)
def _pem_key(pem: str, password: str) -> object:
    # Imported here: HMAC users never pay for loading the crypto backend.
    try:
        from cryptography.hazmat.primitives import serialization
    except ImportError:
        raise SigningError(
            "this Binance API_SECRET is a PEM private key (RSA or Ed25519), which needs the "
            f"cryptography package: {INSTALL_HINT}"
        ) from None

    try:
        return serialization.load_pem_private_key(
            pem.strip().encode(), password=password.encode() or None
        )
    except (ValueError, TypeError):
        # The library's message may quote key material; say what is wrong without it.
        raise SigningError(
            "the Binance API_SECRET looks like a PEM private key but cannot be loaded: it must be an "
            "unencrypted PKCS#8 Ed25519 or RSA private key, or an encrypted one with its password as "
            "the third credential element"
        ) from None


@lru_cache(maxsize=32)
def _pem_signer(pem: str, password: str) -> PayloadSigner:
    key = _pem_key(pem, password)
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

    if isinstance(key, ed25519.Ed25519PrivateKey):
        ed_key = key
        return lambda payload: base64.b64encode(ed_key.sign(payload)).decode()
    if isinstance(key, rsa.RSAPrivateKey):
        rsa_key = key
        pkcs1, sha256 = padding.PKCS1v15(), hashes.SHA256()
        return lambda payload: base64.b64encode(rsa_key.sign(payload, pkcs1, sha256)).decode()
    raise SigningError(
        f"Binance API keys are HMAC, RSA or Ed25519; this PEM holds a {type(key).__name__}"
    )
