"""Policy levers of the web visualizer and how they turn a scenario into the one that runs.

Every lever is a registry parameter (:data:`lead_sim.params.REGISTRY`): the page reads its
bounds, unit, description and source from there, so no default or bound is typed twice. The
visualizer adds only presentation choices: which parameters are levers, slider steps, and the
viz-sized population (small, so Play stays responsive).

A lever the user sets is *pinned*: it takes effect when LEAD launches in the scenario (its first
dated coverage, or the start of the run if it has none) and the scenario's own later changes to
that parameter are dropped, so the lever holds for the rest of the run. Levers left alone follow
the scenario's timeline. Coverage is a lever too, chosen from named sets of areas.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from lead_sim.errors import LeadSimError
from lead_sim.neighbourhoods import area_groups
from lead_sim.params import REGISTRY, Param
from lead_sim.runs.runner import prepare
from lead_sim.scenarios import Scenario, TimelineEntry
from lead_sim.service_table import SERVICES

BASELINE = "system_as_usual"
DEFAULT_SCENARIO = "seattle_citywide"
VIZ_POPULATION = 5_000  # people: small enough for several simulated days per second in Play
VIZ_MAX_POPULATION = 50_000  # the population slider's top: beyond it a frame takes seconds
@dataclass(frozen=True)
class Lever:
    """A registry parameter shown as a slider (or a choice), with its slider step."""

    name: str
    label: str
    step: float | None = None  # None: a choice
    slider_max: float | None = None  # the slider's top when below the registry's bound

    @property
    def param(self) -> Param:
        return REGISTRY[self.name]

    def help_text(self) -> str:
        """What the lever means and its default (the page adds the linked source)."""
        p = self.param
        return f"{p.description} Default {format_value(p, p.default)}."

    def help(self) -> str:
        """One paragraph: what the lever means and where its default comes from."""
        return f"{self.help_text()} Source: {self.param.source}."


LEVERS: tuple[Lever, ...] = (
    Lever("diversion_propensity", "Officer diversion propensity", 0.01),
    Lever("social_referral_propensity", "Social-contact referral propensity", 0.01),
    Lever("budget_usd_per_year",  # LEAD budget (case managers, treatment, housing)
          f"LEAD budget (case managers, {', '.join(s.name.replace('_', ' ') for s in SERVICES)})",
          100_000, slider_max=20_000_000),  # the scenarios' budgets reach $10.55M
    Lever("case_management_share", "Budget share for case managers", 0.05),
    Lever("caseload_cap", "Caseload cap per case manager", 1),
    Lever("staffing", "Staffing"),
)
LEVER_NAMES = tuple(lever.name for lever in LEVERS)


def _coverage_choices() -> dict[str, tuple[str, ...] | None]:
    groups = area_groups()
    return {
        "as in scenario": None,
        "none": (),
        "pilot areas (Belltown, Skyway)": ("belltown", "skyway"),
        "downtown (West Precinct)": groups["west"],
        "Seattle": groups["seattle"],
        "all of King County": groups["all"],
    }


COVERAGE = _coverage_choices()


def format_value(param: Param, value: Any) -> str:
    """A value with its unit, as the page shows it."""
    if param.kind == "choice":
        return str(value)
    if param.unit == "USD/year":
        return f"${value:,.0f} a year"
    number = f"{value:,}" if param.kind == "int" else f"{value:g}"
    return f"{number} {param.unit}".strip()


def check_population(value: Any) -> int:
    """The population for a viz run: a registry-valid whole number up to the viz cap."""
    people = REGISTRY["population"].validate(value, "the population slider")
    if people > VIZ_MAX_POPULATION:
        raise LeadSimError(
            f"The visualizer runs at most {VIZ_MAX_POPULATION:,} people (got {people:,}); "
            "use 'lead-sim run' for larger populations.")
    return people


def check_levers(levers: dict[str, Any]) -> dict[str, Any]:
    """Validated lever values; unknown names and out-of-range values fail with a message."""
    checked = {}
    for name, value in levers.items():
        if name not in LEVER_NAMES:
            raise LeadSimError(f"'{name}' is not a lever of the visualizer; levers: "
                               f"{', '.join(LEVER_NAMES)}.")
        checked[name] = REGISTRY[name].validate(value, "the visualizer")
    return checked


def describe_levers(levers: dict[str, Any], coverage: str = "as in scenario") -> str:
    """'levers set in the page: coverage Seattle; Caseload cap ... = 25 participants'."""
    parts = [] if COVERAGE.get(coverage) is None else [f"coverage {coverage}"]
    labels = {lever.name: lever.label for lever in LEVERS}
    parts += [f"{labels[k]} = {format_value(REGISTRY[k], v)}" for k, v in levers.items()]
    return "levers set in the page: " + "; ".join(parts)


def launch_date(scenario: Scenario):
    """When LEAD first covers an area in the scenario (its start date if it never does)."""
    dates = [entry.date for entry in scenario.timeline if entry.cover]
    return min(dates) if dates else scenario.start_date


def build_scenario(name: str, *, population: int = VIZ_POPULATION,
                   levers: dict[str, Any] | None = None,
                   coverage: str = "as in scenario") -> Scenario:
    """The scenario ``name`` with the viz population, pinned levers and chosen coverage."""
    levers = check_levers(levers or {})
    if coverage not in COVERAGE:
        raise LeadSimError(f"Unknown coverage '{coverage}'; choose one of {', '.join(COVERAGE)}.")
    base = prepare(name, population=check_population(population))
    areas = COVERAGE[coverage]
    if not levers and areas is None:
        return base
    launch = launch_date(base)
    timeline = []
    for entry in base.timeline:
        kept = {k: v for k, v in entry.set.items() if k not in levers}
        cover = entry.cover if areas is None else ()
        held = [k for k in entry.set if k in levers]
        note = entry.note + (f" [{', '.join(held)} held by a lever]" if held else "")
        if kept or cover:
            timeline.append(replace(entry, set=kept, cover=cover, note=note))
    timeline.append(TimelineEntry(date=launch, cover=areas or (), set=dict(levers),
                                  note=describe_levers(levers, coverage)))
    timeline.sort(key=lambda e: e.date)  # stable: the levers come after the day's own changes
    return replace(base, timeline=tuple(timeline))


def covers_unfunded(scenario: Scenario) -> bool:
    """Whether LEAD covers areas but never gets a budget (nor hires to demand) in this
    scenario as built with the session's levers: those referred wait for case managers who
    are never hired."""
    covers = any(e.cover for e in scenario.timeline)
    budgets = [scenario.params.get("budget_usd_per_year", 0),
               *(e.set.get("budget_usd_per_year", 0) for e in scenario.timeline)]
    staffing = [scenario.params.get("staffing"),
                *(e.set.get("staffing") for e in scenario.timeline)]
    return covers and not (max(budgets) > 0 or "demand" in staffing)
