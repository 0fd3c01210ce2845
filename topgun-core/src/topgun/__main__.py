"""``python -m topgun``: the ``topgun`` command, for environments whose scripts are not on PATH."""

from .cli import main

__all__ = []

raise SystemExit(main())
