"""What a plugin registers. Plain frozen dataclasses, turned into dict lookups at registry build."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol, TypedDict, Unpack

from yarl import URL

if TYPE_CHECKING:
    from ..clock import Clock
    from ..credential import Credential

__all__ = [
    "ApiSelector",
    "ApiSpec",
    "BodyEncoding",
    "FrameDecoder",
    "Heartbeat",
    "HeartbeatFactory",
    "Host",
    "HostRecipe",
    "HttpRateLimits",
    "MessageResponder",
    "MessageSigner",
    "MessageSigningRequest",
    "RateLimit",
    "RateLimitReader",
    "RateLimitReading",
    "RequestSigner",
    "ServerTime",
    "SignedRequest",
    "SigningRequest",
    "TimestampRejection",
    "WebSocketAuthenticator",
    "WebSocketLogin",
]

BodyEncoding = Literal["json", "form"]


@dataclass(frozen=True, slots=True)
class ApiSpec:
    """An API name and the credential list it takes.

    ``fields`` are the required elements, named for error messages (``["API_KEY", "API_SECRET",
    "PASSPHRASE"]``); ``optional_fields`` may follow them. ``hint`` is appended to shape errors.
    ``check`` (optional) validates the element values once their count is right, at
    ``Client(...)`` time: it raises ``ValueError`` with a message that says what is wrong without
    quoting the secret, and core turns that into a ``CredentialError`` naming the API name.
    """

    name: str
    fields: tuple[str, ...] = ("API_KEY", "API_SECRET")
    optional_fields: tuple[str, ...] = ()
    label: str = ""
    hint: str = ""
    check: Callable[[tuple[str, ...]], None] | None = None
    server_time: ServerTime | None = None
    """Where this API name's exchange tells its time (``Client.sync_clock``), if it documents it."""


@dataclass(frozen=True, slots=True)
class TimestampRejection:
    """How an exchange answers a signed request whose timestamp is outside its accepted window.

    ``matches(status, body)`` gets the HTTP status and the parsed JSON body and says whether it
    is such a rejection (the exchange's documented error codes). To keep every other response
    cheap, only responses with a status in ``statuses`` (``None``: any status) whose raw body
    contains ``marker`` (the error code as bytes, say) are parsed and passed to it.
    ``not_executed`` is True only where the exchange documents that it checks the timestamp
    before acting, so a rejected order was not placed and may be re-sent; otherwise only
    GET and HEAD requests are retried.
    """

    matches: Callable[[int, Any], bool]
    statuses: frozenset[int] | None = None
    marker: bytes = b""
    not_executed: bool = False


@dataclass(frozen=True, slots=True)
class ServerTime:
    """An exchange's public server-time endpoint: ``url`` answers JSON, ``read`` turns the parsed
    JSON into seconds since the Unix epoch. ``rejection`` recognises timestamp rejections."""

    url: str
    read: Callable[[Any], float]
    rejection: TimestampRejection | None = None


class RateLimitReading(NamedTuple):
    """What one response says about one rate-limit bucket (``None``: it does not say).

    ``reset`` is when the bucket refills, in seconds since the epoch on the Client's clock
    (which ``sync_clock`` aligns with the exchange's).
    """

    bucket: str
    used: float | None = None
    remaining: float | None = None
    limit: float | None = None
    reset: float | None = None


RateLimitReader = Callable[[URL, Mapping[str, str], float], Sequence[RateLimitReading]]
"""``read(url, headers, now)``: the buckets a response's headers report; ``now`` is the Client's
clock time, for exchanges that give a reset as a delay or a fixed window. Called on every
response of the host, so it must be cheap (a few header lookups)."""


@dataclass(frozen=True, slots=True)
class HttpRateLimits:
    """An exchange's documented HTTP rate-limit headers and ban answers, for one host.

    ``headers`` names them (a trailing ``*`` for a family, like ``X-MBX-ORDER-COUNT-*``) for
    ``topgun exchanges`` and the docs; ``read`` reads them. ``buckets(method, url)`` names the
    buckets a request draws from: pacing waits while one of them is exhausted, and a response with
    a status in ``ban_statuses`` pauses them for its ``Retry-After``, or for ``ban_pause``
    seconds where the exchange documents a ban length but sends no ``Retry-After``.
    """

    headers: tuple[str, ...]
    read: RateLimitReader
    buckets: Callable[[str, URL], tuple[str, ...]]
    ban_statuses: frozenset[int] = frozenset({429})
    ban_pause: float | None = None


@dataclass(frozen=True, slots=True)
class ApiSelector:
    """Chooses the API name per request from its headers, among ``names`` (all declared by the plugin)."""

    names: tuple[str, ...]
    choose: Callable[[Mapping[str, str]], str]


