"""The compiled core's set-up: its cache key covers every compiled module, and the scipy
functions it calls give scipy's own numbers, and bundles passed by reference share the
arrays they hold."""

import gc
from pathlib import Path

import numba
import numpy as np
import scipy.special

from lead_sim.engine import jit
from lead_sim.engine.world import Place

PACKAGE = Path(jit.__file__).parents[1]


def test_every_module_with_compiled_code_is_in_the_cache_key():
    # numba only sees edits to a function's own file: a compiled module left out of the key
    # could run stale code after an edit to it
    using = {path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py")
             if "@compiled" in path.read_text(encoding="utf-8")}
    assert using <= set(jit.COMPILED_MODULES)
    assert all((PACKAGE / name).exists() for name in jit.COMPILED_MODULES)


def test_compiled_modules_do_not_use_np_where():
    # numba's np.where compiles its broadcasting machinery, about two seconds of the cold
    # compile (benchmarks/bench_cold_start.py); a loop says the same and compiles at once
    users = [name for name in jit.COMPILED_MODULES
             if "np.where(" in (PACKAGE / name).read_text(encoding="utf-8")]
    assert users == [], f"np.where in compiled modules {users}: write the loop instead"


def test_ndtri_and_pdtrik_are_scipys_bit_for_bit():
    rng = np.random.default_rng(3)
    u = np.concatenate([rng.random(2000), [1e-300, 1e-12, 0.5, 1 - 1e-12]])
    assert [jit.ndtri(x) for x in u] == scipy.special.ndtri(u).tolist()
    means = rng.random(len(u)) * 8 + 1e-9
    assert ([jit.pdtrik(x, m) for x, m in zip(u, means, strict=True)]
            == scipy.special.pdtrik(u, means).tolist())


@numba.njit
def _cover(place, area):
    place.covered[area] = True
    return place.covered.sum() + place.presence[area]


def test_a_bundle_shares_its_arrays_and_keeps_them_alive():
    # a type of the package's own: by_reference is cached, and its cache must load anywhere
    covered = np.zeros(5, np.bool_)
    bundle = jit.by_reference(Place(covered, np.full(5, 0.5), np.linspace(0.2, 1, 5), covered,
                                    np.ones((5, 1))))
    assert _cover(bundle, 2) == 1.5
    assert covered.tolist() == [False, False, True, False, False]  # written there, seen here
    del covered
    gc.collect()
    assert _cover(bundle, 3) == 2.5  # the bundle holds its own reference to the array
