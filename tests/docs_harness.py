"""Running documentation examples and cookbook recipes, as written, against local exchanges.

The only thing the harness changes is where the exchanges' hostnames resolve: the examples keep
their real URLs, and every ``topgun.Client`` they make reaches a ``topgun.testing`` exchange on
127.0.0.1 (TLS, the real hostnames), in this process (``define``, ``load``) or in the processes
a test starts (``local_env``: ``tests/local_site/sitecustomize.py`` does it there).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import types
from pathlib import Path
from typing import Any

import topgun
from topgun.testing import LocalExchange

DOCS = Path(__file__).resolve().parent.parent / "docs"
EXAMPLES = DOCS / "examples"
LOCAL_SITE = Path(__file__).resolve().parent / "local_site"


def define(source: str, exchange: LocalExchange, name: str = "example") -> dict[str, Any]:
    """Execute an example's module: it sees ``asyncio`` and ``topgun`` (imported or not), with
    the exchange's hostnames resolving here."""
    local = LocalTopgun(exchange)
    scope: dict[str, Any] = {"asyncio": asyncio, "topgun": local, "__name__": name}
    real = sys.modules["topgun"]
    sys.modules["topgun"] = local  # only while the example's ``import topgun`` runs
    try:
        exec(compile(source, name, "exec"), scope)
    finally:
        sys.modules["topgun"] = real
    return scope


def load(name: str, exchange: LocalExchange) -> dict[str, Any]:
    """A cookbook file as its module, with its exchange's hostnames resolving to ``exchange``."""
    source = (EXAMPLES / name).read_text(encoding="utf-8")
    return define(source, exchange, name=name)


class LocalTopgun(types.ModuleType):
    """``topgun`` itself, but its ``Client`` reaches the hostnames of ``exchange`` on 127.0.0.1."""

    def __init__(self, exchange: LocalExchange) -> None:
        super().__init__("topgun")
        self._exchange = exchange

    def Client(self, *args: Any, **kwargs: Any) -> topgun.Client:
        return topgun.Client(*args, **{**kwargs, **self._exchange.client_kwargs()})

    def __getattr__(self, name: str) -> Any:
        return getattr(topgun, name)


def local_env(exchange: LocalExchange, ca_file: Path) -> dict[str, str]:
    """The environment of a Python process (and of the processes it starts) whose Clients reach
    ``exchange``: this one's, plus ``tests/local_site`` on ``PYTHONPATH``."""
    assert exchange.ca_pem is not None, "the exchange must serve TLS"
    ca_file.write_bytes(exchange.ca_pem)
    served = {"hosts": list(exchange.hosts), "port": exchange.port, "ca": str(ca_file)}
    path = os.pathsep.join(p for p in (str(LOCAL_SITE), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, "TOPGUN_TEST_EXCHANGE": json.dumps(served)}
