"""The per-request aiohttp client middleware that signs.

aiohttp runs a request's middlewares on every hop, redirects included. Each hop is signed only
when it goes to the exact origin (scheme, host, port) the credential was chosen for; a redirect to
any other origin leaves without auth headers and, if the signer rewrote the body, with the
unsigned body. The signed headers live on that hop's request object only, so they never follow.
"""

from __future__ import annotations

from typing import Any

from aiohttp import ClientHandlerType, ClientRequest, ClientResponse
from yarl import URL

from ..clock import Clock
from ..credentials import Credential
from ..plugin.specs import RequestSigner, SigningRequest


class SigningMiddleware:
    __slots__ = ("_body", "_clock", "_credential", "_data", "_origin", "_signed_body", "_signer")

    def __init__(
        self,
        signer: RequestSigner,
        credential: Credential,
        clock: Clock,
        origin: URL,
        data: Any,
        body: bytes | None,
    ) -> None:
        self._signer = signer
        self._credential = credential
        self._clock = clock
        self._origin = (origin.scheme, origin.host, origin.port)
        self._data = data
        self._body = body
        self._signed_body = False

    async def __call__(self, request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        url = request.url
        if (url.scheme, url.host, url.port) == self._origin:
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
        elif self._signed_body and request.body != b"":
            await request.update_body(self._body)
        return await handler(request)
