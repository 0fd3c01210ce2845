"""The ``topgun`` console command (also ``python -m topgun``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from ._version import __version__
from .errors import PluginError
from .plugin.specs import HttpRateLimits
from .record.commands import add_commands, run_export, run_record, run_replay
from .registry import Registry, get_registry

__all__ = ["main", "print_exchanges"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="topgun", description="topgun exchange client tools")
    parser.add_argument("--version", action="version", version=f"topgun-core {__version__}")
    commands = parser.add_subparsers(dest="command", title="commands")
    commands.add_parser("exchanges", help="list installed exchange plugins and what they provide")
    add_commands(commands)
    args = parser.parse_args(argv)
    if args.command is None:  # a bare `topgun` is someone asking what it can do
        parser.print_help()
        return 0
    if args.command == "exchanges":
        try:
            registry = get_registry()
        except PluginError as exc:
            print(f"topgun: {exc}", file=sys.stderr)
            return 2
        print_exchanges(registry, sys.stdout)
        return 1 if registry.failures else 0
    if args.command == "record":
        return run_record(args, sys.stderr)
    if args.command == "replay":
        return run_replay(args, sys.stdout, sys.stderr)
    if args.command == "export":
        return run_export(args, sys.stdout, sys.stderr)
    return 2  # pragma: no cover - argparse rejects unknown commands first


def print_exchanges(registry: Registry, out: TextIO) -> None:
    print(f"topgun-core {__version__}", file=out)
    if not registry.plugins and not registry.failures:
        print("no exchange plugins installed (pip install topgun, or topgun-<exchange>)", file=out)
    for info in registry.plugins:
        print(f"\n{info.name}  ({info.distribution} {info.version})".rstrip(), file=out)
        for api in info.apis:
            spec = registry.apis[api]
            shape = ", ".join([*spec.fields, *(f"{f}?" for f in spec.optional_fields)])
            print(f"  api        {api:<24} [{shape}]", file=out)
        for host_name in info.hosts:
            host = registry.hosts[host_name].host
            api = ",".join(host.api_names) or "-"
            print(f"  host       {host_name:<40} {api:<18} {' '.join(host.features())}", file=out)
        _print_limits(registry, info.apis, info.hosts, out)
        for store in info.datastores:
            print(f"  datastore  topgun.{store}", file=out)
    for name in registry.disabled:
        print(f"\n{name}  disabled by TOPGUN_DISABLE_PLUGINS", file=out)
    for failure in registry.failures:
        print(
            f"\n{failure.name}  ({failure.distribution})  FAILED TO LOAD: {failure.error}", file=out
        )


def _print_limits(
    registry: Registry, apis: Sequence[str], hosts: Sequence[str], out: TextIO
) -> None:
    """Server time per API name, then HTTP rate-limit headers and WebSocket send limits."""
    for api in apis:
        server_time = registry.apis[api].server_time
        if server_time is None:
            continue
        rejection = server_time.rejection
        retry = (
            "no timestamp rejection declared"
            if rejection is None
            else "timestamp rejection: re-sync, re-send "
            + ("any request" if rejection.not_executed else "GET/HEAD only")
        )
        print(f"  time       {api:<24} {server_time.url}  ({retry})", file=out)
    http: dict[int, tuple[HttpRateLimits, list[str]]] = {}
    ws: dict[tuple[int, float], list[str]] = {}
    for host_name in hosts:
        host = registry.hosts[host_name].host
        if host.rate_limits is not None:
            http.setdefault(id(host.rate_limits), (host.rate_limits, []))[1].append(host_name)
        if host.ws_rate_limit is not None:
            limit = host.ws_rate_limit
            ws.setdefault((limit.messages, limit.per_seconds), []).append(host_name)
    for spec, names in http.values():
        bans = ",".join(str(status) for status in sorted(spec.ban_statuses))
        print(
            f"  http-limit {_hosts(names)}: {', '.join(spec.headers)}; ban statuses {bans}",
            file=out,
        )
    for (messages, per_seconds), names in ws.items():
        print(f"  ws-limit   {_hosts(names)}: {messages} sends per {per_seconds:g} s", file=out)


def _hosts(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{names[0]} (+{len(names) - 1} hosts)"


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
