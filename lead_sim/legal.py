"""The arrest pathway: booking, pretrial jail, charging, court, sentence, supervision, release.

Functions here act on the people an arrest or a court date concerns that day. Charging follows
the dated legal context: possession is a felony, misdemeanour or gross misdemeanour (O25), and
small quantities stop being charged from September 2018 (O15). Under ESB 5476 the first arrests
for possession are referred to assessment instead of booked (O25); that choice is made before
anything here is called, in :func:`lead_sim.model.arrest_as_usual`. Some convictions are
followed by community supervision, whose technical violations bring short jail stays.

Every function is compiled (:mod:`lead_sim.jit`) and takes the model's state ``w`` and
parameter values ``p``; :class:`lead_sim.model.LeadModel` has Python entry points for tests.
"""

from __future__ import annotations

import numpy as np

from lead_sim.agents import case_manager, services
from lead_sim.agents.population import due, mark_for_redraw
from lead_sim.agents.states import NEVER, Charge, State
from lead_sim.events import Kind, log_people, log_people_each
from lead_sim.jit import compiled
from lead_sim.ledger import Payer, charge
from lead_sim.recorder import Column, count
from lead_sim.streams import uniform_each, uniforms, waits_at, waits_each

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


@compiled
def charge_class(w, p, ids: np.ndarray, drug: np.ndarray, grams: np.ndarray,
                 day: int) -> np.ndarray:
    """The charge an arrest would carry if filed (NONE where policy says not to charge)."""
    charges = np.full(len(ids), Charge.MISDEMEANOR, np.int8)
    if len(ids) == 0:
        return charges
    felony = uniform_each(w.keys.felony, day, ids)
    for row in range(len(ids)):
        if drug[row] and p.felony_law and felony[row] < p.felony_filing_share:
            charges[row] = Charge.FELONY
        if drug[row] and grams[row] < p.charge_min_grams:
            charges[row] = Charge.NONE
    return charges


@compiled
def file_charges(w, p, ids: np.ndarray, charges: np.ndarray, day: int,
                 kind_key: np.uint64) -> np.ndarray:
    """Prosecutors file some of the chargeable arrests; returns the filed charge per person.

    A person has one open case at a time: a new filing joins it (keeping the more serious
    class) rather than starting a second court date. Every charge filed, one that joins an open
    case included, is charged its prosecution, defence and court cost by class on ``day``: each
    is a new charge to prosecute and defend; only the court date is shared. ``kind_key`` names
    the random stream (``keys.filing``, or ``keys.held_filing`` for a charge held during an
    intake), so a held charge filed on the day of a new arrest gets its own draw.
    """
    pop = w.people
    filed = np.full(len(ids), Charge.NONE, np.int8)
    if len(ids) == 0:
        return filed
    u = uniform_each(kind_key, day, ids)
    for row in range(len(ids)):
        if u[row] < p.charge_filing_share:
            filed[row] = charges[row]
    has = filed != Charge.NONE
    if not has.any():
        return filed
    ids_f, filed_f = ids[has], filed[has]
    felony = filed_f == Charge.FELONY
    felonies = np.count_nonzero(felony)
    count(w, day, Column.FELONY_CHARGES, felonies)
    count(w, day, Column.MISDEMEANOR_CHARGES, len(felony) - felonies)
    charge(w, day, Payer.PROSECUTION, np.where(felony, p.prosecution_cost_felony,
                                               p.prosecution_cost_misdemeanor).sum())
    charge(w, day, Payer.PUBLIC_DEFENSE, np.where(felony, p.defense_cost_felony,
                                                  p.defense_cost_misdemeanor).sum())
    charge(w, day, Payer.COURTS, np.where(felony, p.court_cost_felony,
                                          p.court_cost_misdemeanor).sum())
    waits = waits_at(w.keys.court, day, ids_f, 1.0 / p.court_days)
    for row in range(len(ids_f)):
        i = ids_f[row]
        if pop.pending_charge[i] == Charge.NONE:
            pop.disposition_day[i] = day + waits[row]
        pop.pending_charge[i] = max(pop.pending_charge[i], filed_f[row])
    log_people_each(w, day, Kind.CHARGE, ids_f, filed_f)
    return filed


