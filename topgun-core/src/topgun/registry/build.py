"""Turning plugin hook results into a frozen registry of plain dicts.

pluggy validates the hook implementations and hands them over; each plugin's hooks are then called
one plugin at a time with a ``register`` bound to that plugin, so every registration is attributed
to its distribution, a plugin that raises is dropped whole, and conflicts name both sides.
"""

from __future__ import annotations

import logging
import types
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pluggy
from yarl import URL

from ..errors import InsecureDestinationError, PluginConflictError, PluginError, PluginLoadWarning
from ..plugin import hookspecs
from ..plugin.specs import ApiSelector, ApiSpec, Host
from .hostname import canonical_host
from .loader import DISABLE_ENV_VAR, LoadedPlugin, LoadFailure, describe_failure, strict_from_env

__all__ = ["HOOK_NAMES", "PluginFailure", "PluginInfo", "Registry", "Route", "build_registry"]

log = logging.getLogger("topgun.plugins")

_TLS_SCHEMES = frozenset({"https", "wss"})

HOOK_NAMES = ("topgun_register_apis", "topgun_register_hosts", "topgun_register_datastores")


@dataclass(frozen=True, slots=True)
class Route:
    """What the hot path finds for a host: the host spec plus who registered it.

    ``apis`` are the API names the plugin declared that this host may use, frozen at build time:
    whatever a plugin's ``ApiSelector`` answers later, only these credentials can be handed out.
    """

    host: Host
    plugin: str
    distribution: str
    apis: frozenset[str] = frozenset()

    def api_for(self, headers: Mapping[str, str] | None) -> str | None:
        """The API name whose credential this request may use (None: the host takes none)."""
        api = self.host.api
        if api is None or isinstance(api, str):
            return api
        chosen = api.choose(headers if headers is not None else {})
        if chosen not in self.apis:
            # Trust boundary: a selector may not reach for another plugin's credentials.
            raise PluginError(
                f"plugin {self.plugin!r} ({self.distribution}): the ApiSelector of host "
                f"{self.host.name!r} chose the API name {chosen!r}, which is not one of its own "
                f"{sorted(self.apis)}; no credential was used. Report this to the plugin's authors."
            )
        return chosen

    def check_destination(self, url: URL, api: str, *, websocket: bool = False) -> None:
        """Refuse to send ``api``'s credentials to ``url`` unless it is TLS to a declared port."""
        if url.scheme in _TLS_SCHEMES and url.port in self.host.ports:
            return
        ports = " or ".join(str(port) for port in self.host.ports)
        secure = "wss" if websocket else "https"
        raise InsecureDestinationError(
            f"refused to send the {api!r} credentials to {url.scheme}://{url.host}:{url.port}: "
            f"they go only over {secure}:// to port {ports} of {self.host.name}, as registered by "
            f"plugin {self.plugin!r}. Use {secure}://{self.host.name}"
            f"{'' if 443 in self.host.ports else ':' + str(self.host.ports[0])}/..., or pass "
            "auth=None to send the request without credentials."
        )


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """What one loaded plugin registered, by name, for ``topgun exchanges`` and the docs."""

    name: str
    distribution: str
    version: str
    apis: tuple[str, ...]
    hosts: tuple[str, ...]
    datastores: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PluginFailure:
    """A plugin that failed to load or register, and why (the others keep working)."""

    name: str
    distribution: str
    error: str


@dataclass(slots=True)
class _Contribution:
    apis: list[ApiSpec] = field(default_factory=list)
    hosts: list[Host] = field(default_factory=list)
    datastores: list[tuple[str, type[Any]]] = field(default_factory=list)