class SigningRequest(NamedTuple):
    """Everything a request signer may look at. Signers are pure: they return what to add.

    A NamedTuple rather than a dataclass: one is built per signed request, and this is cheaper.
    """

    method: str
    url: URL
    headers: Mapping[str, str]
    body: bytes
    data: Any
    credential: Credential
    clock: Clock

    def prehash(self, timestamp: str) -> bytes:
        """``timestamp + METHOD + path?query + body``: the text many exchanges sign.

        The path and query as sent (percent-encoded; ``?`` only when there is a query), the
        method in upper case, the body's bytes as sent (empty for none).
        """
        return (
            timestamp.encode()
            + self.method.upper().encode()
            + self.url.raw_path_qs.encode()
            + self.body
        )


_NO_HEADERS: Mapping[str, str] = MappingProxyType({})


class SignedRequest(NamedTuple):
    """What a signer adds: headers, and optionally a replacement URL (query signatures) or body."""

    headers: Mapping[str, str] = _NO_HEADERS
    url: URL | None = None
    body: bytes | None = None


RequestSigner = Callable[[SigningRequest], SignedRequest]


@dataclass(frozen=True, slots=True)
class MessageSigningRequest:
    """An outgoing WebSocket JSON message to sign. The signer returns a new message, never mutates."""

    message: Any
    url: URL
    credential: Credential
    clock: Clock


MessageSigner = Callable[[MessageSigningRequest], Any]


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """An application-level heartbeat: send ``message`` every ``interval`` seconds.

    ``message`` may be a callable of the clock for payloads carrying a timestamp. ``frame`` picks
    the WebSocket frame: a text or binary data frame, or a control ping/pong frame.
    """

    interval: float
    message: str | bytes | Callable[[Clock], str | bytes] = ""
    frame: Literal["text", "binary", "ping", "pong"] = "text"
    replies: tuple[str, ...] = ()
    """Text frames that answer the heartbeat; they are not handed to JSON handlers as garbage."""
    idle: bool = False
    """Send only after ``interval`` seconds in which nothing arrived (and no heartbeat was sent),
    for exchanges that ask a client to probe a quiet connection rather than ping on a timer."""


HeartbeatFactory = Callable[[URL], "Heartbeat | None"]


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most ``messages`` sends per ``per_seconds``, enforced locally (no request per message)."""

    messages: int
    per_seconds: float


FrameDecoder = Callable[[bytes, int], bytes]
"""``decoder(payload, max_size)``: the bytes a received BINARY frame carries, for exchanges that
compress every message themselves (not WebSocket permessage-deflate). ``max_size`` is the
connection's maximum message size (0: no bound): the output must never exceed it; raise
``FrameTooLargeError`` instead, before producing more (``topgun.plugin.Decompressor`` does). Any
other exception means the payload is not in that form; the frame is then handled as it arrived."""

MessageResponder = Callable[[Any], Any]
"""Maps a received JSON message to the JSON reply to send back at once, or ``None`` for no reply:
for exchanges whose server pings carry a value the client must echo within a few seconds, which
a timer (``Heartbeat``) cannot do. Called on every message of the connection, so it must be cheap."""


class WebSocketLogin(Protocol):
    """What a WebSocket authenticator can do with the new connection before subscriptions go out."""

    @property
    def url(self) -> URL: ...

    @property
    def credential(self) -> Credential: ...

    @property
    def clock(self) -> Clock: ...

    async def send_json(self, message: Any) -> None: ...

    async def send_str(self, message: str) -> None: ...

    async def receive_json(
        self,
        timeout: float,  # noqa: ASYNC109 - a deadline per expected reply is the natural unit
        match: Callable[[Any], bool] | None = None,
    ) -> Any:
        """The next JSON message ``match`` accepts (any, without ``match``).

        Every other frame received meanwhile (non-matching JSON, non-JSON, binary) is kept and
        handed to the app's handlers once the login is done, so nothing the exchange sent early is
        lost. Raises ``TimeoutError`` when no such message arrives within ``timeout`` seconds, and
        ``ConnectionError`` when the exchange closes the connection first.
        """
        ...


WebSocketAuthenticator = Callable[[WebSocketLogin], Awaitable[None]]
"""Logs in on a fresh connection; returns when the exchange confirms, raises AuthenticationError.

