"""Exchange facts generated from the installed plugins' registry when the docs are built.

What a plugin registers (API names and their credential lists, hosts with their ports, what topgun
does on each host, rate limits, server time, DataStore classes and their stores) lives in code,
so the pages read it from :func:`topgun.registry.get_registry` instead of keeping a copy that
drifts. Two directives:

``.. topgun-exchange:: <plugin name>``
    that plugin's facts, for its page ``docs/<plugin name>.rst``;
``.. topgun-exchanges::``
    one row per installed plugin, for the overview page.

The hand-written prose around them says what the registry cannot: how signing works, what each
store's items hold, what feeds them, and the differences from pybotters.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from topgun import DataStore, DataStoreCollection, OrderBookStore
from topgun.plugin import Heartbeat, Host
from topgun.registry import PluginInfo, Registry, get_registry
from topgun_api import module_api_lines, parse_into


def _lit(text: object) -> str:
    return f"``{text}``"


def _qualname(obj: object) -> str:
    module = getattr(obj, "__module__", None) or type(obj).__module__
    name = getattr(obj, "__qualname__", None) or type(obj).__qualname__
    return f"{module}.{name}"


def _first_line(obj: object) -> str:
    doc = inspect.getdoc(obj) or ""
    return doc.split("\n\n")[0].replace("\n", " ").strip()


def _credential_shape(registry: Registry, api: str) -> str:
    spec = registry.apis[api]
    return _lit("[" + ", ".join([*spec.fields, *(f"{f}?" for f in spec.optional_fields)]) + "]")


def _heartbeat(heartbeat: Heartbeat | Callable[..., Any]) -> str:
    if not isinstance(heartbeat, Heartbeat):
        what = _first_line(heartbeat)
        return f"a heartbeat chosen per URL by {_lit(_qualname(heartbeat))}" + (
            f" ({what.rstrip('.')})" if what else ""
        )
    if callable(heartbeat.message):
        message = "a message built from the clock"
    elif heartbeat.frame in ("ping", "pong"):
        message = f"a WebSocket {heartbeat.frame} frame"
    else:
        message = (
            f"{heartbeat.frame} {_lit(heartbeat.message)}"
            if heartbeat.message
            else "an empty frame"
        )
    when = (
        f"after {heartbeat.interval:g} s without a message"
        if heartbeat.idle
        else f"every {heartbeat.interval:g} s"
    )
    return f"heartbeat: {message} {when}"


def _host_duties(host: Host) -> list[str]:
    """What topgun does on this host, in words, from what the Host declares."""
    duties: list[str] = []
    if host.signer is not None:
        duties.append(f"signs HTTP requests ({_lit(_qualname(host.signer))})")
    if host.body is not None:
        duties.append(f"sends ``data=`` as {'JSON' if host.body == 'json' else 'a form'}")
    if host.ordered_nonces:
        duties.append("sends each key's signed requests in nonce order")
    if host.rate_limits is not None:
        limits = host.rate_limits
        bans = ", ".join(str(status) for status in sorted(limits.ban_statuses))
        duties.append(
            "reads the rate-limit headers "
            + ", ".join(_lit(header) for header in limits.headers)
            + f" and pauses after a ban answer ({bans})"
        )
    if host.ws_authenticator is not None:
        duties.append(
            f"logs in to WebSocket connections ({_lit(_qualname(host.ws_authenticator))})"
        )
    if host.ws_message_signer is not None:
        duties.append("signs outgoing WebSocket messages")
    if host.ws_heartbeat is not None:
        duties.append(_heartbeat(host.ws_heartbeat))
    if host.ws_rate_limit is not None:
        limit = host.ws_rate_limit
        duties.append(f"at most {limit.messages} WebSocket sends per {limit.per_seconds:g} s")
    if host.ws_decoder is not None:
        duties.append(f"decodes binary frames ({_lit(_qualname(host.ws_decoder))})")
    if host.ws_responder is not None:
        duties.append(f"answers the server's pings ({_lit(_qualname(host.ws_responder))})")
    if host.ws_notices:
        duties.append("expects the text notices " + ", ".join(_lit(n) for n in host.ws_notices))
    return duties or ["nothing but routing (no credentials)"]


def _table(header: list[str], rows: Iterable[list[str]], widths: str | None = None) -> list[str]:
    rows = list(rows)
    if not rows:
        return ["None registered.", ""]
    lines = [".. list-table::", "   :header-rows: 1"]
    if widths:
        lines.append(f"   :widths: {widths}")
    lines.append("")
    for row in [header, *rows]:
        for index, cell in enumerate(row):
            cell_lines = cell.split("\n") if cell else [""]
            lines.append(("   * - " if index == 0 else "     - ") + cell_lines[0])
            lines.extend("       " + line for line in cell_lines[1:])
    lines.append("")
    return lines


def _apis_section(registry: Registry, info: PluginInfo) -> list[str]:
    rows = []
    for api in info.apis:
        spec = registry.apis[api]
        if spec.server_time is None:
            clock = "not declared"
        else:
            rejection = spec.server_time.rejection
            retry = (
                ""
                if rejection is None
                else "; a timestamp rejection re-syncs and re-sends "
                + ("any request" if rejection.not_executed else "GET and HEAD requests")
            )
            clock = f"``GET {spec.server_time.url}``{retry}"
        rows.append([_lit(api), _credential_shape(registry, api), clock])
    return [
        ".. rubric:: API names and credentials",
        "",
        f"``apis={{name: [...]}}`` takes these names from {_lit(info.distribution)}; an element "
        "marked ``?`` is optional. The server time is what ``client.sync_clock(name)`` reads.",
        "",
        *_table(["API name", "Credentials", "Server time"], rows, "20 35 45"),
    ]


def _hosts_section(registry: Registry, info: PluginInfo) -> list[str]:
    groups: dict[tuple[str, str, tuple[str, ...]], list[str]] = {}
    for name in info.hosts:
        host = registry.hosts[name].host
        ports = ", ".join(str(port) for port in host.ports)
        apis = ", ".join(_lit(api) for api in host.api_names) or "none"
        groups.setdefault((ports, apis, tuple(_host_duties(host))), []).append(name)
    rows = [
        [", ".join(_lit(name) for name in names), ports, apis, "\n".join(f"- {d}" for d in duties)]
        for (ports, apis, duties), names in groups.items()
    ]
    return [
        ".. rubric:: Hosts",
        "",
        "Credentials go only over ``https://``/``wss://`` to these hosts and ports; hosts that "
        "share everything are on one row.",
        "",
        *_table(["Hosts", "Ports", "API names", "What topgun does there"], rows, "30 8 14 48"),
    ]


def _integrity(store: DataStore) -> str:
    if not isinstance(store, OrderBookStore):
        return ""
    cls = type(store)
    rule = getattr(cls, "_SEQUENCE", None)
    recovery = getattr(cls, "_RECOVERY", None)
    depth = getattr(cls, "_CHECKSUM_DEPTH", 0)
    parts = [f"rule {_lit(type(rule).__name__)}" if rule is not None else "no sequence rule"]
    if depth:
        parts.append(f"checksum of the top {depth} levels")
    if recovery is not None:
        parts.append(f"recovery {_lit(recovery.name)}")
    return "; ".join(parts)


def _datastore_section(name: str, cls: type[DataStoreCollection]) -> list[str]:
    collection = cls()
    endpoints: dict[str, list[str]] = {}
    for path, store_name in cls._ENDPOINTS.items():
        endpoints.setdefault(store_name, []).append(path)
    attributes: dict[int, str] = {}
    for attr in dir(cls):
        if not attr.startswith("_") and isinstance(inspect.getattr_static(cls, attr), property):
            try:
                value = getattr(collection, attr)
            except Exception:  # a property that needs a live connection (KuCoin's endpoint)
                continue
            if isinstance(value, DataStore):
                attributes[id(value)] = attr
    rows = []
    for store_name in collection:
        store = collection[store_name]
        attribute = attributes.get(id(store))
        shown = f" (``.{attribute}``)" if attribute and attribute != store_name else ""
        rows.append(
            [
                _lit(store_name) + shown,
                f":class:`~{_qualname(type(store))}`",
                ", ".join(_lit(key) for key in store.keys) or "none (a log, newest last)",
                str(store.maxlen),
                ", ".join(_lit(path) for path in endpoints.get(store_name, ())),
                _integrity(store),
            ]
        )
    others = [
        path for store, paths in endpoints.items() if store not in collection for path in paths
    ]
    lines = [
        f".. rubric:: ``topgun.{name}``",
        "",
        f"Class :class:`{_qualname(cls)}`. Keys identify an item (a store without keys appends); "
        "the store keeps at most *Max* items. *initialize()* lists the REST paths whose "
        "responses ``await store.initialize(...)`` applies to the store.",
        "",
        *_table(
            ["Store", "Class", "Keys", "Max", "initialize()", "Book integrity"],
            rows,
            "17 25 17 8 18 15",
        ),
    ]
    if others:
        lines += [
            "``initialize()`` also takes " + ", ".join(_lit(path) for path in others) + ".",
            "",
        ]
    return lines


def exchange_lines(registry: Registry, info: PluginInfo) -> list[str]:
    """The reStructuredText of one plugin's registered facts."""
    lines = [
        f"Generated from the plugin registry when these docs were built: distribution "
        f"{_lit(info.distribution)} {info.version}, plugin name {_lit(info.name)} "
        f"(``topgun exchanges`` prints the same facts for what is installed).",
        "",
        *_apis_section(registry, info),
        *_hosts_section(registry, info),
    ]
    for name in info.datastores:
        lines += _datastore_section(name, registry.datastores[name])
    return lines


