"""The web visualizer: a Solara page built from Mesa's SolaraViz parts (served by ``lead-sim viz``).

Layout: a sidebar with Mesa's run controller (Reset, Play/Pause, Step), the scenario, seed and
population, and the policy levers generated from the parameter registry; a main area with the
date and headline numbers, the neighbourhood map, the charts, a plain-words account of the
month and, side by side with the baseline, the difference so far.

Each browser session builds its own :class:`~lead_sim.viz.session.VizSession` (a model created
at import time would be shared by every visitor). Mesa's controller rebuilds the model from
keyword arguments on Reset; lever moves also apply to the running model from the next day.
Bad input (a seed that is not a number) shows a message in the page and changes nothing.
"""

from __future__ import annotations

import os
from typing import Any

import solara
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import force_update, update_counter

from lead_sim.errors import LeadSimError
from lead_sim.outcomes.explain import explain_month
from lead_sim.params import REGISTRY
from lead_sim.runs.runner import parse_seed
from lead_sim.scenarios import builtin_names, load_scenario
from lead_sim.viz.figures import charts_svg, map_svg
from lead_sim.viz.levers import (
    COVERAGE,
    DEFAULT_SCENARIO,
    LEVER_NAMES,
    LEVERS,
    VIZ_MAX_POPULATION,
    VIZ_POPULATION,
    Lever,
    build_scenario,
    covers_unfunded,
    format_value,
)
from lead_sim.viz.measures import MEASURES, DotSample
from lead_sim.viz.session import VizSession, bought_text

SCENARIO_ENV = "LEAD_SIM_VIZ_SCENARIO"  # set by `lead-sim viz --scenario`
#: The browser tab's title (also served in the page's first HTML, see commands/viz.py).
PAGE_TITLE = "lead_sim — LEAD diversion explorer"
PLAY_INTERVAL_MS = 150  # pause between frames while playing, so renders and clicks get a turn
DAYS_PER_FRAME = 7  # a week per Step and per redraw while playing: keeps Play above 5 days/s
POPULATION_STEP = 500


def initial_settings() -> dict[str, Any]:
    return dict(scenario_name=os.environ.get(SCENARIO_ENV, DEFAULT_SCENARIO), compare=False,
                seed=0, population=VIZ_POPULATION, coverage="as in scenario")


@solara.component
def Page():
    settings = solara.use_reactive(solara.use_memo(initial_settings, []))
    first = solara.use_memo(lambda: VizSession(**settings.value), [])
    model = solara.use_reactive(first)
    play_interval = solara.use_reactive(PLAY_INTERVAL_MS)
    days_per_frame = solara.use_reactive(DAYS_PER_FRAME)
    use_threads = solara.use_reactive(False)

    problem = solara.use_reactive("")

    def restart(**changes: Any) -> None:
        """Apply run settings (scenario, mode, seed, population, coverage): start again.

        Input the model refuses leaves the current run as it is and says why in the page.
        """
        new = {**settings.value, **changes}
        try:
            session = VizSession(**new)
        except LeadSimError as exc:
            problem.value = str(exc)
            return
        problem.value = ""
        model.value = session
        settings.value = new
        force_update()

    solara.Title(PAGE_TITLE)
    solara.Style(SLIDER_CSS)
    with solara.AppBar():
        solara.AppBarTitle("LEAD: police pre-booking diversion, Seattle and King County")
    with solara.Sidebar():
        with solara.Card("Run"):
            DateLine(model.value)
            ModelController(model, model_parameters=settings, play_interval=play_interval,
                            render_interval=days_per_frame, use_threads=use_threads)
            solara.SliderInt("Days per Step and per redraw in Play", value=days_per_frame,
                             min=1, max=60)
            solara.Text(f"{days_per_frame.value} days per Step", style={"font-size": "0.8em"})
        if problem.value:
            solara.Error(problem.value)
        RunSettings(settings.value, restart)
        Levers(model.value, settings)
    with solara.Column(style={"padding": "8px"}):
        Headline(model.value)
        with solara.Columns([1, 1]):
            MapView(model.value)
            Charts(model.value)
        with solara.Columns([1, 1]):
            Explain(model.value)
            DifferencePanel(model.value, restart)


