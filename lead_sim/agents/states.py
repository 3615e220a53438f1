"""Codes for where a person is (one state each day) and for their needs.

A person is in exactly one :class:`State` each day. Treatment and housing are services a person
holds *while* in a state (a LEAD participant can be active and housed and in treatment), so
they are flags beside the state, not states of their own.
"""

from __future__ import annotations

from enum import IntEnum

NEVER = 1 << 30  # day index of an event that is not scheduled (fits int32)


class State(IntEnum):
    COMMUNITY = 0  # at risk, no programme
    LEAD_INTAKE = 1  # referred or arrest-diverted, intake assessment pending
    LEAD_WAITLIST = 2  # assessed and enrolled, waiting for a case manager
    LEAD_ACTIVE = 3  # on a caseload and engaged
    LEAD_INACTIVE = 4  # on a caseload, engagement lapsed (no fail-out)
    JAIL_PRETRIAL = 5
    JAIL_SENTENCED = 6
    PRISON = 7


CUSTODY = (State.JAIL_PRETRIAL, State.JAIL_SENTENCED, State.PRISON)
STATE_NAMES = tuple(s.name.lower() for s in State)


class Need(IntEnum):
    """Needs a case manager works on, most pressing first when tied on urgency."""

    HOUSING = 0
    TREATMENT = 1
    MENTAL_HEALTH = 2
    FOOD_HYGIENE = 3
    INCOME = 4


NEED_URGENCY = (5.0, 4.0, 3.0, 2.0, 1.0)  # assumption: shelter first, then treatment (O18)


class NeedStatus(IntEnum):
    NONE = 0  # never needed
    UNMET = 1
    WAITING = 2  # referred, on a service waitlist
    MET = 3


class Charge(IntEnum):
    NONE = 0
    MISDEMEANOR = 1
    FELONY = 2


class Pathway(IntEnum):
    """What a police contact led to (also the pathway of a person's first contact)."""

    NONE = 0  # contact without arrest or referral
    BOOKED = 1
    CITED = 2  # arrested, cited and released
    IN_LIEU = 3  # referred to assessment in lieu of booking (ESB 5476)
    DIVERTED = 4  # LEAD arrest diversion
    REFERRED = 5  # LEAD social-contact referral