def overview_lines(registry: Registry) -> list[str]:
    """One row per installed plugin: its page, distribution, API names and DataStores."""
    rows = []
    for info in sorted(registry.plugins, key=lambda plugin: plugin.name):
        apis = "\n".join(f"| {_lit(api)} {_credential_shape(registry, api)}" for api in info.apis)
        stores = ", ".join(_lit(f"topgun.{name}") for name in info.datastores) or "none"
        rows.append([f":doc:`{info.name}`", _lit(info.distribution), apis, stores])
    return _table(
        ["Exchange", "Distribution", "API names and credentials", "DataStores"], rows, "14 18 40 28"
    )


def package_of(info: PluginInfo) -> ModuleType:
    """A plugin's package: its distribution's name as an import name (``topgun-okx``: ``topgun_okx``)."""
    return importlib.import_module(info.distribution.replace("-", "_"))


def datastore_classes(registry: Registry, info: PluginInfo) -> list[type]:
    """The plugin's DataStore classes, then every class its stores are made of, each once."""
    classes: list[type] = []
    for name in info.datastores:
        cls = registry.datastores[name]
        collection = cls()
        for kind in [cls, *(type(collection[store]) for store in collection)]:
            if kind not in classes:
                classes.append(kind)
    return classes


def api_lines(registry: Registry, info: PluginInfo) -> list[str]:
    """autodoc for the plugin's package (its ``__all__``) and its DataStore and store classes."""
    package = package_of(info)
    classes = datastore_classes(registry, info)
    below = [name for name in getattr(package, "__all__", ()) if getattr(package, name) in classes]
    lines = module_api_lines(package, set(below))
    if classes:
        lines += [".. rubric:: DataStore classes", ""]
        for cls in classes:
            lines += [f".. autoclass:: {_qualname(cls)}", "   :members:", ""]
    return lines


