"""Where requests meet aiohttp: the ``auth=`` argument, request results, body encoding, signing,
rate limits and clock sync. The names users see are re-exported from ``topgun``."""

from .auth import Auth, AuthArg
from .pending import PendingRequest
from .result import FetchResult, NotJSONContent

__all__ = ["Auth", "AuthArg", "FetchResult", "NotJSONContent", "PendingRequest"]
