"""The arrest pathway: booking, pretrial jail, charging, court, sentence, supervision, release.

Functions here act on the people an arrest or a court date concerns that day. Charging follows
the dated legal context: possession is a felony, misdemeanour or gross misdemeanour (O25), and
small quantities stop being charged from September 2018 (O15). Under ESB 5476 the first arrests
for possession are referred to assessment instead of booked (O25); that choice is made before
anything here is called, in :meth:`lead_sim.model.LeadModel._arrest_as_usual`. Some
convictions are followed by community supervision, whose technical violations bring short jail
stays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from lead_sim.agents.states import NEVER, Charge, State

if TYPE_CHECKING:
    from lead_sim.model import LeadModel


# Only a felony conviction with at least this many prior convictions can bring prison (then with
# prison_share_felony): an assumption, for sentencing guidelines that weigh criminal history.
PRISON_MIN_PRIOR_CONVICTIONS = 3
# Misdemeanour jail sentences are capped below a year by law: 364 days for a gross misdemeanour
# in Washington (RCW 9A.20.021; evidence C22).
MISDEMEANOR_MAX_JAIL_DAYS = 364
# A felony jail term is capped at ten years: an assumption, a bound on the drawn stay.
FELONY_MAX_JAIL_DAYS = 3650

# Payer, and the parameters of its cost per charge filed by class. Every filing is charged,
# one that joins an open case included: each charge is prosecuted and defended.
CASE_COSTS = tuple((payer, f"{key}_felony", f"{key}_misdemeanor") for payer, key in (
    ("prosecution", "prosecution_cost"), ("public_defense", "defense_cost"),
    ("courts", "court_cost")))


def charge_class(m: LeadModel, ids: np.ndarray, drug: np.ndarray, grams: np.ndarray,
                 day: int) -> np.ndarray:
    """The charge an arrest would carry if filed (NONE where policy says not to charge)."""
    p = m.p
    if len(ids) == 0:
        return np.empty(0, np.int8)
    felony_law = p["possession_class"] == "felony"
    as_felony = drug & felony_law & (m.streams.uniform("felony", day, ids)
                                     < p["felony_filing_share"])
    charge = np.where(as_felony, Charge.FELONY, Charge.MISDEMEANOR).astype(np.int8)
    charge[drug & (grams < p["charge_min_grams"])] = Charge.NONE
    return charge


def file_charges(m: LeadModel, ids: np.ndarray, charge: np.ndarray, day: int,
                 kind: str = "filing") -> np.ndarray:
    """Prosecutors file some of the chargeable arrests; returns the filed charge per person.

    A person has one open case at a time: a new filing joins it (keeping the more serious
    class) rather than starting a second court date. Every charge filed, one that joins an open
    case included, is charged its prosecution, defence and court cost by class on ``day``: each
    is a new charge to prosecute and defend; only the court date is shared. ``kind`` names the
    random stream, so a held charge filed on the day of a new arrest gets its own draw.
    """
    p, pop = m.p, m.population
    if len(ids) == 0:
        return np.empty(0, np.int8)
    filed = np.where(m.streams.uniform(kind, day, ids) < p["charge_filing_share"],
                     charge, Charge.NONE).astype(np.int8)
    has = filed != Charge.NONE
    if not has.any():
        return filed
    ids_f, filed_f = ids[has], filed[has]
    felony = filed_f == Charge.FELONY
    felonies = np.count_nonzero(felony)
    m.count(day, "felony_charges", felonies)
    m.count(day, "misdemeanor_charges", len(felony) - felonies)
    for payer, felony_cost, misdemeanor_cost in CASE_COSTS:
        cost = np.where(felony, p[felony_cost], p[misdemeanor_cost]).sum()
        m.ledger.charge(day, payer, float(cost))
    pending = pop.pending_charge[ids_f]
    waits = m.streams.waits("court", day, ids_f, 1.0 / p["court_days"])
    pop.disposition_day[ids_f] = np.where(pending == Charge.NONE, day + waits,
                                          pop.disposition_day[ids_f])
    pop.pending_charge[ids_f] = np.maximum(pending, filed_f)
    m.log(day, "charge", ids_f, filed_f)
    return filed


def book(m: LeadModel, ids: np.ndarray, charge: np.ndarray, day: int) -> None:
    """Book ``ids`` into jail; some are held pretrial, the rest leave the same day."""
    p, pop = m.p, m.population
    if len(ids) == 0:
        return
    m.count(day, "bookings", len(ids))
    m.ledger.charge(day, "jail", len(ids) * p["booking_cost"])
    m.log(day, "booking", ids, charge)
    held = m.streams.uniform("hold", day, ids) < p["pretrial_hold_share"]
    ids, charge = ids[held], charge[held]
    mean = np.where(charge == Charge.FELONY, p["pretrial_days_felony"],
                    p["pretrial_days_misdemeanor"])
    release = day + m.streams.waits("pretrial", day, ids, 1.0 / mean)
    release = np.minimum(release, pop.disposition_day[ids])  # a court date ends the hold
    enter_custody(m, ids, State.JAIL_PRETRIAL, release, day)


def enter_custody(m: LeadModel, ids: np.ndarray, state: State, release: np.ndarray,
                  day: int) -> None:
    """Move ``ids`` into jail or prison until ``release``.

    Custody pauses police contact, cancels a pending LEAD intake or waitlist place (filing a
    charge held for the intake), withdraws referrals waiting for treatment or housing (the case
    manager refers again after release) and interrupts treatment. Prison also ends housing and
    LEAD enrolment; a jail stay does not (case managers keep working with participants in jail).
    """
    pop = m.population
    if len(ids) == 0:
        return
    was = pop.state[ids]
    if state != State.PRISON:  # prison admissions are logged with their sentence
        m.log(day, "jail_admission", ids, 1 if state == State.JAIL_PRETRIAL else 2)
    m.program.cancel_intake(ids[(was == State.LEAD_INTAKE) | (was == State.LEAD_WAITLIST)], day)
    m.services.interrupt_treatment(ids[pop.in_treatment[ids]])
    m.program.drop_service_waits(ids)
    if state == State.PRISON:
        m.program.discharge(ids[pop.case_manager[ids] >= 0], day)
        m.services.end_housing(ids[pop.housed[ids]])
    pop.state[ids] = state
    pop.release_day[ids] = release
    pop.next_contact[ids] = NEVER
    pop.rate[ids] = 0.0


def release(m: LeadModel, day: int) -> None:
    """Release everyone whose jail or prison stay ends today."""
    pop = m.population
    ids = pop.due("release_day", day)
    if len(ids) == 0:
        return
    if m.events.enabled:
        from_prison = pop.state[ids] == State.PRISON
        m.log(day, "prison_release", ids[from_prison])
        m.log(day, "jail_release", ids[~from_prison])
    return_to_free_state(m, ids)


def return_to_free_state(m: LeadModel, ids: np.ndarray) -> None:
    """Put released people back in the community, or on their caseload if still enrolled."""
    pop = m.population
    if len(ids) == 0:
        return
    enrolled = pop.case_manager[ids] >= 0
    if enrolled.any():
        pop.state[ids] = np.where(
            enrolled, np.where(pop.engaged[ids], State.LEAD_ACTIVE, State.LEAD_INACTIVE),
            State.COMMUNITY)
    else:  # the usual case
        pop.state[ids] = State.COMMUNITY
    pop.release_day[ids] = NEVER
    m.reschedule(ids)


def start_supervision(m: LeadModel, ids: np.ndarray, start: np.ndarray, day: int) -> None:
    """Put ``ids`` under community supervision from ``start`` (release, or today).

    A new term replaces any running one. Violations arrive at a constant hazard while the term
    runs; the first is drawn now, from the start of the term.
    """
    p, pop, s = m.p, m.population, m.streams
    if len(ids) == 0:
        return
    m.log(day, "supervision_start", ids)
    end = start + s.waits("supervision_term", day, ids, 1.0 / p["supervision_days"])
    pop.supervision_end_day[ids] = end
    _next_violation(m, ids, start, day)


def _next_violation(m: LeadModel, ids: np.ndarray, after: np.ndarray, day: int) -> None:
    """Schedule the next technical violation of ``ids`` after day ``after`` (if within term)."""
    pop, rate = m.population, m.p["supervision_violation_rate"] / 365.25
    when = after + m.streams.waits("violation", day, ids, rate)
    pop.violation_day[ids] = np.where(when < pop.supervision_end_day[ids], when, NEVER)


def violations(m: LeadModel, day: int) -> None:
    """Technical violations due today: a short jail sanction (custody defers them)."""
    pop, p = m.population, m.p
    ids = pop.due("violation_day", day)
    if len(ids) == 0:
        return
    held = pop.state[ids] >= State.JAIL_PRETRIAL
    if held.any():
        _next_violation(m, ids[held], pop.release_day[ids[held]], day)
        ids = ids[~held]
        if len(ids) == 0:
            return
    m.count(day, "supervision_violations", len(ids))
    m.log(day, "supervision_violation", ids)
    stay = m.streams.waits("sanction", day, ids, 1.0 / p["violation_jail_days"])
    enter_custody(m, ids, State.JAIL_SENTENCED, day + stay, day)
    _next_violation(m, ids, day + stay, day)


def _serve_sentence(m: LeadModel, ids: np.ndarray, state: State, release: np.ndarray,
                   day: int) -> None:
    """Send ``ids`` to serve a sentence in ``state`` (jail or prison) until ``release``.

    Someone already serving a sentence (a violation sanction, or a term from an earlier case)
    serves both together: they stay until the later release day, in prison if either term is
    prison. Entering custody anew would replace the running term, so a short jail sentence
    could cut a prison term short, or move a prisoner to jail.
    """
    pop = m.population
    if len(ids) == 0:  # most court days send nobody to jail or to prison
        return
    serving = (pop.state[ids] == State.JAIL_SENTENCED) | (pop.state[ids] == State.PRISON)
    release = np.where(serving, np.maximum(release, pop.release_day[ids]), release)
    stays = serving & (pop.state[ids] >= state)  # already somewhere as severe: a longer stay
    pop.release_day[ids[stays]] = release[stays]
    enter_custody(m, ids[~stays], state, release[~stays], day)


def dispose(m: LeadModel, day: int) -> None:
    """Court dispositions due today: conviction and sentence, or release.

    A sentence adds to one being served (:func:`_serve_sentence`); a prisoner's new prison term
    is therefore not a prison admission.
    """
    p, pop, s = m.p, m.population, m.streams
    ids = pop.due("disposition_day", day)
    if len(ids) == 0:
        return
    charge = pop.pending_charge[ids]
    pop.pending_charge[ids] = Charge.NONE
    pop.disposition_day[ids] = NEVER
    convict, prison, jail = s.uniform_columns("disposition", day, ids, 3).T
    convicted = convict < p["conviction_share"]
    to_prison = (convicted & (charge == Charge.FELONY)
                 & (pop.prior_convictions[ids] >= PRISON_MIN_PRIOR_CONVICTIONS)
                 & (prison < p["prison_share_felony"]))
    to_jail = convicted & ~to_prison & (jail < p["jail_sentence_share"])
    guilty, jailed, imprisoned = ids[convicted], ids[to_jail], ids[to_prison]
    m.log(day, "conviction", guilty, charge[convicted])
    pop.prior_convictions[guilty] += 1
    jail_days = s.waits("jail_days", day, jailed, 1.0 / p["jail_sentence_days"])
    jail_days = np.minimum(jail_days, np.where(charge[to_jail] == Charge.FELONY,
                                               FELONY_MAX_JAIL_DAYS, MISDEMEANOR_MAX_JAIL_DAYS))
    prison_days = s.waits("prison_days", day, imprisoned, 1.0 / p["prison_days"])
    admitted = imprisoned[pop.state[imprisoned] != State.PRISON]
    m.count(day, "prison_admissions", len(admitted))
    m.log(day, "prison_admission", admitted)
    _serve_sentence(m, jailed, State.JAIL_SENTENCED, day + jail_days, day)
    _serve_sentence(m, imprisoned, State.PRISON, day + prison_days, day)
    sentenced = to_jail | to_prison
    supervised = convicted & (s.uniform("supervision", day, ids) < p["supervision_share"])
    if supervised.any():
        start_supervision(m, ids[supervised],
                          np.where(sentenced[supervised], pop.release_day[ids[supervised]], day),
                          day)
    freed = ids[~sentenced & (pop.state[ids] == State.JAIL_PRETRIAL)]
    m.log(day, "jail_release", freed)
    return_to_free_state(m, freed)

