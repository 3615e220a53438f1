"""The main column's panels: what the model is, the comparison's headline, the map, the charts,
the month in plain words and the download."""

from __future__ import annotations

from html import escape

import numpy as np
import solara
from mesa.visualization.utils import update_counter

from lead_sim.groups import GROUPS, LABELS
from lead_sim.neighbourhoods import AREAS
from lead_sim.outcomes.explain import explain_month
from lead_sim.viz.export import session_csv
from lead_sim.viz.figures import charts_svg
from lead_sim.viz.groupchart import CAVEAT, GROUP_OUTCOMES, group_chart
from lead_sim.viz.mapview import map_svg
from lead_sim.viz.measures import BREAKDOWNS, DEFAULT_GROUP, GROUP_MEASURES, MEASURES
from lead_sim.viz.session import VizSession, daily
from lead_sim.viz.texts import ABOUT, GLOSSARY, QUESTIONS, friendly_scenario, term


def h2(title: str) -> None:
    solara.HTML(tag="h2", unsafe_innerHTML=escape(title), classes=["lead-h2"])


@solara.component
def About():
    open_ = solara.use_reactive(True)
    with solara.Div(classes=["lead-card", "lead-about"]):
        with solara.Div(classes=["lead-card-head"]):
            h2("About this model")
            solara.Button("Hide" if open_.value else "Show", text=True,
                          on_click=lambda: open_.set(not open_.value),
                          classes=["lead-about-toggle"])
        if not open_.value:
            return
        for paragraph in ABOUT:
            solara.Markdown(paragraph)
        solara.HTML(tag="h3", unsafe_innerHTML="Things to try", classes=["lead-h3"])
        items = "".join(f"<li><strong>{escape(q)}</strong> <span>{escape(hint)}</span></li>"
                        for q, hint in QUESTIONS)
        solara.HTML(tag="ol", unsafe_innerHTML=items, classes=["lead-questions"])
        words = " · ".join(term(word) for word in GLOSSARY)
        solara.HTML(tag="p", unsafe_innerHTML=f"Words used here (hover or focus): {words}",
                    classes=["lead-help"])


def span(values: np.ndarray, money: str = "") -> str:
    """A per-seed quantity as 'mean (range low to high)'; ``money`` "million" or "dollars"."""
    def one(v: float) -> str:
        if money == "million":
            m = round(v / 1e6, 2) + 0.0  # no "-0.00"
            return f"{'-' if m < 0 else ''}${abs(m):,.2f} million"
        whole = round(v) + 0
        if money == "dollars":
            return f"{'-' if whole < 0 else ''}${abs(whole):,}"
        return f"{whole:,.0f}"
    values = np.asarray(values, float)
    values = values[np.isfinite(values)]
    if not len(values):
        return "not yet (no bookings averted)"
    if len(values) == 1:
        return one(values[0])
    return f"{one(values.mean())} (range {one(values.min())} to {one(values.max())})"


@solara.component
def Headline(session: VizSession):
    update_counter.get()
    p = session.policy
    k = session.county_scale
    runs = len(session.seeds)
    with solara.Div(classes=["lead-card", "lead-headline"]):
        h2("Policy against system as usual" if session.baselines else "This run")
        solara.Text(f"{friendly_scenario(p.lead_scenario.name)}, seed {session.seeds[0]}"
                    + (f" to {session.seeds[-1]}" if runs > 1 else "")
                    + f", {p.p['population']:,} people simulated", classes=["lead-run"])
        diff = session.difference()
        rows: list[tuple[str, str, str]] = []
        if diff is not None:
            rows += [
                ("Bookings averted so far (county)", span(diff.county_bookings_averted),
                 "lead-diff"),
                ("Jail bed-days saved (county)", span(diff.bed_days_saved * k), "lead-diff"),
                ("Arrests averted (county)", span(diff.arrests_averted * k), "lead-diff"),
                ("Net cost so far (county; negative = saved)", span(diff.extra_cost, "million"),
                 "lead-diff"),
                ("Net cost per booking averted (negative = saved)",
                 span(diff.cost_per_booking_averted(), "dollars"),
                 "lead-diff"),
            ]
        cost = [daily(m, "cost_total").sum() * k for m in session.policies]
        rows.append(("Cost so far, policy (county)", span(np.array(cost), "million"), "lead-cost"))
        rows.append(("Jail population today (simulated)",
                     span([daily(m, "jail_population")[-1:].sum() for m in session.policies]),
                     "lead-jail"))
        rows.append(("LEAD waitlist today (simulated)",
                     span([daily(m, "lead_waitlist")[-1:].sum() for m in session.policies]),
                     "lead-waitlist"))
        with solara.Div(classes=["lead-figures"]):
            for name, value, css in rows:
                solara.HTML(tag="div", unsafe_innerHTML=f"<span>{escape(name)}</span> "
                            f"<strong>{escape(value)}</strong>", classes=[css])
        scale = (f"County figures are the simulated {p.p['population']:,} people's x {k:g} "
                 f"(the county's {p.p['reference_population']:,} people at risk).")
        band = (f" Ranges: the lowest and highest of {runs} runs with different random seeds "
                "(each policy run against a baseline with the same seed); a difference inside "
                "the range could be chance." if runs > 1 else "")
        solara.HTML(tag="p", unsafe_innerHTML=escape(scale + band), classes=["lead-help"])
        if diff is None:
            solara.Text("Tick 'Compare with system as usual' to see what the policy changes.")


