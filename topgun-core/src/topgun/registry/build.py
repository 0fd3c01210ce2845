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

from ..errors import PluginConflictError, PluginError
from ..plugin import hookspecs
from ..plugin.specs import ApiSpec, Host
from .loader import DISABLE_ENV_VAR, LoadedPlugin, LoadFailure, strict_from_env

log = logging.getLogger("topgun.plugins")

HOOK_NAMES = ("topgun_register_apis", "topgun_register_hosts", "topgun_register_datastores")


class PluginLoadWarning(UserWarning):
    """A plugin failed to load; the others keep working."""


@dataclass(frozen=True, slots=True)
class Route:
    """What the hot path finds for a host: the host spec plus who registered it."""

    host: Host
    plugin: str
    distribution: str


@dataclass(frozen=True, slots=True)
class PluginInfo:
    name: str
    distribution: str
    version: str
    apis: tuple[str, ...]
    hosts: tuple[str, ...]
    datastores: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PluginFailure:
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
        except Exception as exc:  # third-party code: isolate it, report it, keep the rest
            if pm.is_registered(plugin.module):
                pm.unregister(plugin.module)
            failures.append(
                PluginFailure(plugin.name, plugin.distribution, f"{type(exc).__name__}: {exc}")
            )
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
            foreign = [name for name in host.api_names if name not in own_apis]
            if foreign:
                # Trust boundary: a plugin only ever gets the credentials of names it declared.
                raise PluginError(
                    f"plugin {plugin.name!r} ({plugin.distribution}) maps host {host.name!r} to API "
                    f"name(s) {foreign} that it does not declare; a plugin may only use its own API names"
                )
            if host.name in hosts:
                first = hosts[host.name]
                raise clash("host", host.name, first.distribution, first.plugin, plugin)
            hosts[host.name] = Route(host, plugin.name, plugin.distribution)
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
                tuple(host.name for host in contribution.hosts),
                tuple(name for name, _ in contribution.datastores),
            )
        )
    return Registry(
        apis, api_owner, hosts, datastores, datastore_owner, tuple(infos), failures, disabled
    )
