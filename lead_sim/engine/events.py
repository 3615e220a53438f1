"""The event log: one row per thing that happened to a person (contacts, bookings, charges ...).

Daily counters answer "how many"; the event log answers "who, where and in what order", which
is what cohort analyses (the evaluation replica, recidivism by pathway) need. Rows are gathered
as small arrays per day and joined once at the end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numba.typed import List

from lead_sim.engine.codes import codes
from lead_sim.engine.jit import compiled, compiled_inline

Kind = codes(  # kinds of event, in the order of their codes in the log
    "Kind", "CONTACT", "ARREST", "BOOKING", "ARREST_DIVERSION", "SOCIAL_REFERRAL",
    "IN_LIEU_REFERRAL", "INTAKE", "CASELOAD_START", "LEAD_EXIT", "CHARGE", "CONVICTION",
    "JAIL_RELEASE", "PRISON_ADMISSION", "PRISON_RELEASE", "RENEWAL", "JAIL_ADMISSION",
    "SUPERVISION_START", "SUPERVISION_VIOLATION",
)

if TYPE_CHECKING:
    from lead_sim.engine.world import World
EVENT_KINDS = tuple(name.lower() for name in Kind._fields)
COLUMNS = ("day", "kind", "person", "area", "detail", "officer", "green_light")

# ``detail`` of an "arrest" row is a bit field of these flags:
ARREST_DIVERTED = 1  # the arrest was diverted to LEAD
ARREST_ELIGIBLE = 2  # the contact met the eligibility rules (O6)
ARREST_COVERED = 4  # LEAD covered the area that day
# ``detail`` of "contact" is 1 with probable cause; of "charge", "conviction" and "booking" the
# charge class (1 misdemeanour, 2 felony; 0 booking without a filed charge); of
# "jail_admission" 1 for a pretrial hold, 2 for a jail sentence. A booking without a hold has
# no admission (the person leaves the same day); every admission ends with a "jail_release".


class EventLog:
    """Append-only log of person events for one run.

    The compiled daily step writes rows into :attr:`buffer` (with :func:`log`); after each
    simulated day :meth:`drain` moves them into the log as that day's chunk. Without a log
    (sweeps, calibration) the buffer stays empty and :func:`log` returns at once.
    """

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._chunks: list[np.ndarray] = []
        self.__setstate__({})  # an empty buffer

    def __getstate__(self) -> dict:
        """Copies (a model forked by :mod:`lead_sim.runs.branching`) keep the rows written so far as
        a chunk and get a buffer of their own: numba's list cannot be copied."""
        state = self.__dict__.copy()
        n = int(self.used[0])
        state["_chunks"] = [*self._chunks, self.buffer[0][:n].copy()] if n else self._chunks
        del state["buffer"], state["used"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        # numba's typed list (a plain Python list when the JIT is disabled)
        self.buffer = List([np.zeros((1024 if self.enabled else 0, len(COLUMNS)), np.int64)])
        self.used = np.zeros(1, np.int64)  # rows of the buffer in use

    def drain(self) -> None:
        """Move the rows written since the last drain into the log."""
        n = int(self.used[0])
        if n:
            self._chunks.append(self.buffer[0][:n].copy())
            self.used[0] = 0

    def to_frame(self) -> pd.DataFrame:
        """All events as a table: day, kind, person, area, detail, officer, green_light."""
        self.drain()
        return self._frame(self._chunks)

    def since(self, first_day: int) -> pd.DataFrame:
        """Events from ``first_day`` on, as :meth:`to_frame` gives them.

        Chunks are added in day order, so this reads only the recent tail of the log: a live
        view (the web visualizer) can ask for the last month every frame at no growing cost.
        """
        self.drain()
        start = len(self._chunks)
        while start > 0 and self._chunks[start - 1][-1, 0] >= first_day:
            start -= 1
        frame = self._frame(self._chunks[start:])
        return frame[frame["day"] >= first_day].reset_index(drop=True)

    @staticmethod
    def _frame(chunks: list[np.ndarray]) -> pd.DataFrame:
        rows = np.concatenate(chunks) if chunks else np.zeros((0, len(COLUMNS)), np.int64)
        types = (np.int32, np.int8, np.int64, np.int16, np.int8, np.int32, np.bool_)
        frame = pd.DataFrame({name: rows[:, i].astype(kind)
                              for i, (name, kind) in enumerate(zip(COLUMNS, types, strict=True))})
        frame["kind"] = pd.Categorical.from_codes(frame["kind"], EVENT_KINDS)
        return frame


@compiled
def log(buffer, used, day: int, kind: int, person: int, area: int, detail: int, officer: int,
        green: bool) -> None:
    """Append one event row (the callers below skip this when the log is off).

    Its callers pass ``detail``, ``officer`` and ``green`` as int64, int64 and bool whatever
    their own types (int8 arrays, constants), so it compiles once instead of once per
    combination of types."""
    rows = buffer[0]
    n = used[0]
    if n == rows.shape[0]:  # full: double it
        bigger = np.zeros((2 * n, rows.shape[1]), np.int64)
        bigger[:n] = rows
        buffer[0] = bigger
        rows = bigger
    rows[n, 0], rows[n, 1], rows[n, 2], rows[n, 3] = day, kind, person, area
    rows[n, 4], rows[n, 5], rows[n, 6] = detail, officer, green
    used[0] = n + 1


@compiled_inline
def log_people(w: World, day: int, kind: int, ids: np.ndarray, detail: int) -> None:
    """Log ``kind`` for each of ``ids`` with the same ``detail``."""
    if w.books.events[0].shape[0] == 0:
        return
    for i in ids:
        log(w.books.events, w.books.used, day, kind, w.people.uid[i], w.people.area[i],
            np.int64(detail), np.int64(-1), np.bool_(True))


@compiled_inline
def log_people_each(w: World, day: int, kind: int, ids: np.ndarray, details: np.ndarray) -> None:
    """Log ``kind`` for each of ``ids`` with its own detail."""
    if w.books.events[0].shape[0] == 0:
        return
    for row in range(len(ids)):
        i = ids[row]
        log(w.books.events, w.books.used, day, kind, w.people.uid[i], w.people.area[i],
            np.int64(details[row]), np.int64(-1), np.bool_(True))


@compiled_inline
def log_contacts(w: World, day: int, kind: int, ids: np.ndarray, details: np.ndarray,
                 officers: np.ndarray, green: np.ndarray) -> None:
    """Log ``kind`` for police contacts: each with its detail, officer and shift."""
    if w.books.events[0].shape[0] == 0:
        return
    for row in range(len(ids)):
        i = ids[row]
        log(w.books.events, w.books.used, day, kind, w.people.uid[i], w.people.area[i],
            np.int64(details[row]), np.int64(officers[row]), np.bool_(green[row]))
