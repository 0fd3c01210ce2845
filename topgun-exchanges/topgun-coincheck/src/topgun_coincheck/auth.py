"""Coincheck HTTP request signing.

Recipe (https://coincheck.com/documents/exchange/api, "Authentication" > "Making a Request" and
"Create Signature"): headers ACCESS-KEY, ACCESS-NONCE and ACCESS-SIGNATURE, where the signature is
the hex HMAC-SHA256, keyed by the secret, of ACCESS-NONCE + the request URL + the request body.
The URL is the full one the request goes to (scheme, host, path and query, as sent), and the
body is the exact bytes sent; the docs' samples use form-encoded bodies (``hoge=foo``), so the
plugin declares ``body="form"`` for coincheck.com.

The Public API (https://coincheck.com/documents/exchange/api#public: ticker, public trades, order
book, rate calculation, standard rates, exchange status) takes no credentials and is sent
without them, so the key travels only where needed and public calls spend no nonce.
"""

from __future__ import annotations

from topgun.plugin import SignedRequest, SigningRequest, hmac_sha256_hex

from .nonce import NONCES, NonceSource

PUBLIC_PATHS = frozenset(
    {
        "/api/ticker",
        "/api/trades",
        "/api/order_books",
        "/api/exchange/orders/rate",
        "/api/exchange_status",
    }
)
PUBLIC_PREFIXES = ("/api/rate/",)


class CoincheckSigner:
    """The request signer; holds the nonce source so tests can give it a fresh one."""

    __slots__ = ("nonces",)

    def __init__(self, nonces: NonceSource = NONCES) -> None:
        self.nonces = nonces

    def __call__(self, request: SigningRequest) -> SignedRequest:
        path = request.url.path
        if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            return SignedRequest()
        credential = request.credential
        nonce = str(self.nonces.next(credential.key, request.clock))
        text = nonce.encode() + str(request.url).encode() + request.body
        return SignedRequest(
            headers={
                "ACCESS-KEY": credential.key,
                "ACCESS-NONCE": nonce,
                "ACCESS-SIGNATURE": hmac_sha256_hex(credential.secret_bytes, text),
            }
        )

    def __repr__(self) -> str:
        return "<CoincheckSigner>"


sign_request = CoincheckSigner()
