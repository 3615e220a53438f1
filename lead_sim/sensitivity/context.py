"""What a sweep's numbers stand for: simulated dates, units, signs, scales and seeds.

The sweep report (:mod:`lead_sim.sensitivity.report`, laid out by ``templates/sweep.html.j2``)
opens with these facts, before any index, so that a reader knows which dates were simulated,
that counts and dollars are for the simulated sample of the county, which way a ``diff_``
outcome points, what a scaled factor holds, and why one seed's luck can still show in the
indices.
"""

from __future__ import annotations

from typing import Any

from lead_sim.outcomes.tables import plain, units_note
from lead_sim.params import Params
from lead_sim.reports.words import years_text
from lead_sim.scenarios import Scenario, TimelineEntry, load_scenario
from lead_sim.sensitivity.spec import SweepSpec
from lead_sim.service_table import SERVICES

SCALE_SUFFIX = "_scale"  # a scaled factor's label: it holds a multiplier, not the units


def not_simulated(scenario: Scenario) -> list[TimelineEntry]:
    """The dated changes a run of the scenario file makes that this shorter run leaves out.

    Changes dated after the file's own end date are outside every run of it by design (the
    built-in files list the 2023 law change for reference, past their 2021 end), so only a
    horizon shortened with ``years`` is warned about.
    """
    own_end = load_scenario(scenario.source or scenario.name).end_date
    return [e for e in scenario.timeline if scenario.end_date < e.date <= own_end]


def years_to_include(scenario: Scenario, entry: TimelineEntry) -> int:
    """The fewest whole ``years`` (calendar years from the start) whose run includes ``entry``."""
    start = scenario.start_date
    years = entry.date.year - start.year
    return years + ((entry.date.month, entry.date.day) >= (start.month, start.day))


def _change_text(entry: TimelineEntry) -> str:
    """A dated change in words: its note, or else what it covers and sets."""
    if entry.note:
        return entry.note
    what = [*(["LEAD covers " + ", ".join(entry.cover)] if entry.cover else []),
            *(f"{name} = {plain(value)}" for name, value in entry.set.items())]
    return "; ".join(what) or "a dated change"


def dates(spec: SweepSpec) -> dict[str, Any]:
    """The simulated dates, the baseline's where they differ, and for the scenario and the
    baseline the dated changes a short run leaves out (with the years that would include
    them)."""
    scn = spec.scenario
    base = spec.baseline if spec.paired else None  # an unpaired sweep never runs it
    missed = []
    for s in (scn, base):
        changes = not_simulated(s) if s else []
        if changes:
            missed.append({"name": s.name, "end": s.end_date, "count": len(changes),
                           "of": len(s.timeline), "years": years_to_include(s, changes[-1]),
                           "changes": [(e.date, _change_text(e)) for e in changes]})
    own_dates = base and (base.start_date, base.end_date) != (scn.start_date, scn.end_date)
    return {"start": scn.start_date, "end": scn.end_date, "length": years_text(scn.days),
            "from_years": f"{spec.years:g}" if spec.years else "",
            "baseline": base if own_dates else None, "missed": missed}


def units_text(spec: SweepSpec) -> str:
    """What counts and dollars stand for: the simulated sample, not the county (tables'
    units_note, as `run` and `compare` say it), and what is in those units here."""
    params = Params.with_overrides(spec.scenario.params)
    text = units_note(params["population"], params["reference_population"])
    where = [*(["Morris mu*, sigma and mu"] if spec.method == "morris" else []),
             *(["The discovery thresholds"] if spec.discovery else [])]  # lhs only
    also = (f" {' and '.join(where)} are in these units too (per sample)." if where else "")
    return text + also


def rounded_places_note(spec: SweepSpec) -> str:
    """Why service parameters can show no effect in a small sample ("" at county scale).

    Budgets are scaled to the simulated sample, but the places of the service pools (treatment,
    housing) are whole numbers, rounded to the nearest: a few hundred people can get none, and
    then no parameter of that service has anything to act on.
    """
    if not spec.scenario:
        return ""
    params = Params.with_overrides(spec.scenario.params)
    people, county = params["population"], params["reference_population"]
    if people >= county:
        return ""
    pools = " and ".join(s.name.replace("_", " ") for s in SERVICES)
    names = ", ".join(name for s in SERVICES for name in s.parameters())
    return (f"With {people:,} people (a sample of the county's {county:,}), the programme's "
            f"budget may round its {pools} places to none, so service parameters ({names}) "
            "cannot act; rerun with a larger --population to see whether they matter.")


def signs(spec: SweepSpec) -> dict[str, str] | None:
    """Which scenario a diff_ outcome subtracts from which (None if the sweep has none)."""
    if not spec.paired:
        return None
    return {"scenario": spec.scenario.name, "baseline": spec.baseline.name}


def scaled_factors(spec: SweepSpec) -> list[dict[str, str]]:
    """What each NAME_scale factor holds: a multiplier over a range, not the parameter's own
    units."""
    return [{"label": f.name + SCALE_SUFFIX, "name": f.name, "low": plain(f.low),
             "high": plain(f.high)} for f in spec.factors if f.how == "scale"]


def seeds(spec: SweepSpec) -> str:
    """The seeds every sample row is run with (common random numbers), in words."""
    return (f"seed {spec.seed}" if spec.reps == 1
            else f"seeds {spec.seed} to {spec.seed + spec.reps - 1}")
