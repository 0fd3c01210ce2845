"""ACCESS-NONCE: strictly increasing per API key ("Positive integer will increase every time you
send request (managed for each API key)", https://coincheck.com/documents/exchange/api
"Authentication"), milliseconds of the injectable clock."""

from __future__ import annotations

import threading

import topgun
from topgun_coincheck.nonce import NonceSource


def test_nonce_is_the_clock_in_milliseconds() -> None:
    assert NonceSource().next("k", topgun.FixedClock(1700000000.123)) == 1700000000123


def test_keys_count_independently() -> None:
    nonces, clock = NonceSource(), topgun.FixedClock(1700000000.0)
    assert [nonces.next("a", clock), nonces.next("a", clock), nonces.next("b", clock)] == [
        1700000000000,
        1700000000001,
        1700000000000,
    ]


def test_a_clock_moved_back_never_lowers_the_nonce() -> None:
    nonces, clock = NonceSource(), topgun.FixedClock(1700000000.0)
    first = nonces.next("a", clock)
    clock.offset = -60.0
    assert nonces.next("a", clock) == first + 1
    clock.offset = +60.0
    assert nonces.next("a", clock) == 1700000060000


def test_threads_never_share_a_nonce() -> None:
    nonces, clock = NonceSource(), topgun.FixedClock(1700000000.0)
    out: list[int] = []

    def draw() -> None:
        out.extend(nonces.next("a", clock) for _ in range(500))

    threads = [threading.Thread(target=draw) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(out)) == len(out) == 4000
    assert max(out) == 1700000000000 + 3999
