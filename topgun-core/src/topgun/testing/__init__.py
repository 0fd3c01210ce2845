"""Test helpers for exchange plugins: real hostnames served from 127.0.0.1, and login doubles.

- ``LocalExchange``, ``LoopbackResolver`` (``topgun.testing.exchange``): an aiohttp application
  on a loopback port behind TLS, reached under the exchange's real hostnames.
- ``HttpExchange`` (``.http``): an HTTP API there that records every request and answers through
  the test's handler.
- ``WebSocketExchange``, ``Connection`` (``.websocket``): WebSocket endpoints there that record
  what arrives, with arrival times, and answer through the test's responder.
- ``FakeLogin`` (``.login``): an in-memory ``WebSocketLogin`` for unit tests of authenticators.
- ``compression_bomb`` (``.bombs``): small deflate/zlib/gzip payloads that open huge.
- ``eventually`` (``.waiting``): wait, bounded, for what other tasks do.
- ``with_heartbeat_interval``, ``FAST_BACKOFF`` (``.plugins``): quicker heartbeats and reconnects.
- ``new_rsa_key``, ``rsa_pem``, ``rsa_verifies`` (``.rsa``): RSA API keys, and the exchange's
  check of their signatures (needs ``cryptography``).
- ``topgun.testing.timekeeping``: ``TimestampExchange`` (a clock running ahead that refuses stale
  timestamps) and ``CLOCK_CHECKS``, the checks of a plugin's server time and rejection;
  ``topgun.testing.ratelimits``: ``burst``, a bot's loop of requests for pacing tests.
- ``topgun.testing.fixtures``: pytest fixtures over these, for a plugin's ``conftest.py``.
- ``topgun.testing.books``: the kit every order-book store runs through (``BookAdapter``,
  ``check_offline``, ``check_recovery``; docs/verified-books.rst).

TLS needs the ``trustme`` package (``pip install topgun-core[testing]``).
"""

from .bombs import compression_bomb
from .exchange import LocalExchange, LoopbackResolver
from .http import Handler, HttpExchange
from .login import FakeLogin, LoginResponder
from .plugins import FAST_BACKOFF, with_heartbeat_interval
from .rsa import new_rsa_key, rsa_pem, rsa_verifies
from .waiting import eventually
from .websocket import Connection, Responder, WebSocketExchange

__all__ = [
    "FAST_BACKOFF",
    "Connection",
    "FakeLogin",
    "Handler",
    "HttpExchange",
    "LocalExchange",
    "LoginResponder",
    "LoopbackResolver",
    "Responder",
    "WebSocketExchange",
    "compression_bomb",
    "eventually",
    "new_rsa_key",
    "rsa_pem",
    "rsa_verifies",
    "with_heartbeat_interval",
]
