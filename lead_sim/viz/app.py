"""The web visualizer: a Solara page (served by ``lead-sim viz``) around Mesa's update counter.

Layout: a title; a run bar that stays at the top of the window (date, Reset, Play/Pause, Step,
days per Step, and the compile-progress message on first use); then a settings column (the
scenario, how the run is set up, the policy levers) beside the main column (about this model,
the comparison's headline and its charts, the map, the other charts, the month in plain words,
the download). Below 900 px the two columns stack, main first. ``/evidence`` serves the
evidence file the parameters cite.

On first use the compiled core takes minutes to build: the page says so (and shows the About
panel) until :data:`~lead_sim.viz.warmup.WARMUP` is done, then builds the session.

Each browser session builds its own :class:`~lead_sim.viz.session.VizSession` (a model created
at import time would be shared by every visitor). Bad input (a seed that is not a number)
shows a message in the page and changes nothing.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qs

import solara
from mesa.visualization.utils import force_update
from solara.server import settings as solara_settings

from lead_sim.errors import LeadSimError
from lead_sim.scenarios import builtin_names
from lead_sim.viz.controls import DEFAULT_STEP, RunControls
from lead_sim.viz.evidence import evidence_html
from lead_sim.viz.levers import DEFAULT_SCENARIO, VIZ_POPULATION
from lead_sim.viz.panels import (
    About,
    Charts,
    Download,
    Explain,
    GroupChart,
    Headline,
    MapView,
    h2,
)
from lead_sim.viz.session import DEFAULT_RUNS, VizSession
from lead_sim.viz.settings import Levers, RunSettings
from lead_sim.viz.style import PAGE_CSS
from lead_sim.viz.warmup import WARMUP

SCENARIO_ENV = "LEAD_SIM_VIZ_SCENARIO"  # set by `lead-sim viz --scenario`
#: The browser tab's title (also served in the page's first HTML, see commands/viz.py).
PAGE_TITLE = "lead_sim — LEAD diversion explorer"
TITLE = "LEAD: police pre-booking diversion in Seattle and King County, simulated"

# Solara's "This website runs on Solara" badge sits over the bottom right of the window, on the
# charts' axes; the server reads this setting when it serves the page, after importing the app.
solara_settings.theme.show_banner = False


def initial_settings(search: str | None = None) -> dict[str, Any]:
    """The first run's settings: ``lead-sim viz --scenario``, or a scenario identifier in the
    address (``/?scenario=pilot_2011``; an unknown one is ignored)."""
    asked = parse_qs(search or "").get("scenario", [""])[0]
    scenario = asked if asked in builtin_names() else os.environ.get(SCENARIO_ENV,
                                                                     DEFAULT_SCENARIO)
    return dict(scenario_name=scenario, compare=True, seed=0, population=VIZ_POPULATION,
                coverage="as in scenario", runs=DEFAULT_RUNS)


@solara.component
def Page():
    """The explorer once the compiled core is ready; until then (first use: minutes) what is
    happening, how long it takes, and the About panel to read meanwhile."""
    ready = solara.use_reactive(WARMUP.ready.is_set())
    ticks = solara.use_reactive(0)

    def wait_until_ready():
        WARMUP.start()
        while not WARMUP.ready.wait(1.0):
            ticks.value += 1  # redraws the seconds so far
        ready.value = True

    solara.use_thread(wait_until_ready, dependencies=[])
    ticks.get()  # read in the render, so each tick redraws the seconds so far
    if ready.value and not WARMUP.error:
        Explorer()
        return
    solara.Title(PAGE_TITLE)
    solara.Style(PAGE_CSS)
    with solara.Div(classes=["lead-page"]):
        solara.HTML(tag="h1", unsafe_innerHTML=TITLE, classes=["lead-h1"])
        with solara.Div(classes=["lead-runbar"], attributes={"role": "status"}):
            solara.Info(WARMUP.message() or "Starting...", classes=["lead-warmup"])
        About()


@solara.component
def Explorer():
    search = solara.use_router().search
    settings = solara.use_reactive(solara.use_memo(lambda: initial_settings(search), []))
    first = solara.use_memo(lambda: VizSession(**settings.value), [])
    model = solara.use_reactive(first)
    step_choice = solara.use_reactive(DEFAULT_STEP)
    problem = solara.use_reactive("")

    def restart(**changes: Any) -> None:
        """Apply run settings (scenario, comparison, seeds, population, coverage): start again.

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
    solara.Style(PAGE_CSS)
    session = model.value
    with solara.Div(classes=["lead-page"]):
        solara.HTML(tag="h1", unsafe_innerHTML=TITLE, classes=["lead-h1"])
        RunControls(session, lambda: restart(), step_choice)
        with solara.Div(classes=["lead-layout"]):
            with solara.Div(classes=["lead-side"]):
                if problem.value:
                    solara.Error(problem.value)
                RunSettings(settings.value, restart)
                Levers(session, settings)
            with solara.Div(classes=["lead-main"]):
                with solara.Div(classes=["lead-grid", "lead-top"]):
                    Headline(session)
                    About()
                if session.baselines:
                    with solara.Div(classes=["lead-card"]):
                        h2("What the policy changes, over time")
                        Charts(session, "difference")
                with solara.Div(classes=["lead-grid"]):
                    MapView(session)
                    Explain(session)
                with solara.Div(classes=["lead-card"]):
                    h2("Over time")
                    solara.HTML(tag="p", unsafe_innerHTML=(
                        "Dotted vertical lines mark the scenario's dated changes and your "
                        "pinned levers (hover over one). Nobody is in jail on the first day: "
                        "the first months show the model filling up, not a trend."),
                        classes=["lead-help"])
                    Charts(session, "levels")
                GroupChart(session)
                Download(session)


@solara.component
def EvidencePage():
    solara.Title("lead_sim — evidence")
    solara.Style(PAGE_CSS)
    with solara.Div(classes=["lead-page", "lead-evidence"]):
        solara.HTML(tag="p", unsafe_innerHTML='<a href="/">Back to the visualizer</a>')
        solara.HTML(tag="div", unsafe_innerHTML=evidence_html())


@solara.component
def Layout(children: list = []):  # noqa: B006 - Solara passes the routed page as children
    """No app bar and no drawer: the page lays itself out (a drawer trapped phone users)."""
    solara.Div(children=children, classes=["lead-root"])


routes = [
    solara.Route(path="/", component=Page, label="Visualizer", layout=Layout),
    solara.Route(path="evidence", component=EvidencePage, label="Evidence", layout=Layout),
]
