"""``FakeLogin``: an in-memory ``topgun.plugin.WebSocketLogin``, for unit tests of authenticators.

What the authenticator sends is recorded as the exchange would read it and answered by a
``respond`` callback that plays the exchange. ``receive_json`` behaves like core's login session:
it returns the first queued answer ``match`` accepts and keeps the others (``kept``: the app
replays them to its handlers after the login). Nothing is awaited, so an empty inbox is a
``TimeoutError`` at once rather than after the real timeout.
"""

from __future__ import annotations

import contextlib
import functools
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

import orjson
from yarl import URL

from ..clock import Clock
from ..credential import Credential
from ..plugin.specs import FrameDecoder
from ..ws.dispatch import DEFAULT_MAX_MSG_SIZE
from ..ws.response import dumps

__all__ = ["FakeLogin", "LoginResponder"]

LoginResponder = Callable[[Any], Iterable[Any]]
"""Plays the exchange: called with each message the authenticator sends, returns the answers."""


class FakeLogin:
    """An in-memory ``WebSocketLogin`` on ``url`` for ``credential``, reading time from ``clock``.

    ``sent`` holds what the authenticator sent (``send_json`` messages after a JSON round trip,
    ``send_str`` text JSON-decoded when it is JSON), ``timeouts`` the timeout of each
    ``receive_json`` call. ``respond`` (none: nothing is ever answered) turns each sent message
    into answers; ``early`` answers are queued before anything is sent (a welcome, a heartbeat
    reply). Answers are the JSON messages themselves unless ``decode`` turns each into one first;
    ``decode`` raises ``ValueError`` for an answer that carries no JSON message, which is then
    kept as it is. ``FakeLogin.framed`` builds one whose answers are WebSocket frames.
    """

    def __init__(
        self,
        url: str | URL,
        credential: Credential,
        clock: Clock,
        respond: LoginResponder | None = None,
        early: Iterable[Any] = (),
        *,
        decode: Callable[[Any], Any] | None = None,
    ) -> None:
        self.url = URL(url)
        self.credential = credential
        self.clock = clock
        self.sent: list[Any] = []
        self.kept: list[Any] = []
        self.timeouts: list[float] = []
        self._respond = respond
        self._decode = decode
        self._inbox: deque[Any] = deque(early)

    @classmethod
    def framed(
        cls,
        url: str | URL,
        credential: Credential,
        clock: Clock,
        respond: LoginResponder | None = None,
        decoder: FrameDecoder | None = None,
        *,
        early: Iterable[Any] = (),
    ) -> FakeLogin:
        """A ``FakeLogin`` whose answers are ``("text", str)`` and ``("binary", bytes)`` frames.

        They are read as core's login session reads frames: a binary payload goes through
        ``decoder`` (the host's ``ws_decoder``) first, then every payload is decoded as JSON.
        Frames that hold no JSON, or not the reply, are kept as the frames they were.
        """
        return cls(
            url, credential, clock, respond, early, decode=functools.partial(_read_frame, decoder)
        )

    async def send_json(self, message: Any) -> None:
        self._answer(orjson.loads(dumps(message)))

    async def send_str(self, message: str) -> None:
        try:
            decoded: Any = orjson.loads(message)
        except orjson.JSONDecodeError:
            decoded = message
        self._answer(decoded)

    async def receive_json(
        self,
        timeout: float,  # noqa: ASYNC109 - the WebSocketLogin protocol's shape
        match: Callable[[Any], bool] | None = None,
    ) -> Any:
        self.timeouts.append(timeout)
        while self._inbox:
            answer = self._inbox.popleft()
            try:
                message = answer if self._decode is None else self._decode(answer)
            except ValueError:
                self.kept.append(answer)
                continue
            if match is None or match(message):
                return message
            self.kept.append(answer)
        raise TimeoutError(f"no login reply within {timeout:g} s")

    def _answer(self, message: Any) -> None:
        self.sent.append(message)
        if self._respond is not None:
            self._inbox.extend(self._respond(message))


def _read_frame(decoder: FrameDecoder | None, frame: tuple[str, str | bytes]) -> Any:
    kind, payload = frame
    if kind == "binary" and decoder is not None and isinstance(payload, bytes):
        with contextlib.suppress(Exception):  # as core does: the frame is then read as it came
            payload = decoder(payload, DEFAULT_MAX_MSG_SIZE)
    return orjson.loads(payload)
