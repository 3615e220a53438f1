"""The settings column: the scenario and how the run is set up, and the policy levers.

Changing a run setting starts the run again (with the same settings, Reset does too); moving a
lever pins it in the running models from the next simulated day.
"""

from __future__ import annotations

from html import escape as _escape
from typing import Any

import solara
from mesa.visualization.utils import force_update, update_counter

from lead_sim.errors import LeadSimError
from lead_sim.params import REGISTRY
from lead_sim.runs.runner import parse_seed
from lead_sim.scenarios import builtin_names, load_scenario
from lead_sim.viz.levers import (
    COVERAGE,
    LEVER_NAMES,
    LEVERS,
    VIZ_MAX_POPULATION,
    Lever,
    build_scenario,
    covers_unfunded,
    format_value,
)
from lead_sim.viz.session import RUN_CHOICES, VizSession, bought_text
from lead_sim.viz.texts import friendly_scenario, link_sources, term

POPULATION_STEP = 500
LEVER_TERMS = {
    "diversion_propensity": ("diversion", "propensity"),
    "social_referral_propensity": ("social-contact referral", "propensity"),
    "budget_usd_per_year": ("case manager",),
    "case_management_share": ("case manager",),
    "caseload_cap": ("caseload cap",),
    "staffing": ("full-time equivalents",),
}


@solara.component
def Help(text: str = "", html: str = ""):
    """Small grey help under a control; ``html`` may carry links and glossary terms."""
    solara.HTML(tag="div", unsafe_innerHTML=html or _escape(text), classes=["lead-help"])


@solara.component
def RunSettings(settings: dict[str, Any], restart):
    seed_text = solara.use_reactive(str(settings["seed"]))
    seed_error = solara.use_reactive("")

    def on_seed(text: str) -> None:
        seed_text.value = text
        try:
            seed = parse_seed(text)
        except LeadSimError as exc:
            seed_error.value = f"{exc} The run keeps seed {settings['seed']}."
            return
        seed_error.value = ""
        restart(seed=seed)

    def on_population(value: int) -> None:
        if not REGISTRY["population"].low <= value <= VIZ_MAX_POPULATION:
            return  # the slider cannot go there; refuse anything else quietly
        restart(population=int(value))

    names = builtin_names()
    if settings["scenario_name"] not in names:  # a TOML file given to --scenario
        names = [settings["scenario_name"], *names]
    by_label = {friendly_scenario(n): n for n in names}
    solara.HTML(tag="h2", unsafe_innerHTML="Scenario", classes=["lead-h2"])
    solara.Select("Scenario", values=list(by_label),
                  value=friendly_scenario(settings["scenario_name"]),
                  on_value=lambda label: restart(scenario_name=by_label[label]))
    scenario = load_scenario(settings["scenario_name"])
    Help(f"{scenario.description} (in the command line: {settings['scenario_name']})")
    solara.Checkbox(label="Compare with system as usual (same seeds)",
                    value=settings["compare"], on_value=lambda on: restart(compare=on))
    solara.Select("Seeds run together", values=[str(n) for n in RUN_CHOICES],
                  value=str(settings["runs"]), on_value=lambda n: restart(runs=int(n)))
    Help(html=f"Each {term('seed')} is another equally likely history; the charts show their "
              f"mean and range. Seeds {settings['seed']} to "
              f"{settings['seed'] + settings['runs'] - 1}.")
    solara.Select("LEAD coverage", values=list(COVERAGE), value=settings["coverage"],
                  on_value=lambda c: restart(coverage=c))
    Help("Areas LEAD covers from its launch in the scenario (or from the start if the "
         "scenario has no LEAD). 'as in scenario' follows the scenario's dated expansion.")
    levers = {k: v for k, v in settings.items() if k in LEVER_NAMES}
    built = build_scenario(settings["scenario_name"], population=settings["population"],
                           levers=levers, coverage=settings["coverage"])
    if covers_unfunded(built):
        solara.Warning(f"'{friendly_scenario(scenario.name)}' funds no LEAD programme: people "
                       "referred will wait for case managers who are never hired. Raise the "
                       "LEAD budget lever too.", dense=True)
    solara.InputText("Seed (whole number)", value=seed_text.value, on_value=on_seed,
                     continuous_update=False)
    if seed_error.value:
        solara.Error(seed_error.value, classes=["lead-seed-error"])
    pop = REGISTRY["population"]
    solara.SliderInt(f"Population ({pop.unit}): {settings['population']:,}",
                     value=settings["population"], min=max(int(pop.low), POPULATION_STEP),
                     max=VIZ_MAX_POPULATION, step=POPULATION_STEP, on_value=on_population)
    Help(html=f"{_escape(pop.description)} Source: {link_sources(pop.source)}. At most "
              f"{VIZ_MAX_POPULATION:,} here; changing it starts again.")


@solara.component
def Levers(session: VizSession, settings: solara.Reactive[dict]):
    update_counter.get()
    solara.HTML(tag="h2", unsafe_innerHTML="Policy levers", classes=["lead-h2"])
    Help("Moving a lever pins it from the next simulated day (and from LEAD's launch after "
         "Reset); levers left alone follow the scenario's dated changes.")
    for lever in LEVERS:
        LeverInput(lever, session, settings)
    solara.Text(bought_text(session.policy), classes=["lead-bought", "lead-help"])


@solara.component
def LeverInput(lever: Lever, session: VizSession, settings: solara.Reactive[dict]):
    update_counter.get()  # the value shown follows the scenario's dated changes
    param = lever.param
    value = session.lever_value(lever.name)
    pinned = lever.name in settings.value

    def on_value(new: Any) -> None:
        try:
            session.set_lever(lever.name, new)
        except LeadSimError:
            return  # out of range: refused, the slider keeps the model's value
        settings.value = {**settings.value, lever.name: session.settings[lever.name]}
        force_update()

    label = f"{lever.label} ({param.unit})" if param.unit else lever.label
    if param.kind == "choice":
        solara.Select(label, values=list(param.choices), value=value, on_value=on_value)
    elif param.kind == "int":
        solara.SliderInt(label, value=int(value), min=int(param.low), max=int(param.high),
                         step=int(lever.step), on_value=on_value)
    else:  # on the slider's grid: an off-grid value (a calibrated one) would be snapped by the
        # slider, which reports the snap as a move and would pin the lever by itself
        on_grid = round(round(float(value) / lever.step) * lever.step, 12)
        top = lever.slider_max if lever.slider_max is not None else param.high
        solara.SliderFloat(label, value=min(on_grid, top), min=param.low, max=top,
                           step=lever.step, on_value=on_value)
    if not pinned:
        state = "from the scenario"
    elif settings.value[lever.name] == value:
        state = "pinned by you"
    else:  # takes over on the next simulated day (after a Reset: when LEAD launches)
        mine = format_value(param, settings.value[lever.name])
        state = f"from the scenario until yours, {mine}, takes effect"
    solara.Text(f"now {format_value(param, value)} ({state})",
                classes=[f"lead-lever-{lever.name}", "lead-lever-now"])
    terms = " ".join(term(t) for t in LEVER_TERMS.get(lever.name, ()))
    Help(html=f"{terms} {_escape(lever.help_text())} Source: {link_sources(param.source)}.")
