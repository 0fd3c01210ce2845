"""pytest fixtures over ``topgun.testing``, for a plugin's ``conftest.py`` to import::

    from topgun.testing.fixtures import *  # noqa: F403

pytest looks for fixtures in a conftest, so that is where they go (``__all__`` lists them; name
single ones instead if you prefer). Needs pytest and pytest-asyncio, which ``topgun.testing``
itself does not import.
"""

from __future__ import annotations

import contextlib
import types
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

import pytest
import pytest_asyncio

from ..ws.backoff import Backoff
from . import rsa, waiting
from .login import FakeLogin
from .plugins import FAST_BACKOFF, with_heartbeat_interval
from .websocket import Responder, WebSocketExchange

__all__ = [
    "eventually",
    "fake_login",
    "fast_backoff",
    "fast_heartbeat",
    "rsa_check",
    "rsa_pem",
    "rsa_private_key",
    "ws_exchange",
]

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

StartExchange = Callable[..., Awaitable[WebSocketExchange]]


@pytest.fixture
def fake_login() -> type[FakeLogin]:
    """``FakeLogin``: ``fake_login(url, credential, clock, respond, early=...)``."""
    return FakeLogin


@pytest_asyncio.fixture
async def ws_exchange() -> AsyncIterator[StartExchange]:
    """``server = await ws_exchange(hosts, respond, **options)``: a started
    ``WebSocketExchange``, stopped after the test."""
    async with contextlib.AsyncExitStack() as stack:

        async def start(
            hosts: Iterable[str], respond: Responder | None = None, **options: Any
        ) -> WebSocketExchange:
            return await stack.enter_async_context(WebSocketExchange(hosts, respond, **options))

        yield start


@pytest.fixture
def eventually() -> Callable[..., Awaitable[None]]:
    """``await eventually(predicate, within=5.0)``: poll until it holds, or fail the test."""
    return waiting.eventually


@pytest.fixture
def fast_heartbeat() -> Callable[[types.ModuleType, float], types.ModuleType]:
    """``with_heartbeat_interval``: ``build_registry([fast_heartbeat(plugin, 0.05)])``."""
    return with_heartbeat_interval


@pytest.fixture
def fast_backoff() -> Backoff:
    """``FAST_BACKOFF``, for ``ws_connect(..., backoff=fast_backoff)``."""
    return FAST_BACKOFF


@pytest.fixture(scope="session")
def rsa_private_key() -> RSAPrivateKey:
    """A throwaway 2048-bit RSA key (one per test session: generating one takes a while)."""
    return rsa.new_rsa_key()


@pytest.fixture
def rsa_pem(rsa_private_key: RSAPrivateKey) -> str:
    """``rsa_private_key`` as the PEM a user puts where the API secret goes."""
    return rsa.rsa_pem(rsa_private_key)


@pytest.fixture
def rsa_check() -> Callable[[RSAPublicKey, str, bytes], bool]:
    """``rsa_verifies``: ``rsa_check(public_key, signature_b64, message)``."""
    return rsa.rsa_verifies
