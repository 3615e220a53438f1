"""Named integer codes that compiled code reads as constants.

Each set of codes is a named tuple of the integers 0, 1, 2 ... (``State.PRISON == 7``,
``State._fields[7] == "PRISON"``); numba cannot use an IntEnum inside array expressions.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any


def codes(name: str, *names: str) -> Any:
    """The codes ``names`` numbered from 0, as attributes of one named tuple."""
    return namedtuple(name, names)(*range(len(names)))
