"""What a sweep's numbers stand for: simulated dates, units, signs, scales and seeds.

The sweep report (:mod:`lead_sim.sensitivity.report`) opens with these paragraphs, before any
index, so that a reader knows which dates were simulated, that counts and dollars are for the
simulated sample of the county, which way a ``diff:`` outcome points, what a scaled factor
holds, and why one seed's luck can still show in the indices.
"""

from __future__ import annotations

import html

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


def dates_html(spec: SweepSpec) -> str:
    """The simulated dates, and a warning naming the dated changes a short run leaves out."""
    esc = html.escape
    scn = spec.scenario
    years = f", from years = {spec.years:g}" if spec.years else ""
    parts = [f"<p><b>Simulated dates:</b> {scn.start_date} to {scn.end_date} "
             f"({years_text(scn.days)}{years}).</p>"]
    base = spec.baseline if spec.paired else None  # an unpaired sweep never runs it
    if base and (base.start_date, base.end_date) != (scn.start_date, scn.end_date):
        parts.append(f"<p>Baseline {esc(base.name)}: {base.start_date} to {base.end_date}.</p>")
    for s in (scn, base):
        missed = not_simulated(s) if s else []
        if not missed:
            continue
        items = "".join(f"<li>{e.date}: {esc(_change_text(e))}</li>" for e in missed)
        needed = years_to_include(s, missed[-1])
        parts.append(
            f"<p class='warn'><b>Warning: the run ends on {s.end_date}, before "
            f"{esc(s.name)} does.</b> {len(missed)} of its {len(s.timeline)} timeline changes "
            f"are not simulated, so every number below describes the policy without "
            f"them:</p><ul>{items}</ul><p>Use <code>years = {needed}</code> in the spec (or "
            f"<code>--years {needed}</code>), or no years at all, to include them.</p>")
    return "".join(parts)


def units_html(spec: SweepSpec) -> str:
    """What counts and dollars stand for: the simulated sample, not the county (tables'
    units_note, as `run` and `compare` say it), and what is in those units here."""
    params = Params.with_overrides(spec.scenario.params)
    text = units_note(params["population"], params["reference_population"])
    where = [*(["Morris mu*, sigma and mu"] if spec.method == "morris" else []),
             *(["The discovery thresholds"] if spec.discovery else [])]  # lhs only
    also = (f" {' and '.join(where)} are in these units too (per sample)." if where else "")
    return f"<p>{html.escape(text)}{also}</p>"


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


def signs_html(spec: SweepSpec) -> str:
    """The sign convention of diff: outcomes ("" if the sweep has none)."""
    if not spec.paired:
        return ""
    esc = html.escape
    scn, base = esc(spec.scenario.name), esc(spec.baseline.name)
    direction = ("<b>mu</b> gives the direction of a parameter's effect on the difference."
                 if spec.method == "morris" else
                 "Shares of variance have no sign: they say how much a parameter moves the "
                 "difference, not which way.")
    return (f"<p><b>diff:</b> outcomes are {scn} minus {base}, each row run with the same "
            f"seeds: a negative <code>diff:cost_total</code> means {scn} costs less than "
            f"{base}; a positive <code>diff:jail_bed_days</code> means it uses more jail "
            f"bed-days. {direction}</p>")


def scales_html(spec: SweepSpec) -> str:
    """What a NAME_scale factor holds: a multiplier, not the parameter's own units."""
    scaled = [f for f in spec.factors if f.how == "scale"]
    if not scaled:
        return ""
    items = "; ".join(
        f"<b>{f.name}{SCALE_SUFFIX}</b> multiplies every value the scenario (and baseline) "
        f"gives <code>{f.name}</code>, its start value and each dated change, by "
        f"{plain(f.low)} to {plain(f.high)}" for f in scaled)
    return (f"<p>Scaled parameters: {items}. 1 means the scenario's own values; these "
            "columns and labels hold the multiplier, not the parameter's units.</p>")


def seeds_html(spec: SweepSpec) -> str:
    """Common random numbers: every row shares its seeds, and what that means for the indices."""
    seeds = (f"seed {spec.seed}" if spec.reps == 1
             else f"seeds {spec.seed} to {spec.seed + spec.reps - 1}")
    risk = ("With one replicate, the particular draw of that one seed can still make a "
            "parameter with no real effect show a small index. "
            if spec.reps == 1 else "")
    return (f"<p><b>Seeds:</b> every sample row is run with the same {seeds} (common random "
            "numbers), so rows differ only in their parameters, not in luck of the draw. "
            f"{risk}To check that a small index is not seed noise, run the sweep again into "
            "a new folder with another <code>seed</code> in the spec or more "
            "<code>--reps</code>: indices that change are noise.</p>")