@compiled
def book(w, p, ids: np.ndarray, charges: np.ndarray, day: int) -> None:
    """Book ``ids`` into jail; some are held pretrial, the rest leave the same day."""
    pop = w.people
    if len(ids) == 0:
        return
    count(w, day, Column.BOOKINGS, len(ids))
    charge(w, day, Payer.JAIL, len(ids) * p.booking_cost)
    log_people_each(w, day, Kind.BOOKING, ids, charges)
    held = uniform_each(w.keys.hold, day, ids) < p.pretrial_hold_share
    ids, charges = ids[held], charges[held]
    rates = np.empty(len(ids))
    for row in range(len(ids)):
        felony = charges[row] == Charge.FELONY
        rates[row] = 1.0 / (p.pretrial_days_felony if felony else p.pretrial_days_misdemeanor)
    release = day + waits_each(w.keys.pretrial, day, ids, rates)
    release = np.minimum(release, pop.disposition_day[ids])  # a court date ends the hold
    enter_custody(w, p, ids, State.JAIL_PRETRIAL, release, day)


@compiled
def enter_custody(w, p, ids: np.ndarray, state: int, release: np.ndarray, day: int) -> None:
    """Move ``ids`` into jail or prison until ``release``.

    Custody pauses police contact, cancels a pending LEAD intake or waitlist place (filing a
    charge held for the intake), withdraws referrals waiting for treatment or housing (the case
    manager refers again after release) and interrupts treatment. Prison also ends housing and
    LEAD enrolment; a jail stay does not (case managers keep working with participants in jail).
    """
    pop = w.people
    if len(ids) == 0:
        return
    was = pop.state[ids]
    if state != State.PRISON:  # prison admissions are logged with their sentence
        log_people(w, day, Kind.JAIL_ADMISSION, ids, 1 if state == State.JAIL_PRETRIAL else 2)
    case_manager.cancel_intake(
        w, p, ids[(was == State.LEAD_INTAKE) | (was == State.LEAD_WAITLIST)], day)
    services.interrupt_treatment(w, ids[pop.in_treatment[ids]])
    case_manager.drop_service_waits(w, ids)
    if state == State.PRISON:
        case_manager.discharge(w, p, ids[pop.case_manager[ids] >= 0], day)
        services.end_housing(w, ids[pop.housed[ids]])
    for row in range(len(ids)):
        i = ids[row]
        pop.state[i] = state
        pop.release_day[i] = release[row]
        pop.next_contact[i] = NEVER
        pop.rate[i] = 0.0


@compiled
def release(w, p, day: int) -> None:
    """Release everyone whose jail or prison stay ends today."""
    pop = w.people
    ids = due(pop.release_day, day)
    if len(ids) == 0:
        return
    from_prison = pop.state[ids] == State.PRISON
    log_people(w, day, Kind.PRISON_RELEASE, ids[from_prison], 0)
    log_people(w, day, Kind.JAIL_RELEASE, ids[~from_prison], 0)
    return_to_free_state(w, ids)


@compiled
def return_to_free_state(w, ids: np.ndarray) -> None:
    """Put released people back in the community, or on their caseload if still enrolled."""
    pop = w.people
    for i in ids:
        if pop.case_manager[i] < 0:
            pop.state[i] = State.COMMUNITY
        elif pop.engaged[i]:
            pop.state[i] = State.LEAD_ACTIVE
        else:
            pop.state[i] = State.LEAD_INACTIVE
        pop.release_day[i] = NEVER
    mark_for_redraw(w, ids)


@compiled
def start_supervision(w, p, ids: np.ndarray, start: np.ndarray, day: int) -> None:
    """Put ``ids`` under community supervision from ``start`` (release, or today).

    A new term replaces any running one. Violations arrive at a constant hazard while the term
    runs; the first is drawn now, from the start of the term.
    """
    if len(ids) == 0:
        return
    log_people(w, day, Kind.SUPERVISION_START, ids, 0)
    term = waits_at(w.keys.supervision_term, day, ids, 1.0 / p.supervision_days)
    w.people.supervision_end_day[ids] = start + term
    _next_violation(w, p, ids, start, day)


@compiled
def _next_violation(w, p, ids: np.ndarray, after: np.ndarray, day: int) -> None:
    """Schedule the next technical violation of ``ids`` after day ``after`` (if within term)."""
    pop = w.people
    when = after + waits_at(w.keys.violation, day, ids, p.supervision_violation_rate / 365.25)
    for row in range(len(ids)):
        i = ids[row]
        pop.violation_day[i] = when[row] if when[row] < pop.supervision_end_day[i] else NEVER


