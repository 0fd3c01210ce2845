"""A fuzz kit for DataStoreCollections: malformed messages are skipped whole, never half-applied.

Give it a factory of fresh collections and valid sample messages (taken from the exchange's
docs), and it checks, with a deterministic seed:

- every sample applies in order on a fresh collection (none is skipped) and changes something;
- thousands of mutated messages (types swapped; booleans, NaN, infinities and huge numbers for
  values; keys dropped; containers swapped or truncated; junk elements mixed into valid lists)
  never make ``onmessage`` raise;
- a message the collection reports as skipped (``collection.skipped`` went up) changed nothing
  (mutated ones, and valid ones meeting the state that mutated ones left):
  every store's items and public attributes are compared before and after (deep snapshot);
- by default, no message is skipped because a handler *failed* (``handler_errors`` went up)
  rather than rejecting it as malformed: that is a store bug caught by luck, not validation.

Mutated messages go to a collection primed with the samples, with valid samples interleaved, so
the mutations meet real state (open orders, books) to corrupt. Use from a plugin's tests::

    from topgun.testing.storefuzz import assert_store_fuzz

    def test_fuzz() -> None:
        assert_store_fuzz(MyDataStore, SAMPLES)

Runtime grows with ``rounds`` and the stores' size; 3,000 rounds on a handful of small samples
take a second or two.
"""

from __future__ import annotations

import copy
import math
import pickle
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from ..store import DataStoreCollection

__all__ = ["FuzzReport", "assert_store_fuzz", "fuzz_store", "mutate"]

DEFAULT_ROUNDS: Final = 3000
_RESET_EVERY: Final = 400  # a fresh collection now and then keeps snapshots cheap
_VALID_EVERY: Final = 4  # one valid sample every few rounds keeps state to corrupt
_SHOWN: Final = 300

_ODD_VALUES: Final[tuple[Any, ...]] = (
    True,
    False,
    None,
    math.nan,
    math.inf,
    -math.inf,
    1e308,
    -1e308,
    10**30,
    -(10**30),
    -1,
    0,
    0.0,
    "oops",
    "",
    "NaN",
    "1e999",
    "-1",
    [],
    {},
    [1, 2],
    {"x": 1},
    [None],
)


@dataclass
class FuzzReport:
    """What a fuzz run saw; ``findings`` lists every broken promise (empty when all held)."""

    messages: int = 0
    applied: int = 0
    skipped: int = 0
    handler_errors: int = 0
    findings: list[str] = field(default_factory=list)


def mutate(message: Any, rng: random.Random) -> Any:
    """A mutated deep copy of ``message``: one to three random mutations at random places."""
    mutated = copy.deepcopy(message)
    for _ in range(rng.randint(1, 3)):
        mutated = _mutate_once(mutated, rng)
    return mutated


def fuzz_store(
    factory: Callable[[], DataStoreCollection],
    samples: Sequence[Any],
    *,
    rounds: int = DEFAULT_ROUNDS,
    seed: int = 0,
    allow_handler_errors: bool = False,
) -> FuzzReport:
    """Run the checks described in the module docs; never raises for what it finds."""
    if not samples:
        raise ValueError("fuzz_store needs at least one valid sample message")
    rng = random.Random(seed)
    report = FuzzReport()
    _check_samples(factory, samples, report)
    collection = _primed(factory, samples)
    for round_ in range(rounds):
        if round_ and round_ % _RESET_EVERY == 0:
            collection = _primed(factory, samples)
        if round_ % _VALID_EVERY == 0:  # checked too: it may meet state a mutation left
            _check_one(collection, copy.deepcopy(rng.choice(samples)), report, allow_handler_errors)
        message = mutate(rng.choice(samples), rng)
        _check_one(collection, message, report, allow_handler_errors)
    return report


def assert_store_fuzz(
    factory: Callable[[], DataStoreCollection],
    samples: Sequence[Any],
    *,
    rounds: int = DEFAULT_ROUNDS,
    seed: int = 0,
    allow_handler_errors: bool = False,
) -> FuzzReport:
    """``fuzz_store``, failing the test (``AssertionError``) with the first findings."""
    report = fuzz_store(
        factory, samples, rounds=rounds, seed=seed, allow_handler_errors=allow_handler_errors
    )
    if report.findings:
        shown = "\n".join(f"- {finding}" for finding in report.findings[:10])
        raise AssertionError(
            f"{len(report.findings)} broken promises in {report.messages} mutated messages "
            f"(seed {seed}):\n{shown}"
        )
    return report


