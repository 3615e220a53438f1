"""Common random numbers: one random stream per person and per kind of decision.

A draw is a pure function of (run seed, decision kind, day, person): it is the SplitMix64 output
for a key built from those four. So the uniform a person gets for, say, today's charging decision
does not depend on how many other draws were made before it, nor on who else was drawn for.
Two scenarios run with the same seed therefore make identical draws for everyone until the day
their policies first differ, and afterwards differ only for the people the policy touched
(Starsim's design of common random numbers; docs/model.md, "Random numbers that pair
scenarios").

The hash is compiled with numba (:func:`unit`, :func:`wait`): most calls draw for a handful of
people, where a compiled loop costs a microsecond and numpy's per-call overhead would cost ten.
The compiled functions are also what the model's compiled stages call, so a draw is the same
number wherever it is made.
"""

from __future__ import annotations

import hashlib
import math
import warnings
from collections import namedtuple

import numpy as np
from scipy.special import ndtri

from lead_sim.engine.jit import JIT_DISABLED, compiled
from lead_sim.service_table import SERVICES

_MASK = (1 << 64) - 1
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 1.0 / (1 << 53)
MAX_WAIT = 1_000_000_000  # days: "never" for a hazard of zero
MIN_RATE = 1e-12

if JIT_DISABLED:  # as Python, the hash's uint64 arithmetic wraps as meant but numpy warns of it
    warnings.filterwarnings("ignore", "overflow encountered in scalar", RuntimeWarning, __name__)


def _mix_int(z: int) -> int:
    """SplitMix64 finaliser on a Python int (for building keys)."""
    z &= _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def _key(*parts: int) -> int:
    """Fold integers into one well-mixed 64-bit key."""
    z = 0
    for part in parts:
        z = _mix_int(z + part + 0x9E3779B97F4A7C15)
    return z


@compiled
def _mix(z: np.uint64) -> np.uint64:
    """SplitMix64 finaliser on a uint64 (wrapping arithmetic)."""
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@compiled
def day_key(kind_key: np.uint64, day: int) -> np.uint64:
    """The key of a decision kind on ``day``, from the key of (seed, kind)."""
    return _mix(np.uint64(kind_key) + np.uint64(day) + _GOLDEN)


@compiled
def unit(key: np.uint64, i: int) -> float:
    """The uniform in (0, 1) of person (or draw) ``i`` under a day's ``key``: SplitMix64 of
    ``i * golden + key``, its top 53 bits centred in their interval."""
    return (float(_mix(np.uint64(i) * _GOLDEN + np.uint64(key)) >> np.uint64(11)) + 0.5) * _TO_UNIT


@compiled
def wait(key: np.uint64, i: int, rate: float) -> int:
    """Whole days until an event with daily hazard ``rate``: the exponential waiting time of
    :func:`unit`, rounded up, at least 1, and at most ``MAX_WAIT`` (a zero hazard)."""
    days = math.ceil(math.log(unit(key, i)) / -max(rate, MIN_RATE))
    return min(max(days, 1), MAX_WAIT)


@compiled
def uniforms(kind_key: np.uint64, day: int, ids: np.ndarray, k: int) -> np.ndarray:
    key, out = day_key(kind_key, day), np.empty((len(ids), k))
    for row in range(len(ids)):
        for col in range(k):
            out[row, col] = unit(key, ids[row] * k + col)
    return out


@compiled
def uniform_each(kind_key: np.uint64, day: int, ids: np.ndarray) -> np.ndarray:
    """One uniform per id (the first column of :func:`uniforms`)."""
    key, out = day_key(kind_key, day), np.empty(len(ids))
    for row in range(len(ids)):
        out[row] = unit(key, ids[row])
    return out


@compiled
def waits_each(kind_key: np.uint64, day: int, ids: np.ndarray, rates: np.ndarray) -> np.ndarray:
    key, out = day_key(kind_key, day), np.empty(len(ids), np.int32)
    for row in range(len(ids)):
        out[row] = wait(key, ids[row], rates[row])
    return out


