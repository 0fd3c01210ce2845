"""The ``topgun`` console command (also ``python -m topgun``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from ._version import __version__
from .errors import PluginError
from .registry import Registry, get_registry


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="topgun", description="topgun exchange client tools")
    parser.add_argument("--version", action="version", version=f"topgun-core {__version__}")
    commands = parser.add_subparsers(dest="command", title="commands")
    commands.add_parser("exchanges", help="list installed exchange plugins and what they provide")
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
        for store in info.datastores:
            print(f"  datastore  topgun.{store}", file=out)
    for name in registry.disabled:
        print(f"\n{name}  disabled by TOPGUN_DISABLE_PLUGINS", file=out)
    for failure in registry.failures:
        print(
            f"\n{failure.name}  ({failure.distribution})  FAILED TO LOAD: {failure.error}", file=out
        )


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
