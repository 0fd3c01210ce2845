"""What a plugin tells the conformance suite about its exchange: the facts its docs state.

The suite finds everything else (hosts, signers, authenticators, DataStores) in the plugin's own
registrations, so a description stays small: throwaway credentials, the signature vectors, a
check of the documented signature written independently of the plugin, the public endpoints,
how the exchange answers a login, and its WebSocket heartbeat and send-rate rules.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from ...credential import Credential
from ...plugin import RateLimit

__all__ = ["Exchange", "HttpRecord", "Login", "Socket", "Verifier"]


class HttpRecord(NamedTuple):
    """A request as the exchange received it, for a ``Verifier`` to check."""

    method: str
    host: str
    path_qs: str
    """The path and query exactly as sent (percent-encoding kept)."""
    headers: Mapping[str, str]
    """Case-insensitive, as the server reads them."""
    body: bytes


Verifier = Callable[[HttpRecord, Credential], bool]
"""The exchange's own check of a signed request, written from its docs, not with the plugin's code:
True when ``record`` carries a valid signature made with ``credential``."""


Replies = Sequence[Any] | Callable[[Any], Sequence[Any]]
"""What the exchange answers: messages, or a function of the login message (to echo its id)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Login:
    """A WebSocket that logs in, and how the exchange answers there.

    ``login`` names the fields that mark the login message (``{"op": "login"}``); the exchange
    answers it ``accepted`` or ``refused``. Where the login is a token in the URL instead,
    ``on_open`` is True and those answers come unprompted when a connection opens (a welcome or
    an error). ``subscribe`` is a private subscription the app sends after the login; ``reason``
    the part of a refusal the user must see; ``greeting`` what the exchange sends on every new
    connection; ``compress`` how it compresses what it sends (binary frames), if it does.
    """

    url: str
    subscribe: Any
    reason: str
    """What the refusal says (the exchange's error, as the plugin reports it): the raised
    ``AuthenticationError`` and the error logged must show it."""
    login: Mapping[str, Any] = field(default_factory=dict)
    accepted: Replies = ()
    refused: Replies = ()
    on_open: bool = False
    greeting: Sequence[Any] = ()
    compress: Callable[[bytes], bytes] | None = None
    api: str | None = None
    """The API name whose credential logs in (default: the only one of ``Exchange.apis``
    that the host may use)."""

    def is_login(self, message: Any) -> bool:
        return (
            not self.on_open
            and isinstance(message, dict)
            and all(message.get(name) == value for name, value in self.login.items())
        )

    def replies(self, message: Any, accepted: bool) -> list[Any]:
        answer = self.accepted if accepted else self.refused
        return list(answer(message) if callable(answer) else answer)


@dataclass(frozen=True, slots=True, kw_only=True)
class Socket:
    """WebSocket endpoints' documented keep-alive and send-rate rules.

    ``idle_timeout``: the exchange drops a connection quiet for this many seconds unless the
    client pings, so an application heartbeat must run more often than that.
    ``heartbeat_every``: the ping interval the exchange asks for; the heartbeat must run at
    least that often. Neither: the exchange documents no client ping, so the host has none.
    ``rate_limit``: the send rate the exchange allows; the host must pace sends no faster (a
    margin is fine), or not at all where it documents none (``None``).
    """

    urls: Sequence[str]
    """The endpoints these rules hold for (one ``Socket`` per set of rules)."""
    idle_timeout: float | None = None
    heartbeat_every: float | None = None
    rate_limit: RateLimit | None = None
    doc: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Exchange:
    """One plugin's description for ``ConformanceSuite``.

    ``plugin`` is the hook module (the entry point's target); ``apis`` maps each API name the
    plugin declares to a throwaway credential (never a real one); ``verify`` is the exchange's
    check of a signed request; ``logins`` every WebSocket that logs in, and ``quiet_sockets``
    the paths of those hosts that do not. ``vectors`` is the JSON file of the exchange's
    documented facts: signing cases, public endpoints and WebSocket rules (``ExchangeFacts``);
    ``public`` (``"GET https://host/path?query"``) and ``sockets`` add to the file's.
    """

    plugin: types.ModuleType
    apis: Mapping[str, Sequence[str]]
    vectors: Path | None = None
    """Default: ``vectors/<slug>.json`` next to the test module that runs the suite."""
    verify: Verifier | None = None
    public: Sequence[str] = ()
    logins: Sequence[Login] = ()
    quiet_sockets: Sequence[str] = ()
    """WebSocket URLs on a host that logs in elsewhere but not there (a public stream, an API that
    takes no login): connected with credentials loaded, the app sends nothing of its own first."""
    sockets: Sequence[Socket] = ()
    refused_status: int = field(default=401)
    """The HTTP status the local exchange answers a request whose signature does not verify."""
