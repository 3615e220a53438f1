"""The event log: one row per thing that happened to a person (contacts, bookings, charges ...).

Daily counters answer "how many"; the event log answers "who, where and in what order", which
is what cohort analyses (the evaluation replica, recidivism by pathway) need. Rows are gathered
as small arrays per day and joined once at the end.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

EVENT_KINDS = (
    "contact", "arrest", "booking", "arrest_diversion", "social_referral", "in_lieu_referral",
    "intake", "caseload_start", "lead_exit", "charge", "conviction", "jail_release",
    "prison_admission", "prison_release", "renewal", "jail_admission", "supervision_start",
    "supervision_violation",
)
_KIND = {k: i for i, k in enumerate(EVENT_KINDS)}

# ``detail`` of an "arrest" row is a bit field of these flags:
ARREST_DIVERTED = 1  # the arrest was diverted to LEAD
ARREST_ELIGIBLE = 2  # the contact met the eligibility rules (O6)
ARREST_COVERED = 4  # LEAD covered the area that day
# ``detail`` of "contact" is 1 with probable cause; of "charge", "conviction" and "booking" the
# charge class (1 misdemeanour, 2 felony; 0 booking without a filed charge); of
# "jail_admission" 1 for a pretrial hold, 2 for a jail sentence. A booking without a hold has
# no admission (the person leaves the same day); every admission ends with a "jail_release".


class EventLog:
    """Append-only log of person events for one run."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._chunks: list[tuple[np.ndarray, ...]] = []

    def add(self, day: int, kind: str, uid: np.ndarray, area: np.ndarray,
            detail: np.ndarray | int = 0, officer: np.ndarray | int = -1,
            green: np.ndarray | bool = True) -> None:
        """Record ``kind`` on ``day`` for each person in ``uid``.

        ``detail`` is a kind-specific code (the charge class of a charge, the pathway of an
        arrest); ``officer`` and ``green`` describe the officer and shift of a police contact.
        """
        if not self.enabled or len(uid) == 0:
            return
        n = len(uid)
        self._chunks.append((
            np.full(n, day, np.int32), np.full(n, _KIND[kind], np.int8),
            np.asarray(uid, np.int64), np.asarray(area, np.int16),
            np.broadcast_to(np.asarray(detail, np.int8), n),
            np.broadcast_to(np.asarray(officer, np.int32), n),
            np.broadcast_to(np.asarray(green, np.bool_), n),
        ))

    def to_frame(self) -> pd.DataFrame:
        """All events as a table: day, kind, person, area, detail, officer, green_light."""
        return self._frame(self._chunks)

    def since(self, first_day: int) -> pd.DataFrame:
        """Events from ``first_day`` on, as :meth:`to_frame` gives them.

        Chunks are added in day order, so this reads only the recent tail of the log: a live
        view (the web visualizer) can ask for the last month every frame at no growing cost.
        """
        start = len(self._chunks)
        while start > 0 and self._chunks[start - 1][0][0] >= first_day:
            start -= 1
        return self._frame(self._chunks[start:])

    @staticmethod
    def _frame(chunks: list[tuple[np.ndarray, ...]]) -> pd.DataFrame:
        columns = ("day", "kind", "person", "area", "detail", "officer", "green_light")
        if not chunks:
            return pd.DataFrame({c: [] for c in columns})
        data = {c: np.concatenate([chunk[i] for chunk in chunks])
                for i, c in enumerate(columns)}
        frame = pd.DataFrame(data)
        frame["kind"] = pd.Categorical.from_codes(frame["kind"], EVENT_KINDS)
        return frame
