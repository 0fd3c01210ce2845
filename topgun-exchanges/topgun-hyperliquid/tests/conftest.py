"""Fixtures: a local Hyperliquid-like exchange that checks signatures as the exchange does.

The server recovers the signing address from each ``/exchange`` request with the official SDK's
recovery functions (hyperliquid-python-sdk, ``recover_agent_or_user_from_l1_action`` and
``recover_user_from_user_signed_action``, both on eth-account) and the SDK's own type lists, not
with topgun's code, and compares it with the wallet's address. Like the real exchange, a wrong
signature is not an HTTP error: it recovers some other address, which "does not exist".
Signing facts: https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/signing
"""

from __future__ import annotations

from typing import Any

import eth_account
import orjson
import pytest
from aiohttp import web
from hyperliquid.utils import signing as sdk

from topgun.testing import LocalExchange, Registry, build_registry
from topgun_hyperliquid import plugin

# The key and addresses of the SDK's own tests (tests/signing_test.py in hyperliquid-python-sdk).
PRIVATE_KEY = "0x0123456789012345678901234567890123456789012345678901234567890123"
ADDRESS = eth_account.Account.from_key(PRIVATE_KEY).address
VAULT = "0x1719884eb866cb12b2287399b15f7db5e7d775ea"
DESTINATION = "0x5e9ee1089755c3435139848e47e6635505d5a13a"
HOSTS = {"api.hyperliquid.xyz": True, "api.hyperliquid-testnet.xyz": False}

# action type -> (EIP-712 fields, primary type), as the SDK 0.24.0 defines them; approveAgent's
# and approveBuilderFee's lists are inline in the SDK's sign_agent / sign_approve_builder_fee.
SDK_USER_SIGNED: dict[str, tuple[list[dict[str, str]], str]] = {
    "usdSend": (sdk.USD_SEND_SIGN_TYPES, "HyperliquidTransaction:UsdSend"),
    "spotSend": (sdk.SPOT_TRANSFER_SIGN_TYPES, "HyperliquidTransaction:SpotSend"),
    "withdraw3": (sdk.WITHDRAW_SIGN_TYPES, "HyperliquidTransaction:Withdraw"),
    "usdClassTransfer": (
        sdk.USD_CLASS_TRANSFER_SIGN_TYPES,
        "HyperliquidTransaction:UsdClassTransfer",
    ),
    "sendAsset": (sdk.SEND_ASSET_SIGN_TYPES, "HyperliquidTransaction:SendAsset"),
    "tokenDelegate": (sdk.TOKEN_DELEGATE_TYPES, "HyperliquidTransaction:TokenDelegate"),
    "userDexAbstraction": (
        sdk.USER_DEX_ABSTRACTION_SIGN_TYPES,
        "HyperliquidTransaction:UserDexAbstraction",
    ),
    "userSetAbstraction": (
        sdk.USER_SET_ABSTRACTION_SIGN_TYPES,
        "HyperliquidTransaction:UserSetAbstraction",
    ),
    "convertToMultiSigUser": (
        sdk.CONVERT_TO_MULTI_SIG_USER_SIGN_TYPES,
        "HyperliquidTransaction:ConvertToMultiSigUser",
    ),
    "approveAgent": (
        [
            {"name": "hyperliquidChain", "type": "string"},
            {"name": "agentAddress", "type": "address"},
            {"name": "agentName", "type": "string"},
            {"name": "nonce", "type": "uint64"},
        ],
        "HyperliquidTransaction:ApproveAgent",
    ),
    "approveBuilderFee": (
        [
            {"name": "hyperliquidChain", "type": "string"},
            {"name": "maxFeeRate", "type": "string"},
            {"name": "builder", "type": "address"},
            {"name": "nonce", "type": "uint64"},
        ],
        "HyperliquidTransaction:ApproveBuilderFee",
    ),
}
NONCE_FIELD = {"usdSend": "time", "spotSend": "time", "withdraw3": "time"}


