"""The per-request aiohttp client middleware that signs.

aiohttp runs a request's middlewares on every hop, redirects included. Each hop is signed only
when it goes to the exact origin (scheme, host, port) the credential was chosen for; a redirect to
any other origin leaves without auth headers and, if the signer rewrote the body, with the
unsigned body. The signed headers live on that hop's request object only, so they never follow.

Once a hop's headers are on the wire, the values the signer added are masked in that request's
headers. aiohttp's ``response.request_info`` (and so ``ClientResponseError`` from
``raise_for_status()``, ``TooManyRedirects`` and the ``history`` responses) shows those headers,
and error reporters record them; from then on they read ``***``.

With an automatic clock (``Client(sync_clock=True)``) the middleware also syncs the clock before
the first signed request to an exchange, and answers a timestamp rejection by re-syncing and,
where that is safe, signing and sending the request once more.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Final

from aiohttp import ClientHandlerType, ClientRequest, ClientResponse
from yarl import URL

from ..clock import Clock
from ..credential import Credential
from ..plugin.specs import RequestSigner, SigningRequest
from .ordering import NonceOrder
from .timesync import TimestampGuard, describe

__all__ = ["MASK", "SigningMiddleware"]

log = logging.getLogger("topgun.clock")

MASK: Final = "***"
"""What a credential header reads once its request is sent."""


def _origin(url: URL) -> tuple[str, str | None, int | None]:
    host = url.raw_host
    return url.scheme, host.removesuffix(".") if host else None, url.port


class SigningMiddleware:
    __slots__ = (
        "_body",
        "_clock",
        "_credential",
        "_data",
        "_guard",
        "_order",
        "_origin",
        "_signed_body",
        "_signer",
    )

    def __init__(
        self,
        signer: RequestSigner,
        credential: Credential,
        clock: Clock,
        origin: URL,
        data: Any,
        body: bytes | None,
        order: NonceOrder | None = None,
        guard: TimestampGuard | None = None,
    ) -> None:
        self._signer = signer
        self._credential = credential
        self._clock = clock
        self._origin = _origin(origin)
        self._data = data
        self._body = body
        self._signed_body = False
        self._order = order
        self._guard = guard

    async def __call__(self, request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        url = request.url
        if _origin(url) != self._origin:
            if self._signed_body and request.body != b"":
                await request.update_body(self._body)
            return await handler(request)
        if self._guard is not None:
            await self._guard.keeper.ensure(self._guard.api)
        if self._order is None:
            return await self._signed(request, handler, url)
        async with self._order.hold(self._credential, request.headers):
            return await self._signed(request, handler, url)

    async def _signed(
        self, request: ClientRequest, handler: ClientHandlerType, url: URL
    ) -> ClientResponse:
        guard = self._guard
        if guard is None:
            return await self._send(request, handler, url)
        signed_at = time.monotonic()
        response = await self._send(request, handler, url)
        if not await guard.rejected(response):
            return response
        before = self._clock.offset
        measured = await guard.keeper.resync(guard.api, signed_at)
        retry = measured is not None and guard.may_retry(request.method)
        log.warning(
            "%s rejected a signed %s %s for its timestamp; clock re-synced: offset %+.3f s -> %s%s",
            guard.api,
            request.method,
            url.path,
            before,
            describe(measured),
            "; sending it once more" if retry else "; not re-sent (the exchange may have acted)",
        )
        if not retry:
            return response
        request.url = url
        return await self._send(request, handler, url)

    async def _send(
        self, request: ClientRequest, handler: ClientHandlerType, url: URL
    ) -> ClientResponse:
        added = await self._sign(request, url)
        try:
            return await handler(request)
        finally:
            headers = request.headers
            for name in added:
                if name in headers:
                    headers[name] = MASK

    async def _sign(self, request: ClientRequest, url: URL) -> tuple[str, ...]:
        # A 303 (or a 301/302 after POST) turns the hop into a body-less GET.
        has_body = request.body != b""
        body = (self._body or b"") if has_body else b""
        signed = self._signer(
            SigningRequest(
                request.method,
                url,
                request.headers,
                body,
                self._data if has_body else None,
                self._credential,
                self._clock,
            )
        )
        headers = request.headers
        for name, value in signed.headers.items():
            headers[name] = value
        if signed.url is not None:
            request.url = signed.url
        if signed.body is not None:
            await request.update_body(signed.body)
            self._signed_body = True
        return tuple(signed.headers)
