"""Seeds: the range every run, executor and page shares, checking a seed, and drawing one.

A run's numbers are decided by its scenario and its seed, so a seed is always a whole number
that can be written down: :func:`draw_seed` picks one from fresh entropy when none is given
(``LeadModel(seed=None)``, ``mesa.batch_run``), and the model records it as ``model.seed``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lead_sim.errors import LeadSimError

MAX_SEED = 2**32 - 1  # NumPy's seed range is wider; this one every executor and the page share


def parse_seed(text: Any) -> int:
    """A seed from text (the visualizer's box, a --seed option) or from code (an int).

    Raises :class:`LeadSimError` when it is not a whole number from 0 to MAX_SEED;
    ``numpy.random.default_rng(-1)`` would fail far from the cause, with a traceback.
    """
    raw = str(text).strip()
    try:
        seed = int(raw)
    except ValueError:
        raise LeadSimError(
            f"The seed must be a whole number from 0 to {MAX_SEED}; '{raw}' is not.") from None
    if not 0 <= seed <= MAX_SEED:
        raise LeadSimError(f"The seed must be from 0 to {MAX_SEED}; got {seed}.")
    return seed


def check_seeds(seed: int, reps: int = 1) -> int:
    """Return ``seed`` if it and every replicate's seed (up to ``seed + reps - 1``) are valid
    (:func:`parse_seed`); otherwise raise :class:`LeadSimError` before any replicate runs."""
    first = parse_seed(seed)
    if first + reps - 1 > MAX_SEED:
        raise LeadSimError(f"Replicates would use seeds {first} to {first + reps - 1}, but a "
                           f"seed must be from 0 to {MAX_SEED}; lower the seed or the number "
                           "of replicates.")
    return first


def draw_seed(entropy: Any = None) -> int:
    """A seed from 0 to :data:`MAX_SEED`: from fresh operating-system entropy (None), or
    derived from ``entropy`` (a NumPy ``SeedSequence``, ``Generator`` or anything
    ``numpy.random.SeedSequence`` accepts)."""
    if isinstance(entropy, np.random.Generator):
        return int(entropy.integers(MAX_SEED, endpoint=True))
    sequence = (entropy if isinstance(entropy, np.random.SeedSequence)
                else np.random.SeedSequence(entropy))
    return int(sequence.generate_state(1, np.uint32)[0])


def model_seed(seed: Any = None, rng: Any = None) -> int:
    """The seed a model runs with: ``seed`` checked (:func:`parse_seed`), or, when it is None,
    ``rng`` (Mesa's name for it: a whole number is the seed, anything else is entropy for
    :func:`draw_seed`)."""
    if seed is None and rng is not None and not isinstance(rng, int | np.integer):
        return draw_seed(rng)
    chosen = seed if seed is not None else rng
    return draw_seed() if chosen is None else parse_seed(chosen)
