"""The University of Washington evaluation of the LEAD pilot, replayed on a run's event log.

Collins, Lonczak & Clifasefi (2017, 2019) compared 203 people diverted or referred to LEAD on
green-light shifts in the pilot area (October 2011 - July 2014) with 115 "system as usual"
controls: eligible people arrested as usual on red-light shifts, or in adjacent areas LEAD did
not cover (evidence rows #1, #2, O11). This module forms the same two cohorts from the model's
event log and computes the evaluation's outcomes for them, so a run can be held against the
published figures. Everything here is a pure function of the event log and the scenario.

Conventions (the evaluation's reports do not spell them out; these are choices):

* A person's entry is their first LEAD arrest diversion or referral on a green-light shift in
  a covered area (LEAD), or their first eligible arrest as usual (control). Only people who
  never entered LEAD in the window can be controls.
* Re-arrest outcomes count arrests strictly after the entry day, so a control's entry arrest
  is not its own outcome. Diverted arrests count as arrests: they are arrests in police records.
* Legal-system use (bookings, jail and prison days, charges, costs) counts from the entry day
  on, because the entry arrest's booking and charge are what the control pathway does.
* Rates per person-year are ratios of sums over a cohort (events / person-years), which stays
  stable when a newcomer's pre-entry period is short.
* The pre-entry period runs from two years before LEAD began (2009-10-01), the person's arrival
  in the model, or the run's start, whichever is latest, to the day before entry; the post
  period from entry to the end of follow-up (2014-07-31, or the run's end if earlier).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lead_sim.agents.states import Charge
from lead_sim.engine.events import ARREST_COVERED, ARREST_DIVERTED, ARREST_ELIGIBLE
from lead_sim.errors import LeadSimError
from lead_sim.justice.charging import CASE_COSTS
from lead_sim.neighbourhoods import AREA_KEYS, build_graph
from lead_sim.params import Params
from lead_sim.scenarios import Scenario

ENROL_START = dt.date(2011, 10, 1)  # O1, #1
ENROL_END = dt.date(2014, 7, 31)  # #1
FOLLOW_END = dt.date(2014, 7, 31)  # #1, #4: follow-up "through July 2014"
PRE_START = dt.date(2009, 10, 1)  # #4: "two years prior to the LEAD start date"
SIX_MONTHS = 182  # days
PUBLISHED_LEAD, PUBLISHED_CONTROL = 203, 115  # #1
#: The published figures the evidence file gives, by metric (row in brackets). The felony,
#: booking, jail, prison and cost results are held out of the evidence file on purpose.
PUBLISHED: dict[str, float] = {
    "arrest_or_6m": 0.40,  # #3a (from #3: 60% lower odds)
    "arrest_or_long": 0.42,  # #4b (from #4: 58% lower odds)
    "n_lead": PUBLISHED_LEAD,
    "n_control": PUBLISHED_CONTROL,
}
METRICS: dict[str, str] = {
    "arrest_or_6m": "Odds ratio (LEAD vs control) of any arrest in the 6 months after entry",
    "arrest_or_6m_unweighted": "The same without weighting controls to LEAD's arrest history",
    "arrest_or_long": "Odds ratio of any arrest from entry to the end of follow-up",
    "felony_charge_or": "Odds ratio of any felony charge from entry to the end of follow-up",
    "bookings_per_year_diff": "Change in jail bookings per person-year (post - pre), "
                              "LEAD minus control",
    "jail_days_per_year_diff": "Change in jail days per person-year (post - pre), "
                               "LEAD minus control",
    "prison_or": "Odds ratio of any prison admission after entry",
    "legal_cost_change_lead": "Change in legal-system cost per person-year (post - pre), LEAD",
    "legal_cost_change_control": "Change in legal-system cost per person-year (post - pre), "
                                 "controls",
    "n_lead": "LEAD cohort size",
    "n_control": "Control cohort size (sampled at the evaluation's ratio)",
    "n_control_pool": "Eligible controls available before sampling",
}


@dataclass(frozen=True)
class Design:
    """The evaluation's dates and areas in a run's day numbers and area indices."""

    enrol_start: int
    enrol_end: int
    follow_end: int
    pre_start: int
    pilot_areas: tuple[int, ...]
    adjacent_areas: tuple[int, ...]
    population: int

    @classmethod
    def for_scenario(cls, scenario: Scenario) -> Design:
        """Check the scenario spans the evaluation and translate its dates to day numbers."""
        start = scenario.start_date
        if start > ENROL_START or scenario.end_date <= ENROL_START:
            raise LeadSimError(
                f"Scenario '{scenario.name}' runs {start} to {scenario.end_date}; the evaluation "
                f"needs a run that starts by {ENROL_START} and continues after it.")
        pilot = sorted({AREA_KEYS.index(k) for e in scenario.timeline if e.date <= ENROL_END
                        for k in e.cover})
        if not pilot:
            raise LeadSimError(f"Scenario '{scenario.name}' covers no area with LEAD by "
                               f"{ENROL_END}, so there is no LEAD cohort to form.")
        graph = build_graph()
        near = {AREA_KEYS.index(n) for i in pilot for n in graph.neighbors(AREA_KEYS[i])}
        end = min(FOLLOW_END, scenario.end_date)
        return cls(
            enrol_start=(ENROL_START - start).days, enrol_end=(min(ENROL_END, end) - start).days,
            follow_end=(end - start).days, pre_start=max(0, (PRE_START - start).days),
            pilot_areas=tuple(pilot), adjacent_areas=tuple(sorted(near - set(pilot))),
            population=int(Params.with_overrides(scenario.params)["population"]))


def arrival_days(events: pd.DataFrame, population: int) -> pd.Series:
    """Day each person entered the model, by person id.

    The first ``population`` ids are there from day 0; each "renewal" row replaces one person
    by a newcomer whose id is the next unused one, in the order of the log (see
    :func:`lead_sim.agents.population.renew`).
    """
    renewal_days = events.loc[events["kind"] == "renewal", "day"].to_numpy()
    days = np.concatenate([np.zeros(population, np.int64), renewal_days.astype(np.int64)])
    return pd.Series(days, name="arrival")


def form_cohorts(events: pd.DataFrame, design: Design) -> pd.DataFrame:
    """The LEAD cohort and the full pool of eligible controls: person, cohort, entry day."""
    in_window = events["day"].between(design.enrol_start, design.enrol_end)
    entered = events["kind"].isin(["arrest_diversion", "social_referral"])
    lead = events[in_window & entered & events["green_light"].astype(bool)
                  & events["area"].isin(design.pilot_areas)]
    lead = lead.groupby("person", sort=True)["day"].min()
    arrests = events[in_window & (events["kind"] == "arrest")]
    flags = arrests["detail"].astype(int)
    eligible = (flags & ARREST_ELIGIBLE > 0) & (flags & ARREST_DIVERTED == 0)
    red_light = ((flags & ARREST_COVERED > 0) & ~arrests["green_light"].astype(bool)
                 & arrests["area"].isin(design.pilot_areas))
    nearby = (flags & ARREST_COVERED == 0) & arrests["area"].isin(design.adjacent_areas)
    control = arrests[eligible & (red_light | nearby) & ~arrests["person"].isin(lead.index)]
    control = control.groupby("person", sort=True)["day"].min()
    frame = pd.concat([
        pd.DataFrame({"person": lead.index, "cohort": "lead", "entry": lead.to_numpy()}),
        pd.DataFrame({"person": control.index, "cohort": "control", "entry": control.to_numpy()}),
    ], ignore_index=True)
    frame["entry"] = frame["entry"].astype(np.int64)
    return frame


def sample_controls(cohorts: pd.DataFrame, seed: int,
                    ratio: float = PUBLISHED_CONTROL / PUBLISHED_LEAD) -> pd.DataFrame:
    """Keep a random ``ratio`` x (LEAD size) of the control pool, as the evaluation sampled.

    The evaluation followed 115 controls for 203 participants; the model's pool of eligible
    arrests as usual is far larger. A random subsample has the same expected odds ratios, with
    the sampling noise the evaluation had. The draw uses its own seeded stream.
    """
    lead = cohorts[cohorts["cohort"] == "lead"]
    pool = cohorts[cohorts["cohort"] == "control"]
    n = min(len(pool), round(ratio * len(lead)))
    rng = np.random.default_rng([seed, 0x5EED])
    keep = np.sort(rng.choice(len(pool), size=n, replace=False))
    return pd.concat([lead, pool.iloc[keep]], ignore_index=True)


def custody_spells(events: pd.DataFrame, start: str, *end: str) -> pd.DataFrame:
    """Custody spells (person, first day, release day) from admission and release events.

    A spell runs from an admission to the next release of the same person (an event of any
    kind in ``end``); an admission while already in custody continues the spell, and a spell
    still open at the end of the log runs to the end (release day = NEVER-like large number).
    Days in custody are release - first, as the model counts bed-days at the end of each day.
    """
    own = events[events["kind"].isin([start, *end])]
    order = np.lexsort((np.arange(len(own)), own["day"].to_numpy(), own["person"].to_numpy()))
    person = own["person"].to_numpy()[order]
    day = own["day"].to_numpy()[order]
    is_start = (own["kind"] == start).to_numpy()[order]
    rows: list[tuple[int, int, int]] = []
    current, since = -1, -1
    for p, d, s in zip(person.tolist(), day.tolist(), is_start.tolist(), strict=True):
        if p != current:
            if since >= 0:
                rows.append((current, since, 1 << 30))
            current, since = p, -1
        if s and since < 0:
            since = d
        elif not s and since >= 0:
            rows.append((p, since, d))
            since = -1
    if since >= 0:
        rows.append((current, since, 1 << 30))
    return pd.DataFrame(rows, columns=["person", "first", "release"], dtype=np.int64)


def _days_within(spells: pd.DataFrame, lo: pd.Series, hi: pd.Series) -> pd.Series:
    """Custody days per person between day ``lo`` (inclusive) and ``hi`` (exclusive)."""
    s = spells[spells["person"].isin(lo.index)]
    a = np.maximum(s["first"].to_numpy(), lo.loc[s["person"]].to_numpy())
    b = np.minimum(s["release"].to_numpy(), hi.loc[s["person"]].to_numpy())
    days = pd.Series(np.clip(b - a, 0, None), index=s["person"].to_numpy())
    return days.groupby(level=0).sum().reindex(lo.index, fill_value=0)


def _count_within(rows: pd.DataFrame, lo: pd.Series, hi: pd.Series,
                  weight: np.ndarray | None = None) -> pd.Series:
    """Events (or their ``weight``) per person with ``lo`` <= day < ``hi``."""
    own = rows["person"].isin(lo.index).to_numpy()
    rows = rows[own]
    person, day = rows["person"].to_numpy(), rows["day"].to_numpy()
    inside = (day >= lo.loc[person].to_numpy()) & (day < hi.loc[person].to_numpy())
    values = np.ones(len(rows)) if weight is None else np.asarray(weight)[own]
    counts = pd.Series(values[inside], index=person[inside])
    return counts.groupby(level=0).sum().reindex(lo.index, fill_value=0.0)


def _event_costs(events: pd.DataFrame, p: Params) -> pd.DataFrame:
    """Legal-system cost of each event row, at the ledger's unit costs.

    Police time per arrest, diversion or referral; booking; prosecution, defence and court per
    charge filed by class (every ``charge`` event, one that joined an open case included, as
    :func:`lead_sim.justice.charging.file_charges` charges the ledger). Jail and prison bed-days
    are costed separately from custody spells.
    LEAD case management, treatment and housing are programme costs, not legal-system costs.
    """
    kind = events["kind"].astype(str).to_numpy()
    detail = events["detail"].to_numpy().astype(int)
    hour = p["police_hourly_cost"]
    diverted = (detail & ARREST_DIVERTED) > 0
    cost = np.zeros(len(events))
    arrest = kind == "arrest"
    cost[arrest & ~diverted] = p["police_hours_per_arrest"] * hour
    cost[arrest & diverted] = p["police_hours_per_diversion"] * hour
    cost[kind == "social_referral"] = p["police_hours_per_referral"] * hour
    cost[kind == "booking"] = p["booking_cost"]
    felony_case = sum(p[felony] for _, felony, _ in CASE_COSTS)  # the ledger's own table
    misdemeanor_case = sum(p[misdemeanor] for _, _, misdemeanor in CASE_COSTS)
    charge = kind == "charge"
    cost[charge] = np.where(detail[charge] == Charge.FELONY, felony_case, misdemeanor_case)
    return events.assign(cost=cost)[cost > 0]


def cohort_outcomes(events: pd.DataFrame, cohorts: pd.DataFrame, design: Design,
                    params: Params) -> pd.DataFrame:
    """Per-person outcomes of the evaluation: re-arrest, charges, custody and cost, pre vs post."""
    people = cohorts.set_index("person")
    ev = events[events["person"].isin(people.index)]
    entry = people["entry"]
    arrival = arrival_days(events, design.population).reindex(people.index).fillna(0)
    pre_lo = np.maximum(arrival, design.pre_start).astype(np.int64)
    end = pd.Series(design.follow_end + 1, index=people.index)
    arrests = ev[ev["kind"] == "arrest"]
    out = pd.DataFrame({"cohort": people["cohort"], "entry": entry}, index=people.index)
    out["arrests_pre"] = _count_within(arrests, pre_lo, entry)
    out["arrest_6m"] = _count_within(arrests, entry + 1,
                                     np.minimum(entry + 1 + SIX_MONTHS, end)) > 0
    out["arrest_any"] = _count_within(arrests, entry + 1, end) > 0
    felony = ev[(ev["kind"] == "charge") & (ev["detail"] == Charge.FELONY)]
    out["felony_charge"] = _count_within(felony, entry, end) > 0
    out["prison"] = _count_within(ev[ev["kind"] == "prison_admission"], entry, end) > 0
    out["years_pre"] = (entry - pre_lo).clip(lower=0) / 365.25
    out["years_post"] = (end - entry) / 365.25
    bookings = ev[ev["kind"] == "booking"]
    # someone serving jail time who is sentenced to prison leaves jail with no jail release
    jail = custody_spells(ev, "jail_admission", "jail_release", "prison_admission")
    prison = custody_spells(ev, "prison_admission", "prison_release")
    costed = _event_costs(ev, params)
    for tag, lo, hi in (("pre", pre_lo, entry), ("post", entry, end)):
        out[f"bookings_{tag}"] = _count_within(bookings, lo, hi)
        out[f"jail_days_{tag}"] = _days_within(jail, lo, hi)
        prison_days = _days_within(prison, lo, hi)
        out[f"cost_{tag}"] = (_count_within(costed, lo, hi, costed["cost"].to_numpy())
                              + out[f"jail_days_{tag}"] * params["jail_bed_day_cost"]
                              + prison_days * params["prison_bed_day_cost"])
    return out.reset_index()


def att_weights(outcomes: pd.DataFrame) -> pd.Series:
    """Weights that give the controls the LEAD cohort's pre-entry arrest history.

    LEAD entry needs an officer's choice on a green-light shift, so people with many police
    contacts reach it more often than people arrested once; the evaluation corrected for such
    differences with propensity-score weights (#2). Here the history is one variable, the
    number of arrests before entry (0, 1, 2, 3, 4-5, 6+), so the weights are exact strata
    weights for the effect on the treated (ATT): LEAD people weigh 1, a control in stratum s
    weighs (share of LEAD in s) / (share of controls in s). LEAD people in a stratum with no
    control are kept; the controls of the neighbouring lower stratum stand in for them.
    """
    strata = np.searchsorted([1, 2, 3, 4, 6], outcomes["arrests_pre"].to_numpy(), side="right")
    is_lead = (outcomes["cohort"] == "lead").to_numpy()
    lead_n = np.bincount(strata[is_lead], minlength=6).astype(float)
    ctrl_n = np.bincount(strata[~is_lead], minlength=6).astype(float)
    for s in range(5, 0, -1):  # move LEAD mass down until it meets controls
        if ctrl_n[s] == 0:
            lead_n[s - 1] += lead_n[s]
            lead_n[s] = 0.0
    if lead_n.sum() == 0 or ctrl_n.sum() == 0:
        return pd.Series(1.0, index=outcomes.index)
    ratio = np.divide(lead_n / lead_n.sum(), ctrl_n / ctrl_n.sum(),
                      out=np.zeros(6), where=ctrl_n > 0)
    return pd.Series(np.where(is_lead, 1.0, ratio[strata]), index=outcomes.index)


def odds_ratio(a_yes: float, a_no: float, b_yes: float, b_no: float) -> float:
    """Odds ratio of group a against group b: (a_yes / a_no) / (b_yes / b_no).

    When a cell is zero the ratio is 0 or infinite, so 0.5 is added to every cell (the
    Haldane-Anscombe correction) in that case only; with all cells positive the plain ratio is
    returned. An empty group gives NaN.
    """
    if a_yes + a_no == 0 or b_yes + b_no == 0:
        return float("nan")
    cells = [a_yes, a_no, b_yes, b_no]
    if min(cells) == 0:
        cells = [c + 0.5 for c in cells]
    a_yes, a_no, b_yes, b_no = cells
    return (a_yes / a_no) / (b_yes / b_no)


def _or(outcomes: pd.DataFrame, column: str, weight: str = "weight") -> float:
    """Odds ratio, LEAD vs controls, of ``column`` with each person counted ``weight`` times."""
    w = outcomes[weight] if weight in outcomes else pd.Series(1.0, index=outcomes.index)
    yes, lead = outcomes[column].astype(bool), outcomes["cohort"] == "lead"
    cell = {(c, y): float(w[(lead == c) & (yes == y)].sum()) for c in (True, False)
            for y in (True, False)}
    return odds_ratio(cell[True, True], cell[True, False], cell[False, True], cell[False, False])


def _rate_change(group: pd.DataFrame, name: str) -> float:
    """Post minus pre rate per person-year, as weighted ratios of sums over the group."""
    w = group.get("weight", 1.0)
    pre, post = (group["years_pre"] * w).sum(), (group["years_post"] * w).sum()
    if pre <= 0 or post <= 0:
        return float("nan")
    return (group[f"{name}_post"] * w).sum() / post - (group[f"{name}_pre"] * w).sum() / pre


def estimates(outcomes: pd.DataFrame) -> dict[str, float]:
    """The evaluation's figures from per-person outcomes (one replicate), ATT-weighted."""
    outcomes = outcomes.assign(weight=att_weights(outcomes))
    lead = outcomes[outcomes["cohort"] == "lead"]
    ctrl = outcomes[outcomes["cohort"] == "control"]
    return {
        "arrest_or_6m": _or(outcomes, "arrest_6m"),
        "arrest_or_6m_unweighted": _or(outcomes, "arrest_6m", weight="none"),
        "arrest_or_long": _or(outcomes, "arrest_any"),
        "felony_charge_or": _or(outcomes, "felony_charge"),
        "bookings_per_year_diff": _rate_change(lead, "bookings") - _rate_change(ctrl, "bookings"),
        "jail_days_per_year_diff": (_rate_change(lead, "jail_days")
                                    - _rate_change(ctrl, "jail_days")),
        "prison_or": _or(outcomes, "prison"),
        "legal_cost_change_lead": _rate_change(lead, "cost"),
        "legal_cost_change_control": _rate_change(ctrl, "cost"),
        "n_lead": float(len(lead)),
        "n_control": float(len(ctrl)),
    }


def evaluate(events: pd.DataFrame, scenario: Scenario, seed: int,
             sample: bool = True) -> dict[str, float]:
    """All of the evaluation's figures for one replicate's event log.

    With ``sample`` the controls are subsampled to the evaluation's ratio (what ``validate``
    reports); without it the whole pool is used (less noise, same expected odds ratios).
    """
    design = Design.for_scenario(scenario)
    cohorts = form_cohorts(events, design)
    pool = int((cohorts["cohort"] == "control").sum())
    if sample:
        cohorts = sample_controls(cohorts, seed)
    params = Params.with_overrides(scenario.params)
    result = estimates(cohort_outcomes(events, cohorts, design, params))
    result["n_control_pool"] = float(pool)
    return result


def is_ratio(metric: str) -> bool:
    """Odds ratios are summarised on the log scale."""
    return metric.endswith("_or") or "_or_" in metric


#: Metrics that count people: the published value is for the whole county, the model's for
#: its sample, so the verdict scales the model's range by reference_population / population.
COUNTS = ("n_lead", "n_control")
#: Evaluation outcomes the evidence file leaves out on purpose: the model predicts them.
HELD_OUT = ("felony_charge_or", "bookings_per_year_diff", "jail_days_per_year_diff", "prison_or",
            "legal_cost_change_lead", "legal_cost_change_control")


#: Fewer replays than this give no verdict: the 2.5th to 97.5th percentile of a handful of
#: values is just their extremes, wide enough to hold almost anything (three replays of an odds
#: ratio ranged 0.37 to 8.07).
MIN_REPLAYS_FOR_VERDICT = 10


def verdict(metric: str, low: float, high: float, published: float,
            factor: float = 1.0, replays: int = MIN_REPLAYS_FOR_VERDICT) -> str:
    """Whether the published value lies in the range of ``replays`` replays, in words."""
    if math.isnan(published):
        return ("held out: a prediction to check against the evaluation" if metric in HELD_OUT
                else "diagnostic (no published value)")
    if math.isnan(low) or math.isnan(high):
        return "n/a"
    if replays < MIN_REPLAYS_FOR_VERDICT:
        return (f"too few replays to judge: {replays} gave a value, {MIN_REPLAYS_FOR_VERDICT} "
                "are needed (more --reps, or a larger --population when cohorts are too small "
                "for an odds ratio)")
    scaled = metric in COUNTS and factor != 1.0
    if scaled:
        low, high = low * factor, high * factor
    where = "inside" if low <= published <= high else "outside"
    return (f"published value {where} the replay range"
            + (f" (scaled x{factor:.3g} to the county)" if scaled else ""))


def with_verdicts(table: pd.DataFrame, factor: float) -> pd.DataFrame:
    """The summary table with each count's sample-to-county factor and each metric's verdict,
    so validation.csv can be read alone (a sample's 50 LEAD participants stand for 200)."""
    out = table.copy()
    out["county_factor"] = [factor if m in COUNTS else 1.0 for m in out["metric"]]
    out["verdict"] = [verdict(r.metric, r.model_low, r.model_high, r.published, factor,
                              int(r.replays)) for r in out.itertuples()]
    return out


def summarise(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Mean and range of single replays (2.5th to 97.5th percentile) with the published value.

    The mean of an odds ratio is its geometric mean: ratios are skewed (a replicate with a small
    cohort can give 7 where most give 0.5), and a ratio and its inverse should average to 1.
    """
    frame = pd.DataFrame(rows)
    table = []
    for metric in METRICS:
        values = frame[metric].astype(float).dropna() if metric in frame else pd.Series([])
        if is_ratio(metric):
            values = values[values > 0]
        if not len(values):
            mean = math.nan
        elif is_ratio(metric):
            mean = float(np.exp(np.log(values).mean()))
        else:
            mean = float(values.mean())
        low, high = ((float(values.quantile(0.025)), float(values.quantile(0.975)))
                     if len(values) else (math.nan, math.nan))
        table.append({"metric": metric, "model_mean": mean, "model_low": low,
                      "model_high": high, "replays": len(values),
                      "published": PUBLISHED.get(metric, math.nan)})
    return pd.DataFrame(table)
