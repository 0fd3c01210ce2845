"""``KuCoinDataStore``: KuCoin's push channels applied to DataStores.

Modules: ``collection`` (the collection and its routing), ``book`` (the verified level-2 book and
the top-K books), ``level2`` (level-2 parsing, pure functions), ``market`` and ``private`` (the
other stores).
"""

from . import market, private
from .book import OrderBook, TopKOrderBook
from .collection import KuCoinDataStore, endpoint_from_bullet
from .market import *  # noqa: F403
from .private import *  # noqa: F403

# Every store of ``market`` and ``private`` is public: their own ``__all__`` lists them.
__all__ = [
    "KuCoinDataStore",
    "OrderBook",
    "TopKOrderBook",
    "endpoint_from_bullet",
]
__all__ += market.__all__
__all__ += private.__all__
