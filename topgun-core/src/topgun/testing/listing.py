"""What ``topgun exchanges`` prints, for a plugin's test of its own listing."""

from __future__ import annotations

import io

from ..cli import print_exchanges
from ..registry import Registry

__all__ = ["exchanges_listing"]


def exchanges_listing(registry: Registry) -> str:
    """The text ``topgun exchanges`` shows for ``registry``: API names, hosts and DataStores."""
    out = io.StringIO()
    print_exchanges(registry, out)
    return out.getvalue()