@compiled
def waits_at(kind_key: np.uint64, day: int, ids: np.ndarray, rate: float) -> np.ndarray:
    key, out = day_key(kind_key, day), np.empty(len(ids), np.int32)
    for row in range(len(ids)):
        out[row] = wait(key, ids[row], rate)
    return out


# Every decision kind drawn inside the compiled daily step; their keys travel with the model's
# state as one :data:`Keys` tuple (``keys.contact`` ...), built once per run by Streams.keys().
# Each service pool draws its stay lengths and completions from the kinds "<name>_end" and
# "<name>_done", whose keys are in ``keys.service_end`` and ``keys.service_done`` by pool.
KINDS = (
    "attributes", "renewal", "contact", "contact_draws", "shift", "felony", "filing",
    "held_filing", "court", "book", "hold", "pretrial", "first_appearance", "supervision_term",
    "violation", "sanction", "disposition", "jail_days", "prison_days", "supervision", "intake",
    "patience", "lead_exit", "engagement", "need_work", "pretrial_diversion",
    "group",
)
Keys = namedtuple("Keys", (*KINDS, "service_end", "service_done"))


class Streams:
    """Per-person, per-decision uniform and normal draws for one run seed."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self._kind_keys: dict[str, int] = {}

    def kind_key(self, kind: str) -> np.uint64:
        """The key of (seed, kind), folded once per kind: a draw then folds in only its day
        (:func:`day_key`)."""
        key = self._kind_keys.get(kind)
        if key is None:
            digest = hashlib.blake2b(kind.encode(), digest_size=8).digest()
            key = np.uint64(_key(self.seed, int.from_bytes(digest, "little")))
            self._kind_keys[kind] = key
        return key

    def keys(self) -> Keys:
        """The keys of every kind in :data:`KINDS` and of each service pool's kinds, for the
        compiled daily step."""
        def by_pool(kind: str) -> np.ndarray:
            return np.array([self.kind_key(f"{s.name}_{kind}") for s in SERVICES], np.uint64)

        return Keys(*(self.kind_key(kind) for kind in KINDS), service_end=by_pool("end"),
                    service_done=by_pool("done"))

    def uniform(self, kind: str, day: int, ids: np.ndarray) -> np.ndarray:
        """Uniforms in (0, 1), one per id, for decision ``kind`` on ``day``."""
        return uniform_each(self.kind_key(kind), day, np.asarray(ids, np.int64))

    def uniform_columns(self, kind: str, day: int, ids: np.ndarray, k: int) -> np.ndarray:
        """A (len(ids), k) array of uniforms: k independent draws per person in one call
        (draw ``j`` of person ``i`` is the uniform of id ``i * k + j``)."""
        return uniforms(self.kind_key(kind), day, np.asarray(ids, np.int64), k)

    def normal(self, kind: str, day: int, ids: np.ndarray) -> np.ndarray:
        """Standard normal draws, one per id (inverse CDF of :meth:`uniform`)."""
        return ndtri(self.uniform(kind, day, ids))

    def waits(self, kind: str, day: int, ids: np.ndarray, rate: np.ndarray | float) -> np.ndarray:
        """Whole days until an event with daily hazard ``rate`` (at least 1; huge if rate is 0).

        The exponential waiting time is rounded up, so an event with rate r happens on a given
        day with probability about 1 - exp(-r), as a daily Bernoulli draw would.
        """
        ids = np.asarray(ids, np.int64)
        if isinstance(rate, float | int) or np.ndim(rate) == 0:
            return waits_at(self.kind_key(kind), day, ids, float(rate))
        rates = np.asarray(rate, np.float64)
        if len(rates) == 1:
            return waits_at(self.kind_key(kind), day, ids, float(rates[0]))
        if len(rates) != len(ids):
            raise ValueError(f"waits: {len(rates)} rates for {len(ids)} ids (give one, or one "
                             "per id)")
        return waits_each(self.kind_key(kind), day, ids, rates)
