"""Every example of the user guides (English and Japanese) and of the index page, run as written.

The code is read from the ``.rst`` files themselves and executed against a local bitFlyer standing
in for api.bitflyer.com and ws.lightstream.bitflyer.com (127.0.0.1, TLS, the real hostnames and
paths). The only thing the harness adds is where those hostnames resolve: the ``topgun`` the
examples see is the real module, except that ``topgun.Client`` is given the local exchange's
connector. Examples that loop forever ("Ctrl+C to break") run until they have printed what they
are about, then are cancelled as Ctrl+C would.

Message shapes follow bitFlyer's documentation: https://bf-lightning-api.readme.io/docs/realtime-ticker,
https://bf-lightning-api.readme.io/docs/realtime-board, https://bf-lightning-api.readme.io/docs/realtime-executions,
https://bf-lightning-api.readme.io/docs/realtime-child-order-events and the JSON-RPC framing at
https://bf-lightning-api.readme.io/docs/json-rpc-20-over-websocket.
"""

from __future__ import annotations

import ast
import asyncio
import doctest
import json
import re
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from docs_harness import DOCS, define

import topgun
from topgun.testing import Connection, HttpExchange, WebSocketExchange

GUIDES = ["user-guide-en.rst", "user-guide.rst"]
KEY = "BITFLYER_API_KEY"  # what the guide's examples pass as credentials

CODE = re.compile(r"\n\.\. code(?:-block)?:: python\n\n((?:    .*\n|\n)+?)(?=\S)")


def code_blocks(page: str) -> list[str]:
    text = (DOCS / page).read_text(encoding="utf-8")
    return [re.sub(r"(?m)^    ", "", block).strip() + "\n" for block in CODE.findall(text)]


def ticker(product_code: str, tick_id: int, ltp: float) -> dict[str, Any]:
    return {
        "product_code": product_code,
        "state": "RUNNING",
        "timestamp": "2024-06-07T01:23:45.6789012Z",
        "tick_id": tick_id,
        "best_bid": ltp - 5,
        "best_ask": ltp + 5,
        "best_bid_size": 0.1,
        "best_ask_size": 0.2,
        "total_bid_depth": 1500.5,
        "total_ask_depth": 1400.25,
        "market_bid_size": 0,
        "market_ask_size": 0,
        "ltp": ltp,
        "volume": 20000.1,
        "volume_by_product": 5000.2,
    }


EXECUTION = {
    "id": 100,
    "side": "BUY",
    "price": 5000000,
    "size": 0.01,
    "exec_date": "2024-06-07T01:23:45.6789012Z",
    "buy_child_order_acceptance_id": "JRF20240607-012345-000001",
    "sell_child_order_acceptance_id": "JRF20240607-012345-000002",
}
CHANNELS: dict[str, list[Any]] = {
    "lightning_ticker_BTC_JPY": [ticker("BTC_JPY", n, 5000000 + n) for n in (1, 2)],
    "lightning_ticker_ETH_JPY": [ticker("ETH_JPY", 1, 400000)],
    "lightning_board_snapshot_BTC_JPY": [
        {
            "mid_price": 5000000,
            "bids": [{"price": 4999990, "size": 0.5}, {"price": 4999980, "size": 1}],
            "asks": [{"price": 5000010, "size": 0.3}, {"price": 5000020, "size": 1}],
        }
    ],
    "lightning_board_BTC_JPY": [
        {"mid_price": 5000000, "bids": [{"price": 4999995, "size": 0.1}], "asks": []}
    ],
    "lightning_executions_BTC_JPY": [[EXECUTION]],
    "child_order_events": [
        [
            {
                "product_code": "FX_BTC_JPY",
                "child_order_id": "JOR20240607-012345-000001",
                "child_order_acceptance_id": "JRF20240607-012345-000001",
                "event_date": "2024-06-07T01:23:45.6789012Z",
                "event_type": "EXECUTION",
                "exec_id": 7,
                "side": "BUY",
                "price": 5000000,
                "size": 0.01,
                "commission": 0,
                "sfd": 0,
                "outstanding_size": 0,
            }
        ]
    ],
}
POSITION = {
    "product_code": "FX_BTC_JPY",
    "side": "BUY",
    "price": 4990000,
    "size": 0.02,
    "commission": 0,
    "swap_point_accumulate": 0,
    "require_collateral": 49900,
    "open_date": "2024-06-07T00:00:00.000",
    "leverage": 2,
    "pnl": 200,
    "sfd": 0,
}


