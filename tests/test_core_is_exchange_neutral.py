"""DESIGN: core knows no exchange. No exchange name may appear in topgun-core's source."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXCHANGES = re.compile(
    r"bitflyer|binance|bybit|okx|bitget|kucoin|mexc|phemex|bitmex|gmocoin|coin\.z\.com|coincheck|bitbank|"
    r"hyperliquid|bittrade|okcoin|okj\b",
    re.IGNORECASE,
)


def test_no_exchange_names_in_core_sources() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "topgun-core" / "src").rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if EXCHANGES.search(line)
    ]
    assert offenders == []
