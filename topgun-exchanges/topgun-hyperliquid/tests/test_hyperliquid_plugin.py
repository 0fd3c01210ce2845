"""Registration: API names, hosts, the crypto dependencies staying out of core, and topgun's
conformance suite run on the plugin."""

from __future__ import annotations

from importlib import metadata

import orjson
from eth_account import Account

from topgun import Credential
from topgun.testing import Registry
from topgun.testing.conformance import ConformanceSuite, Exchange, HttpRecord
from topgun_hyperliquid import HEARTBEAT, MessageSigner, RequestSigner, plugin
from topgun_hyperliquid.signing import MAINNET, TESTNET

from .conftest import recover


def test_apis_take_a_private_key_and_an_optional_vault(registry: Registry) -> None:
    for name in ("hyperliquid", "hyperliquid_testnet"):
        spec = registry.apis[name]
        assert spec.fields == ("PRIVATE_KEY",)
        assert spec.optional_fields == ("VAULT_ADDRESS",)
        assert spec.check is not None


def test_hosts_sign_json_ping_and_sign_ws_posts_per_network(registry: Registry) -> None:
    for name, api, network in (
        ("api.hyperliquid.xyz", "hyperliquid", MAINNET),
        ("api.hyperliquid-testnet.xyz", "hyperliquid_testnet", TESTNET),
    ):
        host = registry.hosts[name].host
        assert host.api == api
        assert host.body == "json"
        assert isinstance(host.signer, RequestSigner) and host.signer.network is network
        assert isinstance(host.ws_message_signer, MessageSigner)
        assert host.ws_message_signer.network is network
        assert host.ws_heartbeat is HEARTBEAT
        assert host.ws_authenticator is None  # Hyperliquid has no WebSocket login
        assert set(host.features()) == {"sign", "heartbeat", "ws-sign", "body=json"}


def test_core_does_not_pull_in_the_signing_libraries() -> None:
    def requirement_names(dist: str) -> set[str]:
        names = set()
        for requirement in metadata.requires(dist) or []:
            if "extra ==" in requirement:
                continue
            head = requirement.split(";")[0].strip()
            for stop in "<>=!~[ (":
                head = head.split(stop)[0]
            names.add(head.lower().replace("_", "-"))
        return names

    crypto = {"eth-account", "eth-utils", "coincurve", "msgpack"}
    assert not crypto & requirement_names("topgun-core")
    assert crypto <= requirement_names("topgun-hyperliquid")


# -- topgun's conformance suite (topgun.testing.conformance) -----------------------------------
# Signing: https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/signing — POST
# /exchange bodies carry an EIP-712 signature the exchange recovers the signer's address from;
# /info is public. WebSocket: https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/
# websocket/timeouts-and-heartbeats — the server closes a connection that sent nothing for 60 s.
# No login: posts over the WebSocket are signed one by one.


def verify(request: HttpRecord, credential: Credential) -> bool:
    try:
        body = orjson.loads(request.body)
        mainnet = request.host == "api.hyperliquid.xyz"
        return recover(body, mainnet).lower() == Account.from_key(credential.key).address.lower()
    except (KeyError, TypeError, ValueError):
        return False  # no signature, or not one of a known action


class TestHyperliquidConformance(ConformanceSuite):
    exchange = Exchange(
        plugin=plugin,
        apis={
            "hyperliquid": ["0x" + "11" * 32],
            "hyperliquid_testnet": ["0x" + "22" * 32],
        },
        verify=verify,
    )