def lightstream(conn: Connection, message: Any) -> Iterable[Any]:
    """bitFlyer's JSON-RPC: ``auth`` is accepted (its signature is checked in topgun-bitflyer's
    tests), each ``subscribe`` is answered when it has an id, then its channel's messages follow."""
    reply = {"jsonrpc": "2.0", "id": message.get("id"), "result": True}
    if message.get("method") == "auth":
        return [reply]
    channel = message["params"]["channel"]
    if channel == "child_order_events" and not conn.state.get("authed", True):
        return []
    frames = [
        {"jsonrpc": "2.0", "method": "channelMessage", "params": {"channel": channel, "message": m}}
        for m in CHANNELS[channel]
    ]
    return ([reply] if "id" in message else []) + frames


async def rest(request: web.Request, body: bytes, record: dict[str, Any]) -> web.StreamResponse:
    private = request.path.startswith("/v1/me/")
    if private and not (
        request.headers.get("ACCESS-KEY") == KEY and "ACCESS-SIGN" in request.headers
    ):
        return web.json_response({"status": -500, "error_message": "Key not found"}, status=401)
    answers: dict[str, Any] = {
        "/v1/getticker": ticker("BTC_JPY", 9, 5000009),
        "/v1/getboard": CHANNELS["lightning_board_snapshot_BTC_JPY"][0],
        "/v1/me/getbalance": [{"currency_code": "JPY", "amount": 1024078, "available": 508000}],
        "/v1/me/getpositions": [POSITION],
    }
    return web.json_response(answers[request.path])


@pytest.fixture
async def bitflyer() -> AsyncIterator[HttpExchange]:
    ws = WebSocketExchange([], lightstream)
    hosts = ["api.bitflyer.com", "ws.lightstream.bitflyer.com"]
    async with HttpExchange(hosts, rest, routes=[web.get("/json-rpc", ws.serve)]) as exchange:
        yield exchange


async def run(
    source: str,
    exchange: HttpExchange,
    capsys: pytest.CaptureFixture[str],
    done: Callable[[str], bool],
) -> str:
    """Define the example's ``main`` and run it until it returns or ``done(output)``."""
    scope = define(source.replace("asyncio.run(main())", ""), exchange)
    task = asyncio.ensure_future(scope["main"]())
    output = ""
    try:
        async with asyncio.timeout(20):
            while not (done(output) or task.done()):
                await asyncio.sleep(0.01)
                output += capsys.readouterr().out
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    if task.done() and not task.cancelled() and task.exception() is not None:
        raise task.exception()
    return output + capsys.readouterr().out


def ends(output: str) -> bool:
    return False  # run to the end of main()


