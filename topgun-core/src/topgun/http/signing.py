"""The per-request aiohttp client middleware that signs.

aiohttp runs a request's middlewares on every hop, redirects included. Each hop is signed only
when it goes to the exact origin (scheme, host, port) the credential was chosen for; a redirect to
any other origin leaves without auth headers and, if the signer rewrote the body, with the
unsigned body. The signed headers live on that hop's request object only, so they never follow.

With an automatic clock (``Client(sync_clock=True)``) the middleware also syncs the clock before
the first signed request to an exchange, and answers a timestamp rejection by re-syncing and,
where that is safe, signing and sending the request once more.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from aiohttp import ClientHandlerType, ClientRequest, ClientResponse
from yarl import URL

from ..clock import Clock
from ..credentials import Credential
from ..plugin.specs import RequestSigner, SigningRequest
from .timesync import TimestampGuard, describe

log = logging.getLogger("topgun.clock")


class SigningMiddleware:
    __slots__ = (
        "_body",
        "_clock",
        "_credential",
        "_data",
        "_guard",
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
        guard: TimestampGuard | None = None,
    ) -> None:
        self._signer = signer
        self._credential = credential
        self._clock = clock
        self._origin = (origin.scheme, origin.host, origin.port)
        self._data = data
        self._body = body
        self._signed_body = False
        self._guard = guard

    async def __call__(self, request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        url = request.url
        if (url.scheme, url.host, url.port) != self._origin:
            if self._signed_body and request.body != b"":
                await request.update_body(self._body)
            return await handler(request)
        guard = self._guard
        if guard is None:
            await self._sign(request, url)
            return await handler(request)
        await guard.keeper.ensure(guard.api)
        await self._sign(request, url)
        signed_at = time.monotonic()
        response = await handler(request)
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
        await self._sign(request, url)
        return await handler(request)

    async def _sign(self, request: ClientRequest, url: URL) -> None:
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
