"""``topgun.plugin.rsa``: PEM private keys as API secrets, RSASSA-PKCS1-v1_5 SHA-256 signatures,
checked with ``topgun.testing``'s RSA helpers."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from topgun.errors import SigningError
from topgun.plugin import rsa

INSTALL = "pip install 'topgun-toy[rsa]'"


def test_signature_verifies_with_the_public_key(
    rsa_private_key: Any, rsa_pem: str, rsa_check: Any
) -> None:
    assert rsa.is_pem_key(rsa_pem) and not rsa.is_pem_key("an-hmac-secret")
    signature = rsa.rsa_sha256_b64(rsa_pem, b"1700000000000GET/v1/account", install=INSTALL)
    public = rsa_private_key.public_key()
    assert rsa_check(public, signature, b"1700000000000GET/v1/account")
    assert not rsa_check(public, signature, b"1700000000001GET/v1/account")
    assert not rsa_check(public, "not base64 at all!", b"1700000000000GET/v1/account")
    assert rsa.rsa_private_key(rsa_pem, INSTALL) is rsa.rsa_private_key(rsa_pem, INSTALL)


def test_keys_it_cannot_use_are_clear_errors_without_their_content() -> None:
    unreadable = "-----BEGIN PRIVATE KEY-----\nnot-a-key-DO-NOT-LEAK\n-----END PRIVATE KEY-----\n"
    with pytest.raises(SigningError, match="cannot be read") as info:
        rsa.rsa_sha256_b64(unreadable, b"x", install=INSTALL)
    assert "DO-NOT-LEAK" not in str(info.value)
    ed25519_pem = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(SigningError, match="not an RSA one"):
        rsa.rsa_sha256_b64(ed25519_pem.decode(), b"x", install=INSTALL)


@pytest.fixture
def parse_afresh() -> Iterator[None]:
    """An empty cache of parsed keys during the test, and after it."""
    rsa.rsa_private_key.cache_clear()
    yield
    rsa.rsa_private_key.cache_clear()


@pytest.mark.usefixtures("parse_afresh")
def test_missing_cryptography_names_the_plugins_extra(
    rsa_pem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives", None)
    with pytest.raises(
        SigningError, match=r"cryptography package: pip install 'topgun-toy\[rsa\]'"
    ):
        rsa.rsa_sha256_b64(rsa_pem, b"x", install=INSTALL)


def test_core_imports_cryptography_only_when_a_key_is_used() -> None:
    code = "import sys, topgun, topgun.plugin.rsa, topgun.testing; assert 'cryptography' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
