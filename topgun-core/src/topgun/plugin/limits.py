"""Small helpers for plugins' server-time and rate-limit declarations (no exchange knowledge)."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["INTERVAL_SECONDS", "header_number", "next_window", "response_code"]

INTERVAL_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
"""Seconds per unit letter of interval names such as ``10S``, ``1M``, ``1D``."""


def next_window(now: float, seconds: float) -> float:
    """When a fixed window of ``seconds`` (aligned to the epoch, as UTC minutes and days are)
    that contains ``now`` ends."""
    return (now // seconds + 1) * seconds


def header_number(headers: Mapping[str, str], name: str) -> float | None:
    """A numeric header's value, or ``None`` when it is absent or not a number."""
    value = headers.get(name)
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def response_code(body: object, *keys: str) -> object:
    """The first of ``keys`` found in a JSON object body (``code``, ``retCode``...), else None."""
    if isinstance(body, dict):
        for key in keys:
            if key in body:
                return body[key]
    return None
