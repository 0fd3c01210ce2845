"""Loaded by every Python process a cookbook test starts (it is on their ``PYTHONPATH``).

``TOPGUN_TEST_EXCHANGE`` names a local exchange (hostnames, loopback port, CA file): every
``topgun.Client`` made in this process then reaches those hostnames on 127.0.0.1 and trusts that
CA, the way ``topgun.testing.LocalExchange.client_kwargs()`` does in the test's own process.
Nothing else changes: the program runs as written.
"""

from __future__ import annotations

import json
import os
import ssl
from typing import Any

_served = os.environ.get("TOPGUN_TEST_EXCHANGE")
if _served:
    import aiohttp

    import topgun
    from topgun.testing import LoopbackResolver

    _config = json.loads(_served)

    class _LocalClient(topgun.Client):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            trust = ssl.create_default_context(cafile=_config["ca"])
            resolver = LoopbackResolver(dict.fromkeys(_config["hosts"], _config["port"]))
            kwargs["connector"] = aiohttp.TCPConnector(resolver=resolver, ssl=trust)
            super().__init__(*args, **kwargs)

    topgun.Client = _LocalClient  # type: ignore[misc]
