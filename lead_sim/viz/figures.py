"""The charts of the page, drawn as SVG text (see :mod:`lead_sim.viz.svg`).

Each line is the mean over the session's seeds and its shaded band their range; the baseline
(system as usual, same seeds) is grey and dashed. Money and the policy-minus-baseline counts
are at county scale (:attr:`~lead_sim.viz.session.VizSession.county_scale`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lead_sim.model import LeadModel
from lead_sim.viz.palette import BLUE, GREEN, GREY, OCHRE, PURPLE, VERMILLION
from lead_sim.viz.session import VizSession
from lead_sim.viz.svg import Series, band, line_chart

#: payers grouped for the cost chart (ten stacked colours cannot be told apart)
PAYER_GROUPS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("police and jail", ("police", "jail"), VERMILLION),
    ("courts, prosecution, defence", ("prosecution", "public_defense", "courts"), PURPLE),
    ("prison and supervision", ("prison", "supervision"), GREY),
    ("LEAD case managers and services", ("lead_case_management", "treatment", "housing"),
     GREEN),
)


@dataclass(frozen=True)
class Chart:
    """One chart: its SVG and the group it belongs to on the page."""

    group: str  # "difference" or "levels"
    svg: str


def years_of(model: LeadModel, days: int) -> np.ndarray:
    start = model.lead_scenario.start_date
    return start.year + (start.timetuple().tm_yday - 1) / 365.25 + np.arange(days) / 365.25


def per_30_days(runs: np.ndarray) -> np.ndarray:
    """Rolling 30-day sums along the last axis (fewer days at the start)."""
    total = np.cumsum(runs, axis=-1)
    shifted = np.zeros_like(total)
    shifted[..., 30:] = total[..., :-30]
    return total - shifted


def band_note(session: VizSession) -> str:
    n = len(session.seeds)
    if n < 2:
        return ""
    return f"Lines: mean of {n} seeds; shading: their range."


def difference_charts(session: VizSession) -> list[Chart]:
    """Policy minus baseline over time: bookings averted, jail beds freed, net cost."""
    pol = session.policy
    years, marks, note = years_of(pol, pol.day), policy_marks(pol), band_note(session)
    k = session.county_scale
    booked = band(session.gap("bookings", cumulative=True) * k, "bookings averted so far",
                  BLUE)
    beds = band(session.gap("jail_population") * k, "jail beds freed today", BLUE)
    cost = band(-session.gap("cost_total", cumulative=True) * k / 1e6,
                "net cost so far, $ million", BLUE)
    return [Chart("difference", line_chart(title, years, [s], css_class=css, marks=marks,
                                           note=note))
            for title, s, css in (
                ("Bookings averted, county (policy minus baseline)", booked,
                 "lead-chart-averted"),
                ("Jail beds freed, county (policy minus baseline)", beds, "lead-chart-beds"),
                ("Net cost, county, $ million (policy minus baseline)", cost,
                 "lead-chart-netcost"))]


def level_charts(session: VizSession) -> list[Chart]:
    """Jail population; arrests and bookings; diversions and referrals; LEAD's caseload;
    cumulative county cost by payer with the baseline's total."""
    pol = session.policy
    years, marks, note = years_of(pol, pol.day), policy_marks(pol), band_note(session)
    side = bool(session.baselines)

    def pair(column: str, label: str, colour: str, rolling: bool = False) -> list[Series]:
        def runs(which: str) -> np.ndarray:
            stack = session.stack(column, which)
            return per_30_days(stack) if rolling else stack
        out = [band(runs("policy"), f"{label}, policy" if side else label, colour)]
        if side:
            out.append(band(runs("baseline"), f"{label}, system as usual", GREY,
                            dashed=True))
        return out

    jail = pair("jail_population", "jail population", VERMILLION)
    flow = [*pair("arrests", "arrests", VERMILLION, rolling=True),
            band(per_30_days(session.stack("bookings")), "bookings, policy" if side
                 else "bookings", PURPLE)]
    routes = [band(per_30_days(session.stack("arrest_diversions")), "arrests diverted to LEAD",
                   GREEN),
              band(per_30_days(session.stack("social_contact_referrals")),
                   "social-contact referrals", OCHRE)]
    caseload = session.stack("lead_active") + session.stack("lead_inactive")
    lead = [band(caseload, "on a caseload", GREEN),
            band(session.stack("lead_capacity"), "caseload places", GREY, width=1.5),
            band(session.stack("lead_waitlist"), "waitlist", OCHRE)]
    k = session.county_scale
    cum = {p: np.cumsum(session.stack(f"cost_{p}"), axis=1).mean(axis=0) * k / 1e6
           for group in PAYER_GROUPS for p in group[1]}
    cost = [Series(label, sum(cum[p] for p in payers), colour)
            for label, payers, colour in PAYER_GROUPS]
    charts = [
        line_chart("Jail population (simulated people)", years, jail,
                   css_class="lead-chart-jail", marks=marks, note=note),
        line_chart("Arrests and bookings (per 30 days)", years, flow,
                   css_class="lead-chart-flow", marks=marks, note=note),
        line_chart("Diversions and referrals to LEAD (per 30 days)", years, routes,
                   css_class="lead-chart-routes", marks=marks, note=note),
        line_chart("LEAD caseload, places and waitlist (people)", years, lead,
                   css_class="lead-chart-lead", marks=marks, note=note),
        *_cost_charts(session, years, cost, marks),
    ]
    return [Chart("levels", svg) for svg in charts]


def _cost_charts(session: VizSession, years: np.ndarray, cost: list[Series],
                 marks) -> list[str]:
    """Cumulative county cost: the policy's total against the baseline's (side by side), and
    the policy's by payer, stacked."""
    k = session.county_scale
    scaled = f"Costs x {k:g}: the county's people at risk per person simulated."
    charts = []
    if session.baselines:
        totals = [band(np.cumsum(session.stack("cost_total", which), axis=1) * k / 1e6,
                       label, colour, dashed=which == "baseline")
                  for which, label, colour in (("policy", "policy", BLUE),
                                               ("baseline", "system as usual", GREY))]
        charts.append(line_chart("Cost so far, county, $ million", years, totals,
                                 css_class="lead-chart-costtotal", marks=marks, note=scaled))
    charts.append(line_chart("Cost so far by payer (policy, mean), county, $ million", years,
                             cost, stacked=True, css_class="lead-chart-cost", marks=marks,
                             note=scaled))
    return charts


def charts_svg(session: VizSession) -> list[Chart]:
    """Every chart of the page, the differences first (when side by side)."""
    diff = difference_charts(session) if session.baselines else []
    return [*diff, *level_charts(session)]


def policy_marks(model: LeadModel) -> list[tuple[float, str]]:
    """The dated changes simulated so far (the scenario's and pinned levers), as chart marks:
    the launch, each expansion, the 2018 and 2021 drug-law changes."""
    start = years_of(model, 1)[0]
    return [(start + day / 365.25, f"{entry.date:%d %b %Y}: {entry.note or 'policy change'}")
            for day, entries in sorted(model.timeline.items()) if 0 < day < model.day
            for entry in entries]
