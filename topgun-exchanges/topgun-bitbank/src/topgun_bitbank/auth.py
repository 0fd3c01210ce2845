"""bitbank Private REST API request signing: the ACCESS-TIME-WINDOW method.

https://github.com/bitbankinc/bitbank-api-docs/blob/master/rest-api.md#authorization
(日本語: rest-api_JP.md#認証), sections "ACCESS-TIME-WINDOW method" and "ACCESS-SIGNATURE":

- ``ACCESS-KEY``: the API key; ``ACCESS-REQUEST-TIME``: Unix time of the request in milliseconds
  (UTC); ``ACCESS-TIME-WINDOW``: how many milliseconds the request stays valid, at most 60000;
  the server uses 5000 when it is missing and recommends 5000 or less.
- ``ACCESS-SIGNATURE``: hex HMAC-SHA256, keyed by the API secret, of
  GET: ``ACCESS-REQUEST-TIME + ACCESS-TIME-WINDOW + path with query`` (the path includes
  ``/v1``); POST: ``ACCESS-REQUEST-TIME + ACCESS-TIME-WINDOW + JSON request body``.

Why this method and not ACCESS-NONCE (the other documented one): a nonce must grow with every
request of the key, which breaks as soon as two processes, or two concurrent requests whose
packets overtake each other, use one key; the time window needs no shared counter and bounds how
long a captured request could be replayed. The docs give the window precedence when both are sent.

The window is always sent, so that the text signed and the header the server reads are the same
value (the reference library signed an empty window when the caller set none, and whether the
server then signs with "" or with its default 5000 is not documented). ``DEFAULT_TIME_WINDOW``
is the documented default; a request may carry its own ``ACCESS-TIME-WINDOW`` header.

The documented public endpoints on this host (``/v1/spot/status``, ``/v1/spot/pairs``: "Not
require authentication") are sent without credentials.
"""

from __future__ import annotations

from typing import Final

from topgun import SigningError
from topgun.plugin import SignedRequest, SigningRequest, hmac_sha256_hex

DEFAULT_TIME_WINDOW: Final = 5000
MAX_TIME_WINDOW: Final = 60000
WINDOW_HEADER: Final = "ACCESS-TIME-WINDOW"
PUBLIC_PATHS: Final = frozenset({"/v1/spot/status", "/v1/spot/pairs"})

_UNSIGNED: Final = SignedRequest()


def sign_request(request: SigningRequest) -> SignedRequest:
    url = request.url
    if url.raw_path in PUBLIC_PATHS:
        return _UNSIGNED
    window = _window(request.headers.get(WINDOW_HEADER))
    request_time = str(request.clock.time_ms())
    prefix = (request_time + window).encode()
    if request.method.upper() == "GET":
        text = prefix + url.raw_path_qs.encode()
    else:
        text = prefix + request.body
    return SignedRequest(
        headers={
            "ACCESS-KEY": request.credential.key,
            "ACCESS-REQUEST-TIME": request_time,
            WINDOW_HEADER: window,
            "ACCESS-SIGNATURE": hmac_sha256_hex(request.credential.secret_bytes, text),
        }
    )


def _window(value: str | None) -> str:
    if value is None:
        return str(DEFAULT_TIME_WINDOW)
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_TIME_WINDOW:
        raise SigningError(
            f"bitbank {WINDOW_HEADER} must be a whole number of milliseconds from 1 to "
            f"{MAX_TIME_WINDOW}, not {value!r}"
        )
    return str(int(text))