class Registry:
    """Frozen lookups: API name -> spec, host -> route, public name -> DataStoreCollection class."""

    __slots__ = (
        "_api_owner",
        "_apis",
        "_datastore_owner",
        "_datastores",
        "_hosts",
        "disabled",
        "failures",
        "plugins",
    )

    def __init__(
        self,
        apis: dict[str, ApiSpec],
        api_owner: dict[str, str],
        hosts: dict[str, Route],
        datastores: dict[str, type[Any]],
        datastore_owner: dict[str, str],
        plugins: tuple[PluginInfo, ...],
        failures: tuple[PluginFailure, ...],
        disabled: tuple[str, ...] = (),
    ) -> None:
        self._apis = MappingProxyType(apis)
        self._api_owner = MappingProxyType(api_owner)
        self._hosts = hosts
        self._datastores = MappingProxyType(datastores)
        self._datastore_owner = MappingProxyType(datastore_owner)
        self.plugins = plugins
        self.failures = failures
        self.disabled = disabled

    @property
    def apis(self) -> Mapping[str, ApiSpec]:
        return self._apis

    @property
    def hosts(self) -> Mapping[str, Route]:
        # The plain dict itself: this is the per-request lookup. Callers must not mutate it.
        return self._hosts

    @property
    def datastores(self) -> Mapping[str, type[Any]]:
        return self._datastores

    def api_distribution(self, api: str) -> str | None:
        return self._api_owner.get(api)

    def datastore_distribution(self, name: str) -> str | None:
        return self._datastore_owner.get(name)

    def __repr__(self) -> str:
        return (
            f"<Registry plugins={[p.name for p in self.plugins]} apis={len(self._apis)} "
            f"hosts={len(self._hosts)} failures={len(self.failures)}>"
        )


def build_registry(
    plugins: Iterable[LoadedPlugin | types.ModuleType],
    *,
    load_failures: Iterable[LoadFailure] = (),
    disabled: Iterable[str] = (),
    strict: bool | None = None,
) -> Registry:
    """Build a registry from loaded plugins (or bare modules, for tests without entry points)."""
    strict = strict_from_env() if strict is None else strict
    failures: list[PluginFailure] = [
        PluginFailure(f.name, f.distribution, f.error) for f in load_failures
    ]
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)

    contributions: list[tuple[LoadedPlugin, _Contribution]] = []
    names: dict[str, LoadedPlugin] = {}
    for plugin in (_as_loaded(p) for p in plugins):
        if plugin.name in names:
            first = names[plugin.name]
            raise PluginConflictError(
                f"plugin name {plugin.name!r} is registered by two distributions: {first.distribution!r} "
                f"and {plugin.distribution!r}. Uninstall one of them."
            )
        names[plugin.name] = plugin
        try:
            pm.register(plugin.module, name=plugin.name)
            pm.check_pending()  # a misspelled topgun_register_* hook fails loudly here
            contribution = _collect(pm, plugin.name)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # third-party code, sys.exit() included
            if pm.is_registered(plugin.module):
                pm.unregister(plugin.module)
            failures.append(PluginFailure(plugin.name, plugin.distribution, describe_failure(exc)))
            continue
        contributions.append((plugin, contribution))

    for failure in failures:
        message = (
            f"topgun plugin {failure.name!r} from distribution {failure.distribution!r} failed to load "
            f"and is skipped: {failure.error}"
        )
        if strict:
            raise PluginError(message + " (strict mode: TOPGUN_STRICT_PLUGINS is set)")
        warnings.warn(message, PluginLoadWarning, stacklevel=3)
        log.warning("%s", message)

    return _freeze(contributions, tuple(failures), tuple(disabled))


def _as_loaded(plugin: LoadedPlugin | types.ModuleType) -> LoadedPlugin:
    if isinstance(plugin, LoadedPlugin):
        return plugin
    name = plugin.__name__.split(".")[0].removeprefix("topgun_")
    return LoadedPlugin(name, plugin, f"<module {plugin.__name__}>", "")


def _collect(pm: pluggy.PluginManager, plugin_name: str) -> _Contribution:
    contribution = _Contribution()
    registrars: dict[str, Callable[..., None]] = {
        "topgun_register_apis": _typed(contribution.apis.append, ApiSpec, "ApiSpec"),
        "topgun_register_hosts": _typed(contribution.hosts.append, Host, "Host"),
        "topgun_register_datastores": lambda name, cls: contribution.datastores.append((name, cls)),
    }
    for hook_name in HOOK_NAMES:
        caller = getattr(pm.hook, hook_name)
        for impl in caller.get_hookimpls():
            if impl.plugin_name == plugin_name:
                impl.function(register=registrars[hook_name])
    return contribution


def _typed(append: Callable[[Any], None], kind: type, label: str) -> Callable[[Any], None]:
    def register(item: Any) -> None:
        if not isinstance(item, kind):
            raise TypeError(f"register() takes a topgun.plugin.{label}, got {type(item).__name__}")
        append(item)

    return register


