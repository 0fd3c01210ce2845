"""Every exception and warning topgun raises on purpose, so callers can catch them by kind.

One module, with no import of the rest of topgun: any layer can raise these without depending on
another layer, and a caller finds them all in one place.
"""

__all__ = [
    "AuthenticationError",
    "ClockSyncError",
    "CredentialError",
    "CredentialFileError",
    "CredentialFilePermissionWarning",
    "ExportError",
    "FrameTooLargeError",
    "InitializeError",
    "InsecureDestinationError",
    "MalformedMessage",
    "PluginConflictError",
    "PluginError",
    "PluginLoadWarning",
    "RecordingError",
    "ResponseTooLargeError",
    "SigningError",
    "StoreError",
    "StreamClosedError",
    "TopgunError",
    "UnknownApiNameWarning",
    "WebSocketClosedError",
]


class TopgunError(Exception):
    """Base class of every error topgun raises deliberately."""


class CredentialError(TopgunError, ValueError):
    """The ``apis`` credentials are unreadable or malformed; the message says how to fix them."""


class CredentialFileError(TopgunError):
    """Why a path is not a readable apis file; the message continues "the apis file 'path' ..."."""


class CredentialFilePermissionWarning(UserWarning):
    """The apis file can be read by other users of the machine (POSIX); ``chmod 600`` it."""


class UnknownApiNameWarning(UserWarning):
    """An API name in ``apis`` that no installed plugin declares (its plugin may come later)."""


class PluginError(TopgunError):
    """An exchange plugin could not be loaded or is inconsistent."""


class PluginConflictError(PluginError):
    """Two plugins claim the same host or API name; the message names both distributions."""


class PluginLoadWarning(UserWarning):
    """A plugin failed to load; the others keep working."""


class SigningError(TopgunError):
    """An exchange signer could not sign a request (for example, a body it cannot encode)."""


class ClockSyncError(TopgunError):
    """An exchange's server time could not be read (unreachable, an error status, an odd answer)."""


class InsecureDestinationError(SigningError):
    """A request or WebSocket that would carry credentials does not go over https/wss to a port
    its host declares; nothing was sent. Pass ``auth=None`` to send it without credentials."""


class AuthenticationError(TopgunError):
    """The exchange rejected a WebSocket login. The message carries its reply, never the secret."""


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


class MalformedMessage(ValueError):  # noqa: N818 - a message skipped, not a failure
    """A message that does not have the documented shape; it is skipped whole."""


class WebSocketClosedError(TopgunError):
    """The WebSocketApp was closed (by ``close()`` or by closing its Client) while waited on."""


class FrameTooLargeError(TopgunError, ValueError):
    """A compressed WebSocket frame opens to more than the connection's maximum message size.

    Raised by ``ws_decoder``s (``topgun.plugin.Decompressor``); core drops the frame, logs it
    and counts it in ``app.stats.oversized_frames``. Raise ``max_msg_size`` (a ``ws_connect``
    keyword, 4 MiB by default) if the exchange really sends messages that big.
    """


class ResponseTooLargeError(TopgunError):
    """An HTTP response body (decompressed) is larger than the allowed maximum.

    The message names the URL (without its query) and the limit; raise it per Client with
    ``Client(max_response_size=...)`` or per call with ``fetch(..., max_size=...)``.
    """

    def __init__(self, message: str, *, url: str, limit: int) -> None:
        super().__init__(message)
        self.url = url
        self.limit = limit


class RecordingError(TopgunError, ValueError):
    """A recording that cannot be read on: corrupt, truncated, or of an unknown version."""


class ExportError(TopgunError):
    """The export cannot be written (pyarrow missing, a message with too many changes)."""
