"""GMO Coin HTTP API request signing (Private API only).

Recipe, from https://api.coin.z.com/docs/ section 認証 / Authentication and the sample code of
every private endpoint there (for example #ws-auth-post, #ws-auth-put, #ws-auth-delete):

- ``API-KEY``: the API key; ``API-TIMESTAMP``: Unix time of the request in milliseconds;
- ``API-SIGN``: hex HMAC-SHA256, keyed by the API secret, of
  ``API-TIMESTAMP + method + path + body``.
- The samples split the URL into ``endPoint = 'https://api.coin.z.com/private'`` and
  ``path = '/v1/...'``: the signed path is the request path without its ``/private`` prefix, and
  the query string is never part of it (GET samples pass ``params=`` separately).
- Only the POST samples add the body (``json.dumps(reqBody)``, ``{}`` when there are no
  parameters). GET signs no body; PUT and DELETE send a JSON body but sign
  ``timestamp + method + path`` without it (the ws-auth extend and delete samples).

Public endpoints (``/public/...``) and the WebSocket upgrades (``/ws/...``) take no credentials,
so this signer adds nothing to them: credentials go only where the exchange needs them.
"""

from __future__ import annotations

from typing import Final

from topgun.plugin import SignedRequest, SigningRequest, hmac_sha256_hex

PRIVATE_PREFIX: Final = "/private"
"""The path prefix of every Private API endpoint; it is not part of the signed path."""

_BODY_SIGNED: Final = frozenset({"POST"})
_UNSIGNED: Final = SignedRequest()


def sign_request(request: SigningRequest) -> SignedRequest:
    path = request.url.raw_path
    if not path.startswith(PRIVATE_PREFIX + "/"):
        return _UNSIGNED
    method = request.method.upper()
    timestamp = str(request.clock.time_ms())
    text = (timestamp + method + path[len(PRIVATE_PREFIX) :]).encode()
    if method in _BODY_SIGNED:
        text += request.body
    return SignedRequest(
        headers={
            "API-KEY": request.credential.key,
            "API-TIMESTAMP": timestamp,
            "API-SIGN": hmac_sha256_hex(request.credential.secret_bytes, text),
        }
    )