Core runs it after every handshake, before the ``send_*`` messages, with an overall deadline; a
rejection, a timeout or any other exception counts as a failed login (logged, counted, retried
with backoff), never as a silently unauthenticated connection.
"""


class HostRecipe(TypedDict, total=False):
    """Everything of a ``Host`` but its name and ``api``: see ``Host.each``."""

    signer: RequestSigner | None
    body: BodyEncoding | None
    ws_authenticator: WebSocketAuthenticator | None
    ws_heartbeat: Heartbeat | HeartbeatFactory | None
    ws_message_signer: MessageSigner | None
    ws_rate_limit: RateLimit | None
    ws_decoder: FrameDecoder | None
    ws_responder: MessageResponder | None
    ws_notices: tuple[str, ...]
    ports: tuple[int, ...]
    ordered_nonces: bool
    rate_limits: HttpRateLimits | None


@dataclass(frozen=True, slots=True)
class Host:
    """One HTTP or WebSocket host and everything topgun does for it.

    ``api`` names the credential used there (a fixed name, or an ``ApiSelector``); ``None`` means
    the host needs none (a public WebSocket with only a heartbeat). ``body`` says how a request's
    ``data`` is encoded on this host, signed or not.

    ``ws_decoder`` is applied to every BINARY frame before it is decoded as JSON (for JSON
    handlers and for the login's ``receive_json``); ``hdlr_bytes`` handlers still get the frame
    as it arrived. ``ws_responder`` sees every decoded JSON message the handlers get (frames kept
    during a login too, when they are replayed after it), and what it returns (when not ``None``)
    is sent back as JSON before the handlers see the message. ``ws_notices`` are non-JSON text
    frames the exchange sends by design (a greeting on connect, say): they reach ``hdlr_str`` but
    are not reported as malformed JSON.

    ``ports`` are the TLS ports credentials may go to on this host: core signs, logs in and signs
    messages only over https/wss to one of them, and refuses a request that would carry
    credentials anywhere else (plain http/ws, another port). Declare the exchange's documented
    ports when it is not 443 alone (a WebSocket served on 8443, say).

    ``ordered_nonces``: the signer puts a nonce in every request that the exchange requires to
    grow per API key (a lower one than the last seen is refused). Core then sends each key's
    signed requests in signing order: it holds a per-(API name, key) lock from signing until the
    request's headers are written. Exchanges that only check a timestamp window leave it False,
    so their concurrent requests are never serialised.
    """

    name: str
    api: str | ApiSelector | None = None
    signer: RequestSigner | None = None
    body: BodyEncoding | None = None
    ws_authenticator: WebSocketAuthenticator | None = None
    ws_heartbeat: Heartbeat | HeartbeatFactory | None = None
    ws_message_signer: MessageSigner | None = None
    ws_rate_limit: RateLimit | None = None
    ws_decoder: FrameDecoder | None = None
    ws_responder: MessageResponder | None = None
    ws_notices: tuple[str, ...] = ()
    ports: tuple[int, ...] = (443,)
    ordered_nonces: bool = False
    rate_limits: HttpRateLimits | None = None

    def __post_init__(self) -> None:
        if self.ws_decoder is not None:
            _check_decoder(self.name, self.ws_decoder)

    @classmethod
    def each(
        cls, apis: Mapping[str, str | ApiSelector | None], **recipe: Unpack[HostRecipe]
    ) -> tuple[Host, ...]:
        """One host per entry of ``apis`` (host name to its ``api``), alike in all else.

        For an exchange serving one protocol on several domains (regions, a testnet, an older
        name kept): the recipe is written once, so those hosts cannot drift apart.
        """
        return tuple(cls(name, api=api, **recipe) for name, api in apis.items())

    @property
    def api_names(self) -> tuple[str, ...]:
        if self.api is None:
            return ()
        if isinstance(self.api, ApiSelector):
            return self.api.names
        return (self.api,)

    def features(self) -> tuple[str, ...]:
        """Short labels for ``topgun exchanges``."""
        labels = {
            "sign": self.signer,
            "ws-login": self.ws_authenticator,
            "heartbeat": self.ws_heartbeat,
            "ws-sign": self.ws_message_signer,
            "ws-rate-limit": self.ws_rate_limit,
            "ws-decode": self.ws_decoder,
            "ws-reply": self.ws_responder,
            "http-rate-limits": self.rate_limits,
        }
        out = [name for name, value in labels.items() if value is not None]
        if self.body:
            out.append(f"body={self.body}")
        if self.ordered_nonces:
            out.append("nonce-order")
        if self.ports != (443,):
            out.append("port=" + ",".join(str(port) for port in self.ports))
        return tuple(out)


def _check_decoder(host: str, decoder: Any) -> None:
    """A decoder must take the size bound, so none can open a frame without one."""
    try:
        inspect.signature(decoder).bind(b"", 0)
    except TypeError:
        raise TypeError(
            f"Host {host!r}: ws_decoder {decoder!r} must take (payload, max_size) and never "
            "return more than max_size bytes; for compressed frames use "
            "topgun.plugin.Decompressor('deflate' | 'zlib' | 'gzip')"
        ) from None
    except ValueError:
        pass  # no introspectable signature (a C callable): trusted as declared
