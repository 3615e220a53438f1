"""What happened this month, in plain words, from a model's record, event log and state.

The web visualizer shows these sentences beside the charts so that a number on screen comes with
its reason ("waitlist 12 because caseloads are full"). They are derived only from what the model
recorded, so they can be tested without a browser.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from lead_sim.model import LeadModel
from lead_sim.neighbourhoods import AREA_KEYS, AREAS
from lead_sim.outcomes.tables import plural
from lead_sim.params import PAYERS

NAMES = tuple(area.name for area in AREAS)


def _people(n: int) -> str:
    return f"{n:,} {'person' if n == 1 else 'people'}"


def _by_area(areas: np.ndarray, top: int = 3) -> str:
    """ "2 in Belltown, 1 in Skyway" for the areas with most events."""
    counts = np.bincount(areas.astype(np.int64), minlength=len(AREA_KEYS))
    order = [i for i in np.argsort(-counts, kind="stable") if counts[i]][:top]
    parts = [f"{counts[i]} in {NAMES[i]}" for i in order]
    rest = int(counts.sum() - sum(counts[i] for i in order))
    if rest:
        parts.append(f"{rest} elsewhere")
    return ", ".join(parts)


def _money(usd: float) -> str:
    if abs(usd) >= 1e6:
        return f"${usd / 1e6:,.1f} million"
    return f"${usd / 1e3:,.0f},000" if abs(usd) >= 1e4 else f"${usd:,.0f}"


def month_start(model: LeadModel) -> int:
    """Day index of the first day of the month of the last simulated day."""
    last = model.date - dt.timedelta(days=1)
    first = last.replace(day=1)
    return max(0, (first - model.lead_scenario.start_date).days)


def explain_month(model: LeadModel) -> list[str]:
    """Plain sentences about the current month so far: arrests and where people were diverted,
    the LEAD caseload and why anyone waits, the jail and what the month cost."""
    if model.day == 0:
        return ["Nothing has happened yet: press Step or Play to start the simulation."]
    first, day = month_start(model), model.day
    month = model.record.frame(day).iloc[first:]
    last = month.iloc[-1]
    events = model.events.since(first)
    lines = [f"{model.date - dt.timedelta(days=1):%B %Y}, {plural(len(month), 'day')} so far."]
    lines.extend(_policy_changes(model, first, day))
    lines.append(_arrests(month, events))
    lines.append(_coverage(model))
    lines.append(_caseload(model, last))
    lines.append(_jail(model, month, first))
    lines.append(_costs(month))
    return [line for line in lines if line]


def _policy_changes(model: LeadModel, first: int, day: int) -> list[str]:
    return [f"On {entry.date:%d %B %Y}: {entry.note}." for d in range(first, day)
            for entry in model.timeline.get(d, ()) if entry.note]


def _arrests(month, events) -> str:
    arrests, booked = int(month["arrests"].sum()), int(month["bookings"].sum())
    text = f"{arrests:,} arrests, {booked:,} bookings into jail."
    diverted = events.loc[events["kind"] == "arrest_diversion", "area"].to_numpy()
    referred = events.loc[events["kind"] == "social_referral", "area"].to_numpy()
    if len(diverted):
        text += f" {_people(len(diverted))} diverted to LEAD instead ({_by_area(diverted)})."
    if len(referred):
        text += f" {_people(len(referred))} referred by officers without arrest " \
                f"({_by_area(referred)})."
    in_lieu = int(month["in_lieu_referrals"].sum())
    if in_lieu:
        text += f" {_people(in_lieu)} referred to assessment in lieu of booking (state law)."
    return text


def _coverage(model: LeadModel) -> str:
    covered = [NAMES[i] for i in np.flatnonzero(model.covered)]
    if not covered:
        return "LEAD covers no neighbourhood, so every eligible arrest goes the usual way."
    if len(covered) > 4:
        return f"LEAD covers {len(covered)} of {len(NAMES)} neighbourhoods."
    return f"LEAD covers {', '.join(covered)}."


def _caseload(model: LeadModel, last) -> str:
    on_caseload = int(last["lead_active"] + last["lead_inactive"])
    places, managers = int(last["lead_capacity"]), float(last["case_managers"])
    waiting = int(last["lead_waitlist"])
    if managers == 0 and waiting == 0 and on_caseload == 0:
        return "No LEAD case managers are funded."
    text = (f"{plural(on_caseload, 'person', 'people')} on a LEAD caseload "
            f"({int(last['lead_active']):,} engaged) "
            f"with {round(managers, 1):g} case manager{'s' if managers != 1 else ''} (full-time "
            f"equivalents) and "
            f"{places:,} places.")
    if waiting:
        if managers == 0:
            why = "no case managers are funded"
        elif on_caseload > places:  # staff losing their posts keep their caseloads
            why = (f"caseloads hold {on_caseload:,} people for {places:,} places: after a "
                   "budget cut, departing case managers see their participants through")
        elif on_caseload == places:
            why = f"caseloads are full ({on_caseload:,} of {places:,} places taken)"
        else:
            why = "places are being assigned as they free up"
        text += f" Waitlist {waiting:,} because {why}."
    return text


def _jail(model: LeadModel, month, first: int) -> str:
    now = int(month["jail_population"].iloc[-1])
    before = model.record.frame(first)["jail_population"]
    if len(before) == 0:
        return f"Jail population {now:,}."
    change = now - int(before.iloc[-1])
    trend = "unchanged" if change == 0 else f"{'up' if change > 0 else 'down'} {abs(change)}"
    text = f"Jail population {now:,} ({trend} since the month began)."
    violations = int(month["supervision_violations"].sum())
    if violations:
        text += (f" {_people(violations)} on probation or community custody jailed for a few "
                 "days for a violation.")
    return text


def _costs(month) -> str:
    by_payer = {p: float(month[f"cost_{p}"].sum()) for p in PAYERS}
    top = sorted(by_payer, key=by_payer.get, reverse=True)[:2]
    parts = " and ".join(f"{p.replace('_', ' ')} ({_money(by_payer[p])})" for p in top)
    return f"Costs this month {_money(sum(by_payer.values()))}, mostly {parts}."