@solara.component
def MapView(session: VizSession):
    counter = update_counter.get()
    measure = solara.use_reactive(next(iter(MEASURES)))
    breakdown = solara.use_reactive(next(iter(BREAKDOWNS)))
    group = solara.use_reactive(LABELS[DEFAULT_GROUP])
    key = {LABELS[g]: g for g in GROUPS}[group.value]
    model = session.policy
    svg = solara.use_memo(lambda: map_svg(model, measure.value, breakdown.value, key),
                          [counter, measure.value, breakdown.value, key, model])
    with solara.Div(classes=["lead-card", "lead-map-card"]):
        h2("Where: Seattle and south King County")
        solara.Select("Colour areas by", values=[*MEASURES, *GROUP_MEASURES], value=measure)
        if measure.value in GROUP_MEASURES:
            solara.Select("Group", values=[LABELS[g] for g in GROUPS], value=group)
            solara.HTML(tag="p", unsafe_innerHTML=escape(
                "Each area's share (0-100%) of its arrests or bookings so far that are of the "
                "group's people; hover over an area to compare it with the group's share of "
                "the days lived at risk there. " + CAVEAT), classes=["lead-help"])
        solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["lead-map"])
        solara.HTML(tag="p", unsafe_innerHTML=escape(
            f"First run (seed {session.seeds[0]}). Positions are geographic, with downtown "
            "opened out so its areas can be told apart. Hover over an area for its people by "
            "state; the table below lists them."), classes=["lead-help"])
        split = BREAKDOWNS[breakdown.value]
        counts = split.counts(model)
        head = "".join(f"<th scope='col'>{escape(label)}</th>" for label in split.labels)
        body = "".join(
            f"<tr><th scope='row'>{escape(a.name)}</th>"
            + "".join(f"<td>{int(n):,}</td>" for n in counts[i]) + "</tr>"
            for i, a in enumerate(AREAS))
        with solara.Details(f"People per area {breakdown.value} (table)"):
            solara.HTML(tag="table", unsafe_innerHTML=f"<thead><tr><th scope='col'>area</th>"
                        f"{head}</tr></thead><tbody>{body}</tbody>",
                        classes=["lead-table"])


@solara.component
def GroupChart(session: VizSession):
    """An outcome per 1,000 person-years at risk by group, policy beside baseline."""
    counter = update_counter.get()
    noun = solara.use_reactive(GROUP_OUTCOMES["bookings"])
    outcome = {v: k for k, v in GROUP_OUTCOMES.items()}[noun.value]
    svg = solara.use_memo(lambda: group_chart(session, outcome), [counter, session, outcome])
    with solara.Div(classes=["lead-card"]):
        h2("By race/ethnicity group")
        solara.Select("Show", values=list(GROUP_OUTCOMES.values()), value=noun)
        solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["lead-chart", "lead-chart-narrow"])
        solara.HTML(tag="p", unsafe_innerHTML=(
            f"{escape(CAVEAT)} The <a href=\"/evidence\">evidence</a> (section 4b) gives the "
            "sources; docs/equity.md explains the measures and their limits."),
            classes=["lead-help"])


@solara.component
def Charts(session: VizSession, group: str):
    counter = update_counter.get()
    charts = solara.use_memo(lambda: charts_svg(session), [counter, session])
    with solara.Div(classes=["lead-grid"]):
        for chart in charts:
            if chart.group == group:
                solara.HTML(tag="div", unsafe_innerHTML=chart.svg, classes=["lead-chart"])


@solara.component
def Explain(session: VizSession):
    update_counter.get()
    with solara.Div(classes=["lead-card"]):
        h2("This month, in plain words")
        for line in explain_month(session.policy):
            solara.Text(line, classes=["lead-explain"], style={"display": "block"})


@solara.component
def Download(session: VizSession):
    update_counter.get()
    with solara.Div(classes=["lead-card"]):
        h2("Take the numbers with you")
        solara.FileDownload(lambda: session_csv(session).encode("utf-8"),
                            filename=f"lead_sim_{session.settings['scenario_name']}_"
                                     f"seed{session.seeds[0]}.csv",
                            label="Download the series and settings (CSV)")
        solara.HTML(tag="p", unsafe_innerHTML=escape(
            "One row per run (policy or baseline), seed and simulated day, every column of "
            "the daily record, for the simulated people; the settings head the file."),
            classes=["lead-help"])
