"""Test helpers for exchange plugins: real hostnames served from 127.0.0.1, and login doubles.

- ``LocalExchange``, ``LoopbackResolver`` (``topgun.testing.exchange``): an aiohttp application
  on a loopback port behind TLS, reached under the exchange's real hostnames.

TLS needs the ``trustme`` package (``pip install topgun-core[testing]``).
"""

from .exchange import LocalExchange, LoopbackResolver

__all__ = ["LocalExchange", "LoopbackResolver"]