@solara.component
def DateLine(session: VizSession):
    update_counter.get()
    p = session.policy
    solara.Markdown(f"**{p.last_date:%A %d %B %Y}** ({p.day:,} of {p.days:,} days "
                    "simulated)", style={"font-size": "1.1em"})
    if not session.running:
        solara.Info("The scenario has reached its end date. Press Reset to run it again.")


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

    with solara.Card("Scenario"):
        names = builtin_names()
        if settings["scenario_name"] not in names:  # a TOML file given to --scenario
            names = [settings["scenario_name"], *names]
        solara.Select("Scenario", values=names, value=settings["scenario_name"],
                      on_value=lambda name: restart(scenario_name=name))
        scenario = load_scenario(settings["scenario_name"])
        Help(scenario.description)
        solara.Checkbox(label="Side by side with system as usual (same seed)",
                        value=settings["compare"], on_value=lambda on: restart(compare=on))
        solara.Select("LEAD coverage", values=list(COVERAGE), value=settings["coverage"],
                      on_value=lambda c: restart(coverage=c))
        Help("Areas LEAD covers from its launch in the scenario (or from the start if the "
             "scenario has no LEAD). 'as in scenario' follows the scenario's dated expansion.")
        levers = {k: v for k, v in settings.items() if k in LEVER_NAMES}
        built = build_scenario(settings["scenario_name"], population=settings["population"],
                               levers=levers, coverage=settings["coverage"])
        if covers_unfunded(built):
            solara.Warning(f"'{scenario.name}' funds no LEAD programme: people referred will "
                           "wait for case managers who are never hired. Raise the LEAD budget "
                           "lever too.", dense=True)
        solara.InputText("Seed (whole number)", value=seed_text.value, on_value=on_seed,
                         continuous_update=False)
        if seed_error.value:
            solara.Error(seed_error.value, classes=["lead-seed-error"])
        pop = REGISTRY["population"]
        solara.SliderInt(f"Population ({pop.unit})", value=settings["population"],
                         min=max(int(pop.low), POPULATION_STEP), max=VIZ_MAX_POPULATION,
                         step=POPULATION_STEP, on_value=on_population)
        solara.Text(f"{settings['population']:,} people", style={"font-size": "0.8em"})
        Help(f"{pop.description} Source: {pop.source}. The visualizer runs at most "
             f"{VIZ_MAX_POPULATION:,} people; changing it starts again.")


@solara.component
def Levers(session: VizSession, settings: solara.Reactive[dict]):
    update_counter.get()
    with solara.Card("Policy levers"):
        Help("Moving a lever pins it from the next simulated day (and from LEAD's launch after "
             "Reset); levers left alone follow the scenario's dated changes.")
        for lever in LEVERS:
            LeverInput(lever, session, settings)
        solara.Text(bought_text(session.policy), classes=["lead-bought"])


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
        solara.SliderFloat(label, value=on_grid, min=param.low, max=param.high,
                           step=lever.step, on_value=on_value)
    if not pinned:
        state = "from the scenario"
    elif settings.value[lever.name] == value:
        state = "pinned by you"
    else:  # takes over on the next simulated day (after a Reset: when LEAD launches)
        mine = format_value(param, settings.value[lever.name])
        state = f"from the scenario until yours, {mine}, takes effect"
    solara.Text(f"now {format_value(param, value)} ({state})",
                classes=[f"lead-lever-{lever.name}"], style={"font-size": "0.8em"})
    Help(lever.help())


# Vuetify puts a slider's label inline, so the long lever labels left the sidebar's sliders a
# few pixels of track (or none) to drag: put each label on a line of its own above its track.
SLIDER_CSS = """
.v-input__slider .v-input__slot { flex-wrap: wrap; }
.v-input__slider .v-input__slot > .v-label {
    flex: 1 0 100%; max-width: 100%; height: auto; white-space: normal; line-height: 1.3;
    margin: 0 0 2px 0;
}
.v-input__slider .v-input__slot > .v-slider { flex: 1 0 100%; margin: 0; }
"""


