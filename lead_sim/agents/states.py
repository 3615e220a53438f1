"""Codes for where a person is (one state each day) and for their needs.

A person is in exactly one state each day. Services (treatment, housing: the pools of
:mod:`lead_sim.service_table`) are held *while* in a state (a LEAD participant can be active and
housed and in treatment), so they are flags beside the state, not states of their own.

Each set of codes is a named tuple of the integers 0, 1, 2 ... (``State.PRISON == 7``,
``State._fields[7] == "PRISON"``), made by :func:`lead_sim.engine.codes.codes`. Compiled code
reads them as constants; numba cannot use an IntEnum inside array expressions.
"""

from __future__ import annotations

from lead_sim.engine.codes import codes
from lead_sim.service_table import SERVICES

NEVER = 1 << 30  # day index of an event that is not scheduled (fits int32)


State = codes(
    "State",
    "COMMUNITY",  # at risk, no programme
    "LEAD_INTAKE",  # referred or arrest-diverted, intake assessment pending
    "LEAD_WAITLIST",  # assessed and enrolled, waiting for a case manager
    "LEAD_ACTIVE",  # on a caseload and engaged
    "LEAD_INACTIVE",  # on a caseload, engagement lapsed (no fail-out)
    "JAIL_PRETRIAL",
    "JAIL_SENTENCED",
    "PRISON",
)
CUSTODY = (State.JAIL_PRETRIAL, State.JAIL_SENTENCED, State.PRISON)
STATE_NAMES = tuple(name.lower() for name in State._fields)

# Needs a case manager works on, most pressing first when tied on urgency.
Need = codes("Need", "HOUSING", "TREATMENT", "MENTAL_HEALTH", "FOOD_HYGIENE", "INCOME")
NEED_URGENCY = (5.0, 4.0, 3.0, 2.0, 1.0)  # assumption: shelter first, then treatment (O18)


def _pool_needs() -> tuple[int, ...]:
    unknown = [s.need for s in SERVICES if s.need not in Need._fields]
    if unknown:
        raise ValueError(f"service table: unknown needs {unknown}; needs: {Need._fields}")
    return tuple(getattr(Need, s.need) for s in SERVICES)


# The need each service pool meets, by pool; and the pool that meets each need, by need (-1:
# case managers meet it themselves).
POOL_NEED = _pool_needs()
NEED_POOL = tuple(POOL_NEED.index(need) if need in POOL_NEED else -1
                  for need in range(len(Need)))
# Whether a pool's exits can be completions, which leave the need met, by pool.
POOL_COMPLETES = tuple(s.completion is not None for s in SERVICES)

NeedStatus = codes(
    "NeedStatus",
    "NONE",  # never needed
    "UNMET",
    "WAITING",  # referred, on a service waitlist
    "MET",
)

Charge = codes("Charge", "NONE", "MISDEMEANOR", "FELONY")

# What a police contact led to (also the pathway of a person's first contact).
Pathway = codes(
    "Pathway",
    "NONE",  # contact without arrest or referral
    "BOOKED",
    "CITED",  # arrested, cited and released
    "IN_LIEU",  # referred to assessment in lieu of booking (ESB 5476)
    "DIVERTED",  # LEAD arrest diversion
    "REFERRED",  # LEAD social-contact referral
)
