"""Test helpers for exchange plugins: real hostnames served from 127.0.0.1, and login doubles.

- ``LocalExchange``, ``LoopbackResolver`` (``topgun.testing.exchange``): an aiohttp application
  on a loopback port behind TLS, reached under the exchange's real hostnames.
- ``HttpExchange`` (``.http``): an HTTP API there that records every request and answers through
  the test's handler; ``assert_json_body``: a recorded request verified, with this JSON body.
- ``WebSocketExchange``, ``Connection`` (``.websocket``): WebSocket endpoints there that record
  what arrives, with arrival times, and answer through the test's responder; ``json_messages``,
  the receive loop of a test's own aiohttp WebSocket handler.
- ``FakeLogin`` (``.login``): an in-memory ``WebSocketLogin`` for unit tests of authenticators.
- ``compression_bomb`` (``.bombs``): small deflate/zlib/gzip payloads that open huge.
- ``eventually`` (``.waiting``): wait, bounded, for what other tasks do; ``stream_until``
  (``.streams``): a WebSocket app keeping what it receives, waited on until it has; and
  ``heartbeats``: when the exchange heard an app's pings.
- ``with_heartbeat_interval``, ``FAST_BACKOFF`` (``.plugins``): quicker heartbeats and reconnects.
- ``signing_request`` (``.signing``): a request for a signer's unit test, on a fixed clock.
- ``new_rsa_key``, ``rsa_pem``, ``rsa_verifies`` (``.rsa``): RSA API keys, and the exchange's
  check of their signatures (needs ``cryptography``); ``without_cryptography``: as if it were
  not installed.
- ``topgun.testing.timekeeping``: ``TimestampExchange`` (a clock running ahead that refuses stale
  timestamps), ``CLOCK_CHECKS``, the checks of a plugin's server time and rejection, and
  ``header_stamp``/``query_stamp``, where a request carries its timestamp;
  ``topgun.testing.ratelimits``: ``burst``, a bot's loop of requests for pacing tests, and
  ``burst_unpaced_then_paced`` against a test's ``Limiter``.
- ``topgun.testing.books``: the kit every order-book store runs through (``BookAdapter``,
  ``check_offline``, ``check_recovery``; docs/verified-books.rst).
- ``topgun.testing.storefuzz``: ``assert_store_fuzz``, mutated messages against a DataStore.
- ``Registry``, ``build_registry``, ``discover_plugins``: a registry from explicit plugin modules,
  or from the installed entry points.
- ``exchanges_listing`` (``.listing``): what ``topgun exchanges`` prints for a registry.
- ``import_problems`` (``.surface``) and ``layout_problems`` (``.layout``): the import surface and
  the layout every distribution keeps (docs/plugins.rst), checked from its files.
- ``topgun.testing.fixtures``: pytest fixtures over these, for a plugin's ``conftest.py``
  (``from topgun.testing.fixtures import *``; pytest finds fixtures only there, and several share
  a name with the helper they wrap, so they cannot live in this namespace).

A plugin's tests import from this package, ``topgun.testing.conformance`` (the conformance
suite, which needs pytest), ``topgun.plugin`` and the public ``topgun`` names only; the helpers
of the submodules above are all re-exported here.

TLS needs the ``trustme`` package (``pip install topgun-core[testing]``).
"""

from ..registry import Registry, build_registry, discover_plugins
from .bombs import compression_bomb
from .books import (
    BookAdapter,
    BookExchange,
    Change,
    Messages,
    ModelBook,
    WholeBookAdapter,
    check_before_snapshot,
    check_book,
    check_clean_stream,
    check_corrupted_level,
    check_dropped_diff,
    check_duplicates,
    check_offline,
    check_recovery,
)
from .exchange import LocalExchange, LoopbackResolver
from .http import Handler, HttpExchange, assert_json_body
from .layout import layout_problems
from .listing import exchanges_listing
from .login import FakeLogin, LoginResponder
from .plugins import FAST_BACKOFF, with_heartbeat_interval
from .ratelimits import Bursts, Limiter, burst, burst_unpaced_then_paced
from .rsa import Cache, new_rsa_key, rsa_pem, rsa_verifies, without_cryptography
from .signing import signing_request
from .storefuzz import FuzzReport, assert_store_fuzz, fuzz_store, mutate
from .streams import heartbeats, stream_until
from .surface import SURFACE, import_problems
from .timekeeping import (
    CLOCK_CHECKS,
    ClockCheck,
    ClockScenario,
    TimestampExchange,
    TimestampRules,
    header_stamp,
    query_stamp,
)
from .waiting import eventually
from .websocket import Connection, Responder, WebSocketExchange, json_messages

__all__ = [
    "CLOCK_CHECKS",
    "FAST_BACKOFF",
    "SURFACE",
    "BookAdapter",
    "BookExchange",
    "Bursts",
    "Cache",
    "Change",
    "ClockCheck",
    "ClockScenario",
    "Connection",
    "FakeLogin",
    "FuzzReport",
    "Handler",
    "HttpExchange",
    "Limiter",
    "LocalExchange",
    "LoginResponder",
    "LoopbackResolver",
    "Messages",
    "ModelBook",
    "Registry",
    "Responder",
    "TimestampExchange",
    "TimestampRules",
    "WebSocketExchange",
    "WholeBookAdapter",
    "assert_json_body",
    "assert_store_fuzz",
    "build_registry",
    "burst",
    "burst_unpaced_then_paced",
    "check_before_snapshot",
    "check_book",
    "check_clean_stream",
    "check_corrupted_level",
    "check_dropped_diff",
    "check_duplicates",
    "check_offline",
    "check_recovery",
    "compression_bomb",
    "discover_plugins",
    "eventually",
    "exchanges_listing",
    "fuzz_store",
    "header_stamp",
    "heartbeats",
    "import_problems",
    "json_messages",
    "layout_problems",
    "mutate",
    "new_rsa_key",
    "query_stamp",
    "rsa_pem",
    "rsa_verifies",
    "signing_request",
    "stream_until",
    "with_heartbeat_interval",
    "without_cryptography",
]
