"""``ConformanceSuite``: the checks every exchange plugin passes, run from its description."""

from __future__ import annotations

import inspect
import logging
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest
from yarl import URL

from ...client import Client
from ...credential import Credential
from ...errors import CredentialError
from ...registry import Registry
from .description import Exchange, Login, Socket
from .logins import check_login, check_quiet_socket, check_socket, websocket_hosts
from .registration import check_apis, check_hosts, check_installed, own_registry, slug
from .signing import (
    check_delivered,
    check_unsigned,
    check_vector,
    credential_values,
    local_exchange,
    replay,
)
from .stores import check_datastore
from .vectors import ExchangeFacts, SignatureVector, load_facts

__all__ = ["ConformanceSuite"]


def _signing_hosts(registry: Registry) -> list[str]:
    return sorted(name for name, route in registry.hosts.items() if route.host.signer is not None)


class ConformanceSuite:
    """Subclass it as ``Test<Exchange>Conformance`` in ``test_<slug>_plugin.py``, with ``exchange``
    set to the plugin's ``Exchange`` description; pytest then runs every check below on it.

    A check whose subject the plugin does not have (no DataStore, no WebSocket login) runs once
    with ``None`` and asserts the plugin indeed has none, so nothing is ever skipped.
    """

    exchange: ClassVar[Exchange]

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        exchange = self.exchange
        registry = own_registry(exchange)
        vectors = self._vectors()
        cases: dict[str, list[Any]] = {
            "vector": list(vectors),
            "live_vector": [vector for vector in vectors if vector.live],
            "login": list(exchange.logins),
            "quiet_socket": list(exchange.quiet_sockets),
            "socket": [(url, socket) for socket in self._sockets() for url in socket.urls],
            "datastore": sorted(registry.datastores),
        }
        for name, values in cases.items():
            if name in metafunc.fixturenames:
                metafunc.parametrize(
                    name, values or [None], ids=[_id(v) for v in values] or ["none"]
                )

    @property
    def registry(self) -> Registry:
        return own_registry(self.exchange)

    def _facts(self) -> ExchangeFacts:
        """The description's vector file, else ``vectors/<slug>.json`` beside this test module."""
        path = self.exchange.vectors
        if path is None:
            here = Path(inspect.getfile(type(self))).parent
            path = here / "vectors" / f"{slug(self.exchange)}.json"
        return load_facts(path) if path.is_file() else ExchangeFacts([], (), ())

    def _vectors(self) -> list[SignatureVector]:
        return self._facts().vectors

    def _public(self) -> tuple[str, ...]:
        return (*self.exchange.public, *self._facts().public)

    def _sockets(self) -> tuple[Socket, ...]:
        return (*self.exchange.sockets, *self._facts().sockets)

    # -- registration ------------------------------------------------------------------------

    def test_the_installed_entry_point_is_this_plugin(self) -> None:
        check_installed(self.exchange)

    def test_hosts_are_exact_and_owned_by_no_other_plugin(self) -> None:
        check_hosts(self.exchange)

    def test_every_api_name_has_a_throwaway_credential(self) -> None:
        check_apis(self.exchange)

    # -- signing -----------------------------------------------------------------------------

    def test_signature_vector(self, vector: SignatureVector | None) -> None:
        if vector is None:
            assert not _signing_hosts(self.registry), "a signer needs its documented vectors"
            return
        check_vector(vector, self.registry)

    async def test_signing_is_verified_by_the_exchange(
        self, live_vector: SignatureVector | None
    ) -> None:
        """The vector's request, signed now, verifies at a local exchange under the real host;
        signed with another secret, it does not (the exchange's check really checks)."""
        registry = self.registry
        if live_vector is None:
            assert not _signing_hosts(registry), "no vector replays against the local exchange"
            return
        assert self.exchange.verify is not None, "describe the exchange's signature check"
        host = URL(live_vector.url).host or ""
        async with local_exchange(self.exchange, [host]) as local:
            status, record = await replay(local, registry, live_vector, live_vector.credential)
            assert record["verified"], f"{live_vector.name}: the exchange refused the signature"
            assert status == 200, status
            check_delivered(record, live_vector, registry)
            status, record = await replay(
                local, registry, live_vector, _wrong(live_vector), expect=live_vector.credential
            )
            assert not record["verified"], f"{live_vector.name}: a wrong secret verifies"
            assert status == self.exchange.refused_status, status

    async def test_requests_that_need_no_credentials_carry_none(self) -> None:
        """Public endpoints, ``auth=None`` and a Client without credentials send none at all."""
        exchange, registry = self.exchange, self.registry
        vectors = [vector for vector in self._vectors() if vector.live]
        public = [(line.split()[0], line.split()[1]) for line in self._public()]
        hosts = [URL(url).host or "" for _, url in public] + [
            URL(v.url).host or "" for v in vectors
        ]
        if not hosts:
            assert not _signing_hosts(registry), "list the exchange's public endpoints"
            return
        values = credential_values(v for creds in exchange.apis.values() for v in creds)
        async with local_exchange(exchange, hosts) as local:
            secret_headers: set[str] = set()
            secret_params: set[str] = set()
            for vector in vectors:
                own = credential_values(vector.credential)
                _, signed = await replay(local, registry, vector, vector.credential)
                status, anonymous = await replay(
                    local, registry, vector, None, expect=vector.credential
                )
                assert status == exchange.refused_status, status
                check_unsigned(anonymous, set(), own)
                secret_headers |= _names(signed) - _names(anonymous)
                moved = set(vector.data) if isinstance(vector.data, dict) else set()
                secret_params |= _params(signed) - _params(anonymous) - moved
                status, bare = await replay(local, registry, vector, vector.credential, auth=None)
                assert status == exchange.refused_status, status
                check_unsigned(bare, secret_headers, own, secret_params)
            local.credential = None
            async with local.client(registry, exchange.apis) as client:
                for method, url in public:
                    await client.fetch(method, url)
                    check_unsigned(local.seen[-1], secret_headers, values, secret_params)
        assert len(local.seen) >= len(public)

    async def test_secrets_stay_out_of_reprs_logs_warnings_and_errors(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        exchange, registry = self.exchange, self.registry
        caplog.set_level(logging.DEBUG)
        secrets = [
            v for values in exchange.apis.values() for v in credential_values(_secrets(values))
        ]
        texts: list[str] = [repr(registry)]
        texts += [f"{route!r} {route.host!r}" for route in registry.hosts.values()]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            async with Client(apis=exchange.apis, registry=registry) as client:
                texts += [repr(client), str(client)]
            for api, values in exchange.apis.items():
                credential = Credential(api, values)
                texts += [repr(credential), str(credential)]
                spec = registry.apis[api]
                too_many = [*values, *values, *values][
                    : len(spec.fields) + len(spec.optional_fields) + 1
                ]
                for bad in (
                    too_many,
                    {"key": values[0], "secret": list(values[1:])},
                    [*values[:-1], ""],
                ):
                    with pytest.raises(CredentialError) as raised:
                        Client(apis={api: bad}, registry=registry)
                    texts.append(str(raised.value))
            live = [vector for vector in self._vectors() if vector.live]
            if live:
                async with local_exchange(exchange, [URL(live[0].url).host or ""]) as local:
                    wrong = _wrong(live[0])
                    status, _ = await replay(
                        local, registry, live[0], wrong, expect=live[0].credential
                    )
                assert status == exchange.refused_status, status
                secrets += credential_values([*_secrets(live[0].credential), *_secrets(wrong)])
        texts += [str(w.message) for w in caught]
        texts.append(caplog.text)
        for secret in secrets:
            assert all(secret not in text for text in texts), "a secret was shown"

    # -- WebSockets --------------------------------------------------------------------------

    async def test_an_accepted_login_then_subscribes(
        self, login: Login | None, caplog: pytest.LogCaptureFixture
    ) -> None:
        await self._login(login, accepted=True, caplog=caplog)

    async def test_a_refused_login_is_visible_and_never_subscribes(
        self, login: Login | None, caplog: pytest.LogCaptureFixture
    ) -> None:
        await self._login(login, accepted=False, caplog=caplog)

    async def _login(
        self, login: Login | None, *, accepted: bool, caplog: pytest.LogCaptureFixture
    ) -> None:
        if login is None:
            assert not _login_hosts(self.registry), "describe how the exchange answers each login"
            return
        await check_login(self.exchange, self.registry, login, accepted=accepted, caplog=caplog)

    async def test_a_quiet_socket_sends_no_login(self, quiet_socket: str | None) -> None:
        if quiet_socket is None:  # none listed: every login host is described by its login
            logged = {URL(login.url).host for login in self.exchange.logins}
            assert set(_login_hosts(self.registry)) <= logged
            return
        await check_quiet_socket(self.exchange, self.registry, quiet_socket)

    def test_every_login_is_described(self) -> None:
        described = {URL(login.url).host for login in self.exchange.logins}
        described |= {URL(url).host for url in self.exchange.quiet_sockets}
        missing = sorted(set(_login_hosts(self.registry)) - described)
        assert not missing, f"describe the login of {missing} (Exchange.logins)"

    def test_heartbeat_and_send_pacing(self, socket: tuple[str, Socket] | None) -> None:
        registry = self.registry
        if socket is None:
            assert not websocket_hosts(registry), "describe each WebSocket (Exchange.sockets)"
            return
        url, rules = socket
        check_socket(registry, rules, url)

    def test_every_websocket_is_described(self) -> None:
        described = {URL(url).host for socket in self._sockets() for url in socket.urls}
        missing = sorted(set(websocket_hosts(self.registry)) - described)
        assert not missing, f"describe the WebSocket rules of {missing} (Exchange.sockets)"

    # -- DataStores --------------------------------------------------------------------------

    def test_datastore_resolves_and_survives_bad_messages(self, datastore: str | None) -> None:
        registry = self.registry
        if datastore is None:
            assert not registry.datastores
            return
        check_datastore(registry, datastore)


_ENTITY_HEADERS = frozenset({"content-type", "content-length"})


def _names(record: dict[str, Any]) -> set[str]:
    """The header names of a request, but the body's own (a signer may set its content type)."""
    return {name.lower() for name in record["headers"]} - _ENTITY_HEADERS


def _params(record: dict[str, Any]) -> set[str]:
    """The query parameter names of a request (a query signer adds its own)."""
    return set(URL(record["path_qs"], encoded=True).query)


def _secrets(values: Sequence[str]) -> Sequence[str]:
    """The elements to keep secret: all but the key, or the one element (a private key)."""
    return values[1:] if len(values) > 1 else values


def _wrong(vector: SignatureVector) -> tuple[str, ...]:
    """The vector's credential with one character of its secret changed to another of its kind
    (a hex digit stays a hex digit), so the secret still parses and only the signature differs."""
    values = list(vector.credential)
    at = 1 if len(values) > 1 else 0
    secret = values[at]
    positions = [i for i, char in enumerate(secret) if char.isalnum() and char.isascii()]
    assert positions, "the secret has no letter or digit to change"
    i = positions[len(positions) // 2]
    values[at] = secret[:i] + _other(secret[i]) + secret[i + 1 :]
    return tuple(values)


def _other(char: str) -> str:
    for alphabet in ("0123456789abcdef", "0123456789ABCDEF", "ghijklmnopqrstuvwxyz"):
        if char in alphabet:
            return alphabet[(alphabet.index(char) + 1) % len(alphabet)]
    return "x" if char != "x" else "y"


def _login_hosts(registry: Registry) -> list[str]:
    return sorted(n for n, r in registry.hosts.items() if r.host.ws_authenticator is not None)


def _id(value: Any) -> str:
    if isinstance(value, SignatureVector):
        return value.name
    if isinstance(value, Login):
        return str(URL(value.url).with_query(None))
    if isinstance(value, tuple):  # (url, Socket)
        return str(URL(value[0]).with_query(None))
    return str(value)
