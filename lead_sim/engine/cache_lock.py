"""One writer at a time in numba's on-disk cache, across processes.

numba saves a compiled function by reading the function's index file, picking a data file name
the index does not use yet, writing the index, then the data. Two processes saving different
argument types of one function at the same moment (the warm-up's two processes, or a sweep's
workers starting on an empty cache) can both pick the same name: one's machine code is then
filed under the other's argument types, and a later process that loads it crashes. Holding a
lock file of the cache folder around each save makes every save whole. (Loads need no lock: a
data file is replaced in one rename.)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from numba.core import caching

try:
    import fcntl
except ImportError:  # not POSIX: saves stay unlocked, as numba has them
    fcntl = None

LOCK_NAME = ".lead_sim_cache.lock"


def _locked(save: Callable[..., Any]) -> Callable[..., Any]:
    def save_locked(self: caching.IndexDataCacheFile, key: Any, data: Any) -> Any:
        os.makedirs(self._cache_path, exist_ok=True)
        with open(os.path.join(self._cache_path, LOCK_NAME), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            return save(self, key, data)

    save_locked.locked = True
    return save_locked


def install() -> None:
    """Lock numba's cache saves in this process (once; nothing without POSIX file locks)."""
    save = caching.IndexDataCacheFile.save
    if fcntl is not None and not getattr(save, "locked", False):
        caching.IndexDataCacheFile.save = _locked(save)