@solara.component
def Help(text: str):
    solara.Text(text, style={"font-size": "0.72em", "color": "#666", "display": "block",
                             "margin-bottom": "8px"})


@solara.component
def Headline(session: VizSession):
    update_counter.get()
    p = session.policy
    frame = p.record.frame(p.day)
    last = frame.iloc[-1] if len(frame) else None

    def number(column: str) -> int:
        return 0 if last is None else int(last[column])

    cost = float(frame["cost_total"].sum()) if len(frame) else 0.0
    with solara.Row(style={"flex-wrap": "wrap", "gap": "24px", "font-size": "1.05em"}):
        solara.Text(f"{p.last_date:%d %B %Y}", classes=["lead-headline-date"],
                    style={"font-weight": "bold"})
        solara.Text(f"{p.lead_scenario.name}, seed {session.settings['seed']}, "
                    f"{p.p['population']:,} people", classes=["lead-run"])
        solara.Text(f"Jail population: {number('jail_population'):,}", classes=["lead-jail"])
        solara.Text(f"LEAD caseload: {number('lead_active') + number('lead_inactive'):,} of "
                    f"{number('lead_capacity'):,} places", classes=["lead-caseload"])
        solara.Text(f"Waitlist: {number('lead_waitlist'):,}", classes=["lead-waitlist"])
        solara.Text(f"Cost so far: ${cost / 1e6:,.2f} million", classes=["lead-cost"])


@solara.component
def MapView(session: VizSession):
    counter = update_counter.get()
    measure = solara.use_reactive(next(iter(MEASURES)))
    population = session.policy.p["population"]
    dots = solara.use_memo(lambda: DotSample(population), [population])
    svg = solara.use_memo(lambda: map_svg(session.policy, measure.value, dots),
                          [counter, measure.value, session, dots])
    with solara.Card("Neighbourhoods"):
        solara.Select("Colour areas by", values=list(MEASURES), value=measure)
        solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["lead-map"])


@solara.component
def Charts(session: VizSession):
    counter = update_counter.get()
    charts = solara.use_memo(lambda: charts_svg(session), [counter, session])
    with solara.Card("Over time"):
        Help("Dotted lines mark the scenario's dated changes and your pinned levers (hover "
             "over one to see what changed). Nobody is in jail on the first day: the first "
             "months show the model filling up, not a trend.")
        with solara.ColumnsResponsive(12):  # one chart a row: legible text
            for svg in charts:
                solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["lead-chart"])


@solara.component
def Explain(session: VizSession):
    update_counter.get()
    with solara.Card("This month, in plain words"):
        for line in explain_month(session.policy):
            solara.Text(line, classes=["lead-explain"], style={"display": "block"})


@solara.component
def DifferencePanel(session: VizSession, restart):
    update_counter.get()
    diff = session.difference()
    with solara.Card("Policy against system as usual"):
        if diff is None:
            solara.Text("Run the chosen scenario and the baseline (system as usual) with the "
                        "same seed, day by day, to see what the policy changes.")
            solara.Button("Side by side", on_click=lambda: restart(compare=True),
                          color="primary", outlined=True)
            return
        saved = "saved" if diff.extra_cost < 0 else "extra"
        rows = [
            ("Bookings averted", f"{diff.bookings_averted:,}"),
            ("Jail bed-days saved", f"{diff.bed_days_saved:,}"),
            ("Arrests averted", f"{diff.arrests_averted:,}"),
            (f"Net cost so far ({saved})", f"${abs(diff.extra_cost) / 1e6:,.2f} million"),
        ]
        for name, value in rows:
            solara.Text(f"{name}: {value}", classes=["lead-diff"], style={"display": "block"})
        Help("Policy minus baseline from the start of the run; both runs use the same seed, "
             "so they differ only where the policy acts.")
