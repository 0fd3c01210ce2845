"""WebSocket URLs in logs and reprs never show tokens carried in the path or the query."""

from __future__ import annotations

import pytest
from yarl import URL

from topgun.ws.urls import shown as shown_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("wss://ex.test/ws/private/v1/Ab3dE5gH7jK9mN1pQ3sT", "wss://ex.test/ws/private/v1/…"),
        ("wss://ex.test/ws/" + "x" * 30, "wss://ex.test/ws/…"),
        ("wss://ex.test/realtimePlatform", "wss://ex.test/realtimePlatform"),
        ("wss://ex.test:8443/ws/v5/private", "wss://ex.test:8443/ws/v5/private"),
        ("wss://ex.test/endpoint?token=abc&connectId=1", "wss://ex.test/endpoint?…"),
        ("wss://ex.test/json-rpc", "wss://ex.test/json-rpc"),
    ],
)
def test_tokens_are_masked(url: str, shown: str) -> None:
    assert shown_url(URL(url)) == shown
