"""``topgun.Client``: an aiohttp session that signs every request to a known exchange host."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Final

import aiohttp
import orjson
from aiohttp.client import _RequestContextManager
from multidict import CIMultiDict
from yarl import URL

from ._version import __version__
from .clock import Clock
from .credentials import Credential, load_credentials
from .http.body import encode_body
from .http.signing import SigningMiddleware
from .plugin.specs import ApiSelector
from .registry import Registry, Route, get_registry

__all__ = ["Auth", "Client", "FetchResult", "NotJSONContent"]

USER_AGENT: Final = f"topgun/{__version__}"


class Auth:
    """Sentinel for ``auth=``: the default, sign automatically. ``auth=None`` turns signing off.

    Kept under this name so code written for pybotters (``auth=pybotters.Auth``) moves over as is.
    """


@dataclass(slots=True)
class NotJSONContent:
    """``FetchResult.data`` when the body is not JSON. Always falsy; ``error`` says why."""

    error: orjson.JSONDecodeError

    def __bool__(self) -> bool:
        return False


@dataclass(slots=True)
class FetchResult:
    response: aiohttp.ClientResponse
    text: str
    data: Any


class Client:
    """HTTP and WebSocket client for exchange APIs.

    ``apis`` are the credentials (a dict, a path to a JSON file, or implicit: ``./apis.json``,
    then ``$TOPGUN_APIS``). ``base_url`` prefixes relative HTTP URLs only. ``clock`` is the time
    every signature uses (set ``client.clock.offset`` to correct a skewed local clock). Any other
    keyword goes to ``aiohttp.ClientSession``.
    """

    def __init__(
        self,
        apis: Mapping[str, Any] | str | os.PathLike[str] | None = None,
        base_url: str = "",
        *,
        clock: Clock | None = None,
        registry: Registry | None = None,
        **kwargs: Any,
    ) -> None:
        self._registry = registry if registry is not None else get_registry()
        # Checked before the session exists, so a bad credential leaves nothing to close.
        self._credentials: dict[str, Credential] = load_credentials(apis, self._registry.apis)
        self._hosts = self._registry.hosts
        self._base_url = base_url
        self.clock = clock if clock is not None else Clock()
        headers = CIMultiDict(kwargs.pop("headers", None) or {})
        headers.setdefault("User-Agent", USER_AGENT)
        # Per-request middlewares replace the session's in aiohttp, so signed requests re-add them.
        self._session_middlewares = tuple(kwargs.get("middlewares") or ())
        self._session = aiohttp.ClientSession(headers=headers, **kwargs)

    @property
    def session(self) -> aiohttp.ClientSession:
        """The underlying aiohttp session (requests made on it directly are not signed)."""
        return self._session

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def registry(self) -> Registry:
        return self._registry

    @property
    def api_names(self) -> tuple[str, ...]:
        """The API names credentials were loaded for (never the credentials themselves)."""
        return tuple(self._credentials)

    @property
    def closed(self) -> bool:
        return self._session.closed

    async def close(self) -> None:
        await self._session.close()

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"<topgun.Client apis={sorted(self._credentials)} base_url={self._base_url!r}>"

    # -- HTTP ------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str | URL,
        *,
        params: Any = None,
        data: Any = None,
        auth: Any = Auth,
        **kwargs: Any,
    ) -> _RequestContextManager:
        """Start a request; use with ``async with`` (or ``await``) to get the aiohttp response."""
        if "json" in kwargs:
            raise TypeError(
                "topgun does not take json=: pass the body as data=, and topgun encodes it the way the "
                "exchange expects (JSON or form) so that what is signed is exactly what is sent"
            )
        target = self._url(url)
        if params:
            target = target.extend_query(params)
        route = self._hosts.get(target.host) if target.host is not None else None
        if route is None:
            return self._session.request(
                method, target, data=data, auth=_aiohttp_auth(auth), **kwargs
            )
        return self._routed(method, target, route, data, auth, kwargs)

    def _routed(
        self, method: str, target: URL, route: Route, data: Any, auth: Any, kwargs: dict[str, Any]
    ) -> _RequestContextManager:
        host = route.host
        body, content_type = encode_body(data, host.body) if host.body else (data, None)
        headers = kwargs.pop("headers", None)
        if content_type is not None:
            headers = CIMultiDict(headers or {})
            headers.setdefault("Content-Type", content_type)
        if auth is Auth and host.signer is not None:
            credential = self._credential_for(host.api, headers)
            if credential is not None:
                signing = SigningMiddleware(host.signer, credential, self.clock, target, data, body)
                extra = kwargs.pop("middlewares", None)
                kwargs["middlewares"] = (*(extra or self._session_middlewares), signing)
        return self._session.request(
            method, target, data=body, headers=headers, auth=_aiohttp_auth(auth), **kwargs
        )

    def _credential_for(self, api: str | ApiSelector | None, headers: Any) -> Credential | None:
        if api is None:
            return None
        if isinstance(api, str):
            return self._credentials.get(api)
        return self._credentials.get(api.choose(headers or {}))

    def _url(self, url: str | URL) -> URL:
        if isinstance(url, URL):
            return url if url.absolute or not self._base_url else URL(self._base_url + str(url))
        parsed = URL(url)
        if parsed.absolute or not self._base_url:
            return parsed
        return URL(self._base_url + url)

    def get(self, url: str | URL, *, params: Any = None, **kwargs: Any) -> _RequestContextManager:
        return self.request("GET", url, params=params, **kwargs)

    def post(self, url: str | URL, *, data: Any = None, **kwargs: Any) -> _RequestContextManager:
        return self.request("POST", url, data=data, **kwargs)

    def put(self, url: str | URL, *, data: Any = None, **kwargs: Any) -> _RequestContextManager:
        return self.request("PUT", url, data=data, **kwargs)

    def delete(self, url: str | URL, *, data: Any = None, **kwargs: Any) -> _RequestContextManager:
        return self.request("DELETE", url, data=data, **kwargs)

    async def fetch(
        self, method: str, url: str | URL, *, params: Any = None, data: Any = None, **kwargs: Any
    ) -> FetchResult:
        """Send a request and read the whole body; ``data`` is the decoded JSON or a NotJSONContent."""
        async with self.request(method, url, params=params, data=data, **kwargs) as response:
            raw = await response.read()
        text = raw.decode(response.charset or "utf-8", errors="replace")
        try:
            decoded: Any = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            decoded = NotJSONContent(exc)
        return FetchResult(response, text, decoded)


def _aiohttp_auth(auth: Any) -> Any:
    """topgun's sentinel and None mean "no aiohttp BasicAuth"; anything else is aiohttp's own."""
    return None if auth is Auth or auth is None else auth
