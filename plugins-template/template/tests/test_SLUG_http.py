"""{{LABEL}} HTTP beyond the conformance suite (test_{{SLUG}}_plugin.py holds the signing vectors,
the local-server check and the credential-free requests): what only this exchange's rules say.
Start here with the edges of your exchange's recipe; this one guards the public-path rule."""

from __future__ import annotations

import pytest
from yarl import URL

from topgun import FixedClock
from topgun.plugin import Credential, SigningRequest
from topgun_{{SLUG}}.auth import PUBLIC_PREFIX, sign_request


@pytest.mark.parametrize(
    ("path", "signed"),
    [
        (PUBLIC_PREFIX + "ticker", False),
        (PUBLIC_PREFIX.rstrip("/"), True),  # the prefix's own name is not under it
        (PUBLIC_PREFIX.rstrip("/") + "ity/ticker", True),  # nor a longer word sharing its start
        ("/v1/order", True),
    ],
)
def test_only_paths_under_the_public_prefix_go_unsigned(path: str, signed: bool) -> None:
    credential = Credential("{{SLUG}}", ["throwaway-key", "throwaway-secret"])
    request = SigningRequest(
        "GET", URL(f"https://{{HOST}}{path}"), {}, b"", None, credential, FixedClock(1700000000.0)
    )
    headers = sign_request(request).headers
    assert ("X-API-SIGN" in headers) is signed
    assert ("X-API-KEY" in headers) is signed