def _plugin(registry: Registry, name: str) -> PluginInfo:
    for info in registry.plugins:
        if info.name == name:
            return info
    installed = ", ".join(info.name for info in registry.plugins)
    raise ValueError(f"no installed topgun plugin is named {name!r} (installed: {installed})")


class _Generated(SphinxDirective):
    def lines(self, registry: Registry) -> list[str]:
        raise NotImplementedError

    def run(self) -> list[nodes.Node]:
        try:
            lines = self.lines(get_registry())
        except ValueError as exc:
            raise self.error(str(exc)) from None
        return parse_into(self, lines, f"<{self.name} registry>")


class ExchangeDirective(_Generated):
    """``.. topgun-exchange:: okx``: one plugin's registered facts."""

    required_arguments = 1

    def lines(self, registry: Registry) -> list[str]:
        return exchange_lines(registry, _plugin(registry, self.arguments[0]))


class ExchangeApiDirective(_Generated):
    """``.. topgun-exchange-api:: okx``: the reference of one plugin's package and DataStores."""

    required_arguments = 1

    def lines(self, registry: Registry) -> list[str]:
        return api_lines(registry, _plugin(registry, self.arguments[0]))


class ExchangesDirective(_Generated):
    """``.. topgun-exchanges::``: the table of installed plugins."""

    def lines(self, registry: Registry) -> list[str]:
        return overview_lines(registry)


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("topgun-exchange", ExchangeDirective)
    app.add_directive("topgun-exchange-api", ExchangeApiDirective)
    app.add_directive("topgun-exchanges", ExchangesDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
