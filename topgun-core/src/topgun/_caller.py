"""Warnings that point at the user's line, however deep inside topgun they are raised."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

__all__ = ["warn_at_caller"]

_PACKAGE_DIR = str(Path(__file__).resolve().parent)


def _inside_topgun(filename: str) -> bool:
    try:
        return str(Path(filename).resolve()).startswith(_PACKAGE_DIR)
    except (OSError, ValueError):
        return False


def warn_at_caller(message: str, category: type[Warning]) -> None:
    """``warnings.warn`` attributed to the first frame outside the topgun package.

    A fixed ``stacklevel`` breaks whenever the call path changes (a helper added, a comprehension
    frame on Python 3.11 that 3.12 inlines); counting topgun's own frames does not.
    """
    frame = sys._getframe(1)
    level = 2  # 1 would be this function; 2 is its caller
    while frame.f_back is not None and _inside_topgun(frame.f_code.co_filename):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
