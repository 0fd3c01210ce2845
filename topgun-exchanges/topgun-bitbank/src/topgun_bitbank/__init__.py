"""bitbank for topgun: ACCESS-TIME-WINDOW signing, the Socket.IO heartbeat, the private stream.

- HTTP: requests to ``https://api.bitbank.cc/v1/...`` are signed with the ``bitbank``
  credentials (``ACCESS-KEY``, ``ACCESS-REQUEST-TIME``, ``ACCESS-TIME-WINDOW``,
  ``ACCESS-SIGNATURE``); bodies are JSON. The public ``/v1/spot/status`` and ``/v1/spot/pairs``
  go unsigned. Set a request's own window with the header ``ACCESS-TIME-WINDOW`` (default 5000).
- Public stream: Socket.IO over WebSocket at ``wss://stream.bitbank.cc``. topgun sends the
  Engine.IO heartbeat; subscribe to rooms with ``send_str``::

      app = client.ws_connect(
          "wss://stream.bitbank.cc/socket.io/?EIO=3&transport=websocket",
          send_str=['42["join-room","ticker_btc_jpy"]', '42["join-room","transactions_btc_jpy"]'],
          hdlr_str=handler,  # every text frame: '42["message",{"room_name": ..., "message": ...}]'
      )

  (``join_room("ticker_btc_jpy")`` builds the same string; see ``topgun_bitbank.ws`` for EIO=4.)
- DataStores: ``topgun.bitbankDataStore`` (pass ``onmessage`` as ``hdlr_str``) and
  ``topgun.bitbankPrivateDataStore`` (``BitbankPrivateStream(client, store.onmessage)``).
- Private stream: ``BitbankPrivateStream(client, handler)`` fetches the PubNub channel and token,
  long-polls PubNub, feeds each message to ``handler``, renews the token when PubNub reports it
  expired and retries network errors with backoff; ``close()`` stops its task.

Signatures use ``client.clock``: if bitbank rejects ACCESS-REQUEST-TIME (codes 20034/20035),
correct a skewed local clock with ``client.clock.offset = server_time - local_time`` or
``client.clock.sync_to(server_time)``.
"""

from .auth import DEFAULT_TIME_WINDOW, sign_request
from .errors import BitbankAPIError, PubNubError
from .private import (
    PUBNUB_SUBSCRIBE_KEY,
    BitbankPrivateStream,
    PrivateStreamAccess,
    fetch_channel_and_token,
)
from .retry import Retry
from .store import bitbankDataStore, bitbankPrivateDataStore
from .ws import STREAM_URL, join_room, socketio_heartbeat

__all__ = [
    "DEFAULT_TIME_WINDOW",
    "PUBNUB_SUBSCRIBE_KEY",
    "STREAM_URL",
    "BitbankAPIError",
    "BitbankPrivateStream",
    "PrivateStreamAccess",
    "PubNubError",
    "Retry",
    "bitbankDataStore",
    "bitbankPrivateDataStore",
    "fetch_channel_and_token",
    "join_room",
    "sign_request",
    "socketio_heartbeat",
]