def recover(body: dict[str, Any], mainnet: bool) -> str:
    """The address that signed an /exchange body, recovered as the exchange would."""
    action = dict(body["action"])
    signature = body["signature"]
    kind = SDK_USER_SIGNED.get(action["type"])
    if kind is None:
        return str(
            sdk.recover_agent_or_user_from_l1_action(
                action,
                signature,
                body.get("vaultAddress"),
                body["nonce"],
                body.get("expiresAfter"),
                mainnet,
            )
        )
    if action[NONCE_FIELD.get(action["type"], "nonce")] != body["nonce"]:
        return "nonce mismatch"
    if action.get("hyperliquidChain") != ("Mainnet" if mainnet else "Testnet"):
        return "wrong hyperliquidChain"
    if action["type"] == "approveAgent":
        action.setdefault("agentName", "")  # the SDK signs "" when it sends no name
    types, primary = kind
    return str(sdk.recover_user_from_user_signed_action(action, signature, types, primary, mainnet))


def make_app(seen: list[dict[str, Any]]) -> web.Application:
    async def exchange(request: web.Request) -> web.Response:
        raw = await request.read()
        body = orjson.loads(raw)
        record = {"path": request.path, "host": request.host, "headers": dict(request.headers)}
        record["body"] = body
        seen.append(record)
        if "signature" not in body or "nonce" not in body:
            return web.json_response({"status": "err", "response": "Missing signature or nonce"})
        signer = recover(body, HOSTS[request.host.split(":")[0]])
        record["signer"] = signer
        if signer != ADDRESS:
            return web.json_response(
                {"status": "err", "response": f"User or API Wallet {signer} does not exist."}
            )
        return web.json_response({"status": "ok", "response": {"type": body["action"]["type"]}})

    async def info(request: web.Request) -> web.Response:
        raw = await request.read()
        seen.append(
            {
                "path": request.path,
                "host": request.host,
                "headers": dict(request.headers),
                "raw": raw,
            }
        )
        return web.json_response({"BTC": "65000.5"})

    async def websocket(request: web.Request) -> web.WebSocketResponse:
        """/ws as the docs describe it: ping -> pong, post action -> its result, by id."""
        record: dict[str, Any] = {
            "path": request.path_qs,
            "host": request.host,
            "headers": dict(request.headers),
            "handshake_body": await request.read(),
            "frames": [],
        }
        seen.append(record)
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        await ws.send_str("Websocket connection established.")
        mainnet = HOSTS[request.host.split(":")[0]]
        async for frame in ws:
            if frame.type is not web.WSMsgType.TEXT:
                continue
            record["frames"].append(frame.data)
            message = orjson.loads(frame.data)
            if message.get("method") == "ping":
                await ws.send_json({"channel": "pong"})
            elif message.get("method") == "post" and message["request"]["type"] == "action":
                payload = message["request"]["payload"]
                signer = recover(payload, mainnet) if "signature" in payload else "unsigned"
                status = "ok" if signer == ADDRESS else "err"
                response = {"type": "action", "payload": {"status": status, "signer": signer}}
                await ws.send_json(
                    {"channel": "post", "data": {"id": message["id"], "response": response}}
                )
        return ws

    app = web.Application()
    app.router.add_post("/exchange", exchange)
    app.router.add_post("/info", info)
    app.router.add_get("/ws", websocket)
    return app


@pytest.fixture
def registry() -> Registry:
    return build_registry([plugin], strict=True)


@pytest.fixture
async def exchange() -> Any:
    """Both Hyperliquid hosts served from 127.0.0.1 over TLS; ``exchange.seen`` records requests."""
    seen: list[dict[str, Any]] = []
    async with LocalExchange(make_app(seen), list(HOSTS)) as server:
        server.seen = seen  # type: ignore[attr-defined]
        yield server
