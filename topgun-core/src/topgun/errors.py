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


class ClockSyncError(TopgunError):
    """An exchange's server time could not be read (unreachable, an error status, an odd answer)."""


class InsecureDestinationError(SigningError):
    """A request or WebSocket that would carry credentials does not go over https/wss to a port
    its host declares; nothing was sent. Pass ``auth=None`` to send it without credentials."""


class StoreError(TopgunError):
    """A DataStore or DataStoreCollection was used in a way it cannot honour."""


class StreamClosedError(StoreError):
    """``StoreStream.get()`` was called on a closed stream that has no change left to deliver."""


class InitializeError(StoreError, ValueError):
    """``DataStoreCollection.initialize()`` got a response it cannot use; nothing was applied.

    Raised for an endpoint the collection does not know, an HTTP error status, a body that is not
    JSON, or data of the wrong shape. ``errors`` holds every problem found, in argument order.
    """

    def __init__(self, message: str, errors: tuple[BaseException, ...] = ()) -> None:
        super().__init__(message)
        self.errors = errors


class WebSocketClosedError(TopgunError):
    """The WebSocketApp was closed (by ``close()`` or by closing its Client) while waited on."""
