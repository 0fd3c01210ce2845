"""The plugin's registration: the API names and hosts it registers, and how ``topgun exchanges``
lists them."""

from __future__ import annotations

from typing import Any

from topgun.testing import exchanges_listing
from topgun_bitbank import plugin, socketio_heartbeat
from topgun_bitbank.auth import sign_request


def test_plugin_registers_hosts_and_api(bitbank_registry: Any) -> None:
    assert bitbank_registry.apis["bitbank"].fields == ("API_KEY", "API_SECRET")
    rest = bitbank_registry.hosts["api.bitbank.cc"].host
    assert rest.signer is sign_request
    assert rest.body == "json"
    assert rest.api == plugin.API
    stream = bitbank_registry.hosts["stream.bitbank.cc"].host
    assert stream.api is None and stream.signer is None
    assert stream.ws_heartbeat is socketio_heartbeat


def test_topgun_exchanges_lists_api_and_hosts(bitbank_registry: Any) -> None:
    text = exchanges_listing(bitbank_registry)
    assert "bitbank" in text and "[API_KEY, API_SECRET]" in text
    assert "api.bitbank.cc" in text and "stream.bitbank.cc" in text and "heartbeat" in text