# -- checks ----------------------------------------------------------------------------------


def _check_samples(
    factory: Callable[[], DataStoreCollection], samples: Sequence[Any], report: FuzzReport
) -> None:
    collection = factory()
    empty = _snapshot(collection)
    for index, sample in enumerate(samples):
        before = collection.skipped
        try:
            collection.onmessage(copy.deepcopy(sample))
        except Exception as exc:
            report.findings.append(f"valid sample {index} raised {exc!r}")
            continue
        if collection.skipped != before:
            report.findings.append(f"valid sample {index} was skipped: {_short(sample)}")
    if _snapshot(collection) == empty:
        report.findings.append("the valid samples changed nothing in any store")


def _primed(factory: Callable[[], DataStoreCollection], samples: Sequence[Any]) -> Any:
    collection = factory()
    for sample in samples:
        collection.onmessage(copy.deepcopy(sample))
    return collection


def _check_one(
    collection: Any, message: Any, report: FuzzReport, allow_handler_errors: bool
) -> None:
    report.messages += 1
    before = _snapshot(collection)
    skipped, errors = collection.skipped, collection.handler_errors
    shown = _short(message)  # before the handler sees it: it may keep (and change) it
    try:
        collection.onmessage(message)
    except Exception as exc:
        report.findings.append(f"onmessage raised {exc!r} for {shown}")
        return
    if collection.skipped == skipped:
        report.applied += 1
        return
    report.skipped += 1
    if collection.handler_errors != errors:
        report.handler_errors += 1
        if not allow_handler_errors:
            report.findings.append(f"a handler failed (not a MalformedMessage) on {shown}")
    if _snapshot(collection) != before:
        report.findings.append(f"a skipped message changed the stores: {shown}")


def _snapshot(collection: DataStoreCollection) -> bytes:
    """Every store's items and public plain-data attributes, deep, as comparable bytes."""
    state = []
    for name in collection:
        store = collection[name]
        attributes = {
            key: value
            for key, value in getattr(store, "__dict__", {}).items()
            if not key.startswith("_") and isinstance(value, (int, float, str, dict, list, set))
        }
        state.append((name, [dict(item) for item in store], sorted(attributes.items())))
    return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)


def _short(message: Any) -> str:
    text = repr(message)
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


# -- mutations -------------------------------------------------------------------------------


def _mutate_once(message: Any, rng: random.Random) -> Any:
    nodes = _containers(message)
    if not nodes or rng.random() < 0.03:
        return _odd(rng)  # the whole message replaced
    container = rng.choice(nodes)
    if isinstance(container, dict):
        if not container:
            container["x"] = _odd(rng)
            return message
        key = rng.choice(list(container))
        action = rng.random()
        if action < 0.2:
            del container[key]
        elif action < 0.3:
            container[key] = _swapped_type(container[key], rng)
        else:
            container[key] = _odd(rng)
        return message
    if not container:
        container.append(_odd(rng))
        return message
    index = rng.randrange(len(container))
    action = rng.random()
    if action < 0.2:
        del container[index:]  # truncated
    elif action < 0.35:
        container.insert(index, copy.deepcopy(container[index]))  # duplicated
    elif action < 0.5:
        container.append(_odd(rng))  # junk after valid elements
    elif action < 0.6:
        container[index] = _swapped_type(container[index], rng)
    else:
        container[index] = _odd(rng)
    return message


def _odd(rng: random.Random) -> Any:
    """One of the odd values, as a fresh object: later mutations must not change the table."""
    return copy.deepcopy(rng.choice(_ODD_VALUES))


def _containers(message: Any) -> list[Any]:
    """Every dict and list inside ``message`` (itself included), depth first."""
    found: list[Any] = []
    stack = [message]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found.append(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            found.append(node)
            stack.extend(node)
    return found


def _swapped_type(value: Any, rng: random.Random) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return rng.choice([str(value), [value], {"value": value}, bool(value)])
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return rng.choice([[value], {"value": value}, len(value)])
    if isinstance(value, list):
        return {str(i): item for i, item in enumerate(value)}
    if isinstance(value, dict):
        return list(value.values())
    return str(value)
