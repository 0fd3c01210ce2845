"""Registering every installed plugin imports the plugins and nothing heavy.

``pip install topgun`` brings all fifteen exchanges; a bot that trades on one of them must not pay,
at its first ``Client()``, for another's signing libraries (eth-account alone is half a second).
Each check runs in a fresh interpreter, since this process has long imported everything.
"""

from __future__ import annotations

import json
import sys
from importlib import metadata

from processes import run

# Modules that a plugin may need to sign, never to register.
HEAVY = ("eth_account", "eth_utils", "eth_abi", "msgpack", "coincurve", "cryptography", "pydantic")

PROBE = r"""
import asyncio, json, sys

def top_level():
    return {name.partition(".")[0] for name in sys.modules}

import importlib_metadata
import topgun
importlib_metadata.entry_points(group="topgun")  # core's own discovery (it loads zipp): not a plugin's
before = top_level()

async def first_client():
    async with topgun.Client() as client:
        return client

asyncio.run(first_client())
from topgun.registry import get_registry
registry = get_registry()
after = top_level()
third_party = sorted(
    name for name in after - before
    if not name.startswith(("_", "topgun_")) and name not in sys.stdlib_module_names
)
loaded = {name: name in sys.modules for name in json.loads(sys.argv[1])}

# The lazy path still works: the first Hyperliquid signature loads eth-account.
from topgun.clock import FixedClock
from topgun.credentials import Credential
from topgun.plugin import SigningRequest
from yarl import URL
signer = registry.hosts["api.hyperliquid.xyz"].host.signer
signed = signer(SigningRequest(
    "POST", URL("https://api.hyperliquid.xyz/exchange"), {}, b"",
    {"action": {"type": "noop"}}, Credential("hyperliquid", ("0x" + "11" * 32,)), FixedClock(1.0),
))
print(json.dumps({
    "plugins": [p.name for p in registry.plugins],
    "failures": [f.error for f in registry.failures],
    "third_party": third_party,
    "heavy_after_registry": [name for name, present in loaded.items() if present],
    "signed": signed.body is not None and b"signature" in signed.body,
    "eth_account_after_signing": "eth_account" in sys.modules,
}))
"""


def test_first_client_with_every_plugin_imports_nothing_heavy() -> None:
    done = run([sys.executable, "-c", PROBE, json.dumps(HEAVY)], timeout=120)
    report = json.loads(done.stdout)
    installed = {ep.name for ep in metadata.entry_points(group="topgun")}
    assert set(report["plugins"]) == installed and len(installed) >= 15, report
    assert report["failures"] == []
    assert report["heavy_after_registry"] == [], (
        f"registering plugins imported {report['heavy_after_registry']}: import them inside the "
        "signer or store on first use (see docs/plugins.rst, 'Keep registration light')"
    )
    assert report["third_party"] == [], (
        f"registering plugins imported third-party modules {report['third_party']} that "
        "`import topgun` does not: load them on first use instead"
    )
    assert report["signed"] is True
    assert report["eth_account_after_signing"] is True
