"""A conformance suite every exchange plugin runs: the contract of a distribution, checked.

A plugin describes its exchange (``Exchange``: throwaway credentials, the signature vector file,
the exchange's own signature check, public endpoints, how logins are answered, WebSocket rules)
and subclasses ``ConformanceSuite`` in ``tests/test_<slug>_plugin.py``::

    from topgun.testing.conformance import ConformanceSuite, Exchange

    class TestFooConformance(ConformanceSuite):
        exchange = Exchange(plugin=plugin, apis={"foo": ["key", "secret"]}, vectors=..., ...)

It checks: the installed entry point is the plugin; hosts are exact and owned by no other
installed plugin; every vector signs as documented (``.vectors``) and verifies at a local
exchange under the real hostname, where a wrong secret does not; public endpoints, ``auth=None``
and a Client without credentials send none; secrets never show in reprs, logs, warnings or
exceptions; an accepted login precedes the subscription and a refused one is raised, logged
and never subscribes; heartbeats and send pacing are as documented; every registered DataStore
resolves through ``topgun.<Name>`` and survives malformed and unknown messages.

A plugin with a server-time endpoint also subclasses ``ClockSuite`` with its ``ClockScenario``
(``topgun.testing.timekeeping``), in ``tests/test_<slug>_limits.py``.
"""

from .clock import ClockSuite
from .description import Exchange, HttpRecord, Login, Socket, Verifier
from .suite import ConformanceSuite
from .vectors import ExchangeFacts, SignatureVector, load_facts, load_vectors, sign_vector

__all__ = [
    "ClockSuite",
    "ConformanceSuite",
    "Exchange",
    "ExchangeFacts",
    "HttpRecord",
    "Login",
    "SignatureVector",
    "Socket",
    "Verifier",
    "load_facts",
    "load_vectors",
    "sign_vector",
]