@compiled
def violations(w, p, day: int) -> None:
    """Technical violations due today: a short jail sanction (custody defers them)."""
    pop = w.people
    ids = due(pop.violation_day, day)
    if len(ids) == 0:
        return
    held = pop.state[ids] >= State.JAIL_PRETRIAL
    if held.any():
        _next_violation(w, p, ids[held], pop.release_day[ids[held]], day)
        ids = ids[~held]
        if len(ids) == 0:
            return
    count(w, day, Column.SUPERVISION_VIOLATIONS, len(ids))
    log_people(w, day, Kind.SUPERVISION_VIOLATION, ids, 0)
    stay = day + waits_at(w.keys.sanction, day, ids, 1.0 / p.violation_jail_days)
    enter_custody(w, p, ids, State.JAIL_SENTENCED, stay, day)
    _next_violation(w, p, ids, stay, day)


@compiled
def _serve_sentence(w, p, ids: np.ndarray, state: int, release: np.ndarray, day: int) -> None:
    """Send ``ids`` to serve a sentence in ``state`` (jail or prison) until ``release``.

    Someone already serving a sentence (a violation sanction, or a term from an earlier case)
    serves both together: they stay until the later release day, in prison if either term is
    prison. Entering custody anew would replace the running term, so a short jail sentence
    could cut a prison term short, or move a prisoner to jail.
    """
    pop = w.people
    if len(ids) == 0:  # most court days send nobody to jail or to prison
        return
    now = pop.state[ids]
    serving = (now == State.JAIL_SENTENCED) | (now == State.PRISON)
    release = np.where(serving, np.maximum(release, pop.release_day[ids]), release)
    stays = serving & (now >= state)  # already somewhere as severe: a longer stay
    pop.release_day[ids[stays]] = release[stays]
    enter_custody(w, p, ids[~stays], state, release[~stays], day)


@compiled
def dispose(w, p, day: int) -> None:
    """Court dispositions due today: conviction and sentence, or release.

    A sentence adds to one being served (:func:`_serve_sentence`); a prisoner's new prison term
    is therefore not a prison admission.
    """
    pop = w.people
    ids = due(pop.disposition_day, day)
    if len(ids) == 0:
        return
    charge_filed = pop.pending_charge[ids]
    pop.pending_charge[ids] = Charge.NONE
    pop.disposition_day[ids] = NEVER
    u = uniforms(w.keys.disposition, day, ids, 3)
    convicted = u[:, 0] < p.conviction_share
    to_prison = (convicted & (charge_filed == Charge.FELONY)
                 & (pop.prior_convictions[ids] >= PRISON_MIN_PRIOR_CONVICTIONS)
                 & (u[:, 1] < p.prison_share_felony))
    to_jail = convicted & ~to_prison & (u[:, 2] < p.jail_sentence_share)
    guilty, jailed, imprisoned = ids[convicted], ids[to_jail], ids[to_prison]
    log_people_each(w, day, Kind.CONVICTION, guilty, charge_filed[convicted])
    pop.prior_convictions[guilty] += 1
    jail_days = waits_at(w.keys.jail_days, day, jailed, 1.0 / p.jail_sentence_days)
    jail_days = np.minimum(jail_days, np.where(charge_filed[to_jail] == Charge.FELONY,
                                               FELONY_MAX_JAIL_DAYS, MISDEMEANOR_MAX_JAIL_DAYS))
    prison_days = waits_at(w.keys.prison_days, day, imprisoned, 1.0 / p.prison_days)
    admitted = imprisoned[pop.state[imprisoned] != State.PRISON]
    count(w, day, Column.PRISON_ADMISSIONS, len(admitted))
    log_people(w, day, Kind.PRISON_ADMISSION, admitted, 0)
    _serve_sentence(w, p, jailed, State.JAIL_SENTENCED, day + jail_days, day)
    _serve_sentence(w, p, imprisoned, State.PRISON, day + prison_days, day)
    sentenced = to_jail | to_prison
    supervised = convicted & (uniform_each(w.keys.supervision, day, ids) < p.supervision_share)
    if supervised.any():
        under = ids[supervised]
        start_supervision(w, p, under,
                          np.where(sentenced[supervised], pop.release_day[under], day), day)
    freed = ids[~sentenced & (pop.state[ids] == State.JAIL_PRETRIAL)]
    log_people(w, day, Kind.JAIL_RELEASE, freed, 0)
    return_to_free_state(w, freed)
