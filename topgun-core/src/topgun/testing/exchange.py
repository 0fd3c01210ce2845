"""Serving an exchange's real hostnames from 127.0.0.1, for tests of signing and logins.

``LocalExchange`` runs an aiohttp application on a loopback port behind TLS with a throwaway CA,
and hands out a connector whose resolver sends the exchange's hostnames there. Code under test
keeps its real URLs (``https://api.<exchange>.com/...``), so the real host logic is exercised.
Needs the ``trustme`` package (``pip install topgun-core[testing]``).
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterable, Mapping
from typing import Any, Self

import aiohttp
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from ..client import Client

__all__ = ["LocalExchange", "LoopbackResolver"]


class LoopbackResolver(AbstractResolver):
    """Resolves the given hostnames to 127.0.0.1 and a local port; refuses every other name."""

    def __init__(self, ports: Mapping[str, int]) -> None:
        self._ports = dict(ports)

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        local_port = self._ports.get(host)
        if local_port is None:
            raise OSError(f"{host} is not served by this test (only {sorted(self._ports)} are)")
        return [
            ResolveResult(
                hostname=host,
                host="127.0.0.1",
                port=local_port,
                family=socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
        ]

    async def close(self) -> None:
        return None


class LocalExchange:
    """An aiohttp app serving ``hosts`` on 127.0.0.1 (TLS by default); use with ``async with``."""

    def __init__(self, app: web.Application, hosts: Iterable[str], *, tls: bool = True) -> None:
        self.app = app
        self.hosts = tuple(hosts)
        self.tls = tls
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._client_ssl: ssl.SSLContext | None = None
        self.ca_pem: bytes | None = None
        """The throwaway CA's certificate (PEM) once started with TLS: what a client in another
        process trusts (``ssl.create_default_context(cafile=...)``) to reach this server."""

    async def __aenter__(self) -> Self:
        server_ssl: ssl.SSLContext | None = None
        if self.tls:
            import trustme

            ca = trustme.CA()
            cert = ca.issue_cert(*self.hosts, "127.0.0.1")
            server_ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            cert.configure_cert(server_ssl)
            self._client_ssl = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
            ca.configure_trust(self._client_ssl)
            self.ca_pem = ca.cert_pem.bytes()
        self._runner = web.AppRunner(self.app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=server_ssl)
        await site.start()
        self.port = site.port
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def connector(self, resolver: AbstractResolver | None = None) -> aiohttp.TCPConnector:
        """A connector that reaches ``hosts`` here and trusts this server's throwaway CA.

        ``resolver`` replaces the default ``LoopbackResolver`` (one that stalls a lookup, say).
        """
        return aiohttp.TCPConnector(
            resolver=resolver or LoopbackResolver(dict.fromkeys(self.hosts, self.port)),
            ssl=self._client_ssl if self._client_ssl is not None else False,
        )

    def client(self, **kwargs: Any) -> Client:
        """A ``topgun.Client`` that reaches ``hosts`` here; ``kwargs`` as for ``Client``."""
        return Client(**kwargs, **self.client_kwargs())

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``topgun.Client(...)`` / ``aiohttp.ClientSession(...)``."""
        return {"connector": self.connector()}
