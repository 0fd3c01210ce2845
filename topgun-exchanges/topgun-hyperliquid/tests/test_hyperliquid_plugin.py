"""Registration: API names, hosts, entry point, and the crypto dependencies staying out of core."""

from __future__ import annotations

from importlib import metadata

from topgun.testing import Registry, build_registry, discover_plugins
from topgun_hyperliquid import HEARTBEAT, MessageSigner, RequestSigner
from topgun_hyperliquid.signing import MAINNET, TESTNET


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


def test_discovered_through_the_entry_point() -> None:
    loaded, failed, _ = discover_plugins()
    assert not failed
    ours = [p for p in loaded if p.name == "hyperliquid"]
    assert [p.distribution for p in ours] == ["topgun-hyperliquid"]
    registry = build_registry(loaded, strict=True)
    assert registry.api_distribution("hyperliquid") == "topgun-hyperliquid"


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