def _freeze(
    contributions: list[tuple[LoadedPlugin, _Contribution]],
    failures: tuple[PluginFailure, ...],
    disabled: tuple[str, ...],
) -> Registry:
    apis: dict[str, ApiSpec] = {}
    api_owner: dict[str, str] = {}
    api_plugin: dict[str, str] = {}
    hosts: dict[str, Route] = {}
    datastores: dict[str, type[Any]] = {}
    datastore_owner: dict[str, str] = {}
    infos: list[PluginInfo] = []

    def clash(
        kind: str, name: str, first: str, first_plugin: str, second: LoadedPlugin
    ) -> PluginConflictError:
        return PluginConflictError(
            f"{kind} {name!r} is claimed by two plugins: {first!r} (plugin {first_plugin!r}) and "
            f"{second.distribution!r} (plugin {second.name!r}). Uninstall one, or choose by disabling the "
            f"other: {DISABLE_ENV_VAR}={second.name} (or ={first_plugin})."
        )

    for plugin, contribution in contributions:
        own_apis = {spec.name for spec in contribution.apis}
        for spec in contribution.apis:
            if spec.name in apis:
                raise clash(
                    "API name", spec.name, api_owner[spec.name], api_plugin[spec.name], plugin
                )
            apis[spec.name] = spec
            api_owner[spec.name] = plugin.distribution
            api_plugin[spec.name] = plugin.name
        for host in contribution.hosts:
            if host.signer is not None and host.body is None:
                raise PluginError(
                    f"plugin {plugin.name!r} ({plugin.distribution}) registers a signer for host "
                    f"{host.name!r} without a body encoding; set Host(body='json') or body='form' so "
                    "the signed bytes are the sent bytes"
                )
            _check_api(host, own_apis, plugin)
            name = _canonical_name(host, plugin)
            _check_ports(host, plugin)
            if name in hosts:
                first = hosts[name]
                raise clash("host", name, first.distribution, first.plugin, plugin)
            hosts[name] = Route(host, plugin.name, plugin.distribution, frozenset(host.api_names))
        for public_name, cls in contribution.datastores:
            if public_name in datastores:
                owner = datastore_owner[public_name]
                raise clash("DataStore name", public_name, owner, owner, plugin)
            datastores[public_name] = cls
            datastore_owner[public_name] = plugin.distribution
        infos.append(
            PluginInfo(
                plugin.name,
                plugin.distribution,
                plugin.version,
                tuple(spec.name for spec in contribution.apis),
                tuple(canonical_host(host.name) for host in contribution.hosts),
                tuple(name for name, _ in contribution.datastores),
            )
        )
    return Registry(
        apis, api_owner, hosts, datastores, datastore_owner, tuple(infos), failures, disabled
    )


def _check_api(host: Host, own_apis: set[str], plugin: LoadedPlugin) -> None:
    """Trust boundary: a plugin only ever gets the credentials of the API names it declared."""
    where = f"plugin {plugin.name!r} ({plugin.distribution}), host {host.name!r}"
    if isinstance(host.api, ApiSelector):
        if not host.api.names or not all(isinstance(n, str) for n in host.api.names):
            raise PluginError(f"{where}: an ApiSelector needs a tuple of its API names")
        if not callable(host.api.choose):
            raise PluginError(f"{where}: ApiSelector.choose must be callable")
    elif host.api is not None and not isinstance(host.api, str):
        raise PluginError(
            f"{where}: api must be an API name, an ApiSelector or None, "
            f"not {type(host.api).__name__}"
        )
    foreign = [name for name in host.api_names if name not in own_apis]
    if foreign:
        raise PluginError(
            f"{where} is mapped to API name(s) {foreign} that the plugin does not declare; "
            "a plugin may only use its own API names"
        )


def _canonical_name(host: Host, plugin: LoadedPlugin) -> str:
    try:
        return canonical_host(host.name)
    except ValueError as exc:
        raise PluginError(f"plugin {plugin.name!r} ({plugin.distribution}): {exc}") from None


def _check_ports(host: Host, plugin: LoadedPlugin) -> None:
    ports = host.ports
    if (
        not isinstance(ports, tuple)
        or not ports
        or not all(type(p) is int and 0 < p < 65536 for p in ports)
    ):
        raise PluginError(
            f"plugin {plugin.name!r} ({plugin.distribution}), host {host.name!r}: ports must be a "
            f"non-empty tuple of TCP port numbers, not {ports!r}"
        )
