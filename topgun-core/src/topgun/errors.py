"""Exceptions topgun raises on purpose, so callers can catch them by kind."""


class TopgunError(Exception):
    """Base class of every error topgun raises deliberately."""


class CredentialError(TopgunError, ValueError):
    """The ``apis`` credentials are unreadable or malformed; the message says how to fix them."""


class PluginError(TopgunError):
    """An exchange plugin could not be loaded or is inconsistent."""


class PluginConflictError(PluginError):
    """Two plugins claim the same host or API name; the message names both distributions."""


class SigningError(TopgunError):
    """An exchange signer could not sign a request (for example, a body it cannot encode)."""


class WebSocketClosedError(TopgunError):
    """The WebSocketApp was closed (by ``close()`` or by closing its Client) while waited on."""
