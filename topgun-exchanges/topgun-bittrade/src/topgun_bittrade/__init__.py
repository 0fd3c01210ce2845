"""BitTrade for topgun: signature-version-2 query signing, the private stream's auth (only on
``/ws/v2``), gzip frame decoding and replies to the server's pings.

Timestamps come from the Client's clock; ``client.clock.offset`` (or
``client.clock.sync_to(server_time)``) corrects a skewed machine clock.
"""

from .auth import canonical_query, sign_request, string_to_sign, utc_timestamp
from .ws import RATE_LIMIT, auth_message, authenticate, gunzip, reply_to_ping

__all__ = [
    "RATE_LIMIT",
    "auth_message",
    "authenticate",
    "canonical_query",
    "gunzip",
    "reply_to_ping",
    "sign_request",
    "string_to_sign",
    "utc_timestamp",
]