# What each example prints, in the order of the guide (block 0 is the skeleton, 11 the apis shape).
EXPECTED: dict[int, tuple[Callable[[str], bool], Callable[[str], bool]]] = {
    1: (ends, lambda out: out.startswith("200 OK\n{'product_code': 'BTC_JPY'")),
    2: (ends, lambda out: out.count("'ltp': 5000009") == 2),
    3: (ends, lambda out: out.startswith("200 OK\n")),
    4: (ends, lambda out: out.startswith("401 Unauthorized\n") and "Key not found" in out),
    5: (
        ends,
        lambda out: (
            "'Content-Type': 'application/json" in out and out.count("<CIMultiDictProxy") == 2
        ),
    ),
    6: (ends, lambda out: out.count("'ltp': 5000009") == 2),
    7: (ends, lambda out: out == ""),
    8: (
        lambda out: out.count("lightning_ticker_BTC_JPY") >= 2,
        lambda out: "'ltp': 5000002" in out,
    ),
    9: (ends, lambda out: "'currency_code': 'JPY'" in out),
    10: (
        lambda out: "child_order_acceptance_id" in out,
        lambda out: "'id': 123, 'result': True" in out,
    ),
    13: (lambda out: "'ltp': 5000002" in out, lambda out: "'product_code': 'BTC_JPY'" in out),
    14: (lambda out: out.count("FX_BTC_JPY") >= 2, lambda out: "'size': 0.02" in out),
    15: (lambda out: "'price': 4999995" in out, lambda out: "{'asks': [{'product_code'" in out),
    16: (ends, lambda out: "'ETH_JPY'" in out and "'BTC_JPY'" in out),
    17: (lambda out: "exec_date" in out, lambda out: "'price': 5000000" in out),
    18: (lambda out: "'ltp': 5000002" in out, lambda out: "'product_code': 'BTC_JPY'" in out),
}


def test_both_guides_show_the_same_code() -> None:
    english, japanese = (code_blocks(page) for page in GUIDES)
    assert english == japanese
    assert len(english) == 19


@pytest.mark.parametrize("page", GUIDES)
def test_the_guides_datastore_examples_run_as_doctests(page: str) -> None:
    text = (DOCS / page).read_text(encoding="utf-8")
    parser = doctest.DocTestParser()
    test = parser.get_doctest(text, {"topgun": topgun}, page, str(DOCS / page), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted == 10  # get/find on a DataStore, and bitFlyerDataStore's attributes
    assert result.failed == 0


@pytest.mark.parametrize("index", sorted(EXPECTED))
async def test_the_guide_examples_run_against_local_bitflyer(
    index: int, bitflyer: HttpExchange, capsys: pytest.CaptureFixture[str]
) -> None:
    done, check = EXPECTED[index]
    output = await run(code_blocks(GUIDES[0])[index], bitflyer, capsys, done)
    assert check(output), output


def test_the_skeleton_and_the_apis_shape(tmp_path: Path) -> None:
    blocks = code_blocks(GUIDES[0])
    exec(compile(blocks[0], "<skeleton>", "exec"), {"__name__": "__main__"})
    apis = ast.literal_eval(blocks[11])
    assert apis["API_NAME"] == ["YOUR_API_KEY", "YOUR_API_SECRET"]


async def test_apis_from_a_json_file(bitflyer: HttpExchange, tmp_path: Path) -> None:
    """The example names ``/path/to/apis.json``; here that is a file of our own."""
    path = tmp_path / "apis.json"
    path.write_text(json.dumps({"bitflyer": [KEY, "secret"]}), encoding="utf-8")
    path.chmod(0o600)  # topgun warns about a secrets file others can read
    source = code_blocks(GUIDES[0])[12]
    assert '"/path/to/apis.json"' in source
    source = source.replace(
        "...",
        'print((await client.fetch("GET", "https://api.bitflyer.com/v1/me/getbalance")).data)',
    )
    scope = define(source.replace("/path/to/apis.json", str(path)), bitflyer)
    await scope["main"]()
    assert bitflyer.seen[-1]["headers"]["ACCESS-KEY"] == KEY


async def test_the_index_pages_first_bot(
    bitflyer: HttpExchange, capsys: pytest.CaptureFixture[str]
) -> None:
    (source,) = code_blocks("index.rst")
    output = await run(source, bitflyer, capsys, lambda out: "'ltp': 5000002" in out)
    assert output.startswith("{'product_code': 'BTC_JPY'")
