"""``topgun.plugin.rsa``: PEM private keys as API secrets, RSASSA-PKCS1-v1_5 SHA-256 signatures."""

from __future__ import annotations

import base64
import subprocess
import sys
from typing import Any

import pytest

from topgun.errors import SigningError
from topgun.plugin import rsa

pytest.importorskip("cryptography")
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding
from cryptography.hazmat.primitives.asymmetric import rsa as crypto_rsa

INSTALL = "pip install 'topgun-toy[rsa]'"


def _pem(key: Any) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture(scope="module")
def key() -> crypto_rsa.RSAPrivateKey:
    return crypto_rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_signature_verifies_with_the_public_key(key: crypto_rsa.RSAPrivateKey) -> None:
    pem = _pem(key)
    assert rsa.is_pem_key(pem) and not rsa.is_pem_key("an-hmac-secret")
    signature = rsa.rsa_sha256_b64(pem, b"1700000000000GET/v1/account", install=INSTALL)
    key.public_key().verify(
        base64.b64decode(signature),
        b"1700000000000GET/v1/account",
        padding.PKCS1v15(),
        hashes.SHA256(),
    )  # raises InvalidSignature otherwise
    assert rsa.rsa_private_key(pem, INSTALL) is rsa.rsa_private_key(pem, INSTALL)  # parsed once


def test_keys_it_cannot_use_are_clear_errors_without_their_content() -> None:
    unreadable = "-----BEGIN PRIVATE KEY-----\nnot-a-key-DO-NOT-LEAK\n-----END PRIVATE KEY-----\n"
    with pytest.raises(SigningError, match="cannot be read") as info:
        rsa.rsa_sha256_b64(unreadable, b"x", install=INSTALL)
    assert "DO-NOT-LEAK" not in str(info.value)
    with pytest.raises(SigningError, match="not an RSA one"):
        rsa.rsa_sha256_b64(_pem(ed25519.Ed25519PrivateKey.generate()), b"x", install=INSTALL)


def test_missing_cryptography_names_the_plugins_extra(
    key: crypto_rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    pem = _pem(key)
    rsa.rsa_private_key.cache_clear()
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives", None)
    try:
        with pytest.raises(
            SigningError, match=r"cryptography package: pip install 'topgun-toy\[rsa\]'"
        ):
            rsa.rsa_sha256_b64(pem, b"x", install=INSTALL)
    finally:
        rsa.rsa_private_key.cache_clear()


def test_core_imports_cryptography_only_when_a_key_is_used() -> None:
    code = "import sys, topgun, topgun.plugin.rsa; assert 'cryptography' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
