"""Common random numbers: one random stream per person and per kind of decision.

A draw is a pure function of (run seed, decision kind, day, person): it is the SplitMix64 output
for a key built from those four. So the uniform a person gets for, say, today's charging decision
does not depend on how many other draws were made before it, nor on who else was drawn for.
Two scenarios run with the same seed therefore make identical draws for everyone until the day
their policies first differ, and afterwards differ only for the people the policy touched
(Starsim's design; see shared/design/STYLE.md).

The hash is vectorised with numpy's wrapping uint64 arithmetic; it costs about as much as
``Generator.random`` and needs no generator state.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np
from scipy.special import ndtri

# Constants as 0-d uint64 arrays: numpy combines those with an array faster than uint64
# scalars, which matters when most calls hash a handful of ids.
_GOLDEN = np.array(0x9E3779B97F4A7C15, np.uint64)
_M1 = np.array(0xBF58476D1CE4E5B9, np.uint64)
_M2 = np.array(0x94D049BB133111EB, np.uint64)
_S11, _S27, _S30, _S31 = (np.array(s, np.uint64) for s in (11, 27, 30, 31))
_TO_UNIT = 1.0 / (1 << 53)
_MASK = (1 << 64) - 1


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser, in place on a uint64 array."""
    z ^= z >> _S30
    z *= _M1
    z ^= z >> _S27
    z *= _M2
    z ^= z >> _S31
    return z


def _mix_int(z: int) -> int:
    """SplitMix64 finaliser on a Python int (for building keys)."""
    z &= _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def _key(*parts: int) -> np.uint64:
    """Fold integers into one well-mixed 64-bit key."""
    z = 0
    for part in parts:
        z = _mix_int(z + part + 0x9E3779B97F4A7C15)
    return np.uint64(z)


_SMALL = 8  # up to this many ids, hashing with Python ints beats numpy's per-call overhead


def _unit_floats(ids: list[int], key: int) -> list[float]:
    """:meth:`Streams.uniform` in Python ints (the same bits as the array path).

    The finaliser is written out rather than calling :func:`_mix_int` per id: at a handful of
    ids the function calls would cost more than the arithmetic.
    """
    out = []
    for i in ids:
        z = (i * 0x9E3779B97F4A7C15 + key) & _MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        z ^= z >> 31
        out.append(((z >> 11) + 0.5) * _TO_UNIT)
    return out


class Streams:
    """Per-person, per-decision uniform and normal draws for one run seed."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self._kind_keys: dict[str, int] = {}

    def _kind(self, kind: str) -> int:
        """The key of (seed, kind), folded once per kind: a draw then folds in only its day."""
        key = self._kind_keys.get(kind)
        if key is None:
            digest = hashlib.blake2b(kind.encode(), digest_size=8).digest()
            key = self._kind_keys[kind] = int(_key(self.seed, int.from_bytes(digest, "little")))
        return key

    def _day_key(self, kind: str, day: int) -> int:
        """``_key(seed, kind, day)``, from the cached key of (seed, kind)."""
        return _mix_int(self._kind(kind) + int(day) + 0x9E3779B97F4A7C15)

    def uniform(self, kind: str, day: int, ids: np.ndarray) -> np.ndarray:
        """Uniforms in (0, 1), one per id, for decision ``kind`` on ``day``."""
        n = len(ids)
        if n == 0:
            return np.empty(0)
        key = self._day_key(kind, day)
        if n <= _SMALL:  # most days touch a handful of people
            return np.array(_unit_floats(np.asarray(ids).tolist(), key))
        z = np.asarray(ids, dtype=np.uint64) * _GOLDEN  # array arithmetic wraps silently
        z += np.uint64(key)
        _mix(z)
        z >>= _S11
        u = z.astype(np.float64)
        u += 0.5  # in place: the same arithmetic as ((z >> 11) + 0.5) * 2**-53, fewer copies
        u *= _TO_UNIT
        return u

    def uniform_columns(self, kind: str, day: int, ids: np.ndarray, k: int) -> np.ndarray:
        """A (len(ids), k) array of uniforms: k independent draws per person in one call."""
        n = len(ids)
        if n * k <= _SMALL:  # the draws of a person or two: Python ints beat three numpy calls
            wide = [i * k + j for i in np.asarray(ids).tolist() for j in range(k)]
            return np.array(_unit_floats(wide, self._day_key(kind, day))).reshape(n, k)
        wide = np.asarray(ids, dtype=np.int64)[:, None] * k + np.arange(k)
        return self.uniform(kind, day, wide.ravel()).reshape(len(ids), k)

    def normal(self, kind: str, day: int, ids: np.ndarray) -> np.ndarray:
        """Standard normal draws, one per id (inverse CDF of :meth:`uniform`)."""
        return ndtri(self.uniform(kind, day, ids))

    def waits(self, kind: str, day: int, ids: np.ndarray, rate: np.ndarray | float) -> np.ndarray:
        """Whole days until an event with daily hazard ``rate`` (at least 1; huge if rate is 0).

        The exponential waiting time is rounded up, so an event with rate r happens on a given
        day with probability about 1 - exp(-r), as a daily Bernoulli draw would.
        """
        n = len(ids)
        if n == 0:
            return np.empty(0, np.int32)
        if n <= _SMALL:
            return self._few_waits(kind, day, ids, rate)
        # In place and with a Python max for a scalar rate: most calls draw for a few people,
        # so the number of numpy calls, not the arithmetic, is the cost. -log(u) / r and
        # log(u) / -r are the same floating-point number.
        rate = max(rate, 1e-12) if isinstance(rate, float) else np.maximum(rate, 1e-12)
        wait = np.log(self.uniform(kind, day, ids))
        wait /= -rate
        np.ceil(wait, out=wait)
        np.maximum(wait, 1, out=wait)
        np.minimum(wait, 1e9, out=wait)
        return wait.astype(np.int32)

    def _few_waits(self, kind: str, day: int, ids: np.ndarray,
                   rate: np.ndarray | float) -> np.ndarray:
        """:meth:`waits` for a handful of ids, in Python floats: the same arithmetic (IEEE
        log, division and ceiling) without the seven numpy calls that would cost more."""
        u = _unit_floats(np.asarray(ids).tolist(), self._day_key(kind, day))
        if isinstance(rate, float):
            rates = [max(rate, 1e-12)] * len(u)
        else:  # one rate per id, or a single one as an array
            floor = np.maximum(rate, 1e-12)
            rates = floor.tolist() if floor.ndim else [float(floor)] * len(u)
        return np.array([min(max(math.ceil(math.log(x) / -r), 1), 1_000_000_000)
                         for x, r in zip(u, rates)], np.int32)
