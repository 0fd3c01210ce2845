"""{{LABEL}} for topgun."""

from .auth import sign_request

__all__ = ["sign_request"]
