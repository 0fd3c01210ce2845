"""The retry delay after a failed HTTP call: core's ``topgun.plugin.Retry``, under its old name here."""

from topgun.plugin import Retry

__all__ = ["Retry"]
