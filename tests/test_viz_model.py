"""The visualizer's model side without a browser: levers, seeds, the paired session, the map
measures and the drawings."""

from __future__ import annotations

import datetime as dt
import socket
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from lead_sim.errors import LeadSimError
from lead_sim.model import LeadModel
from lead_sim.neighbourhoods import AREA_KEYS, AREAS
from lead_sim.params import REGISTRY
from lead_sim.runs.runner import parse_seed
from lead_sim.viz.figures import charts_svg, map_svg
from lead_sim.viz.levers import (
    LEVERS,
    build_scenario,
    check_levers,
    covers_unfunded,
    launch_date,
)
from lead_sim.viz.measures import MEASURES, DotSample
from lead_sim.viz.session import VizSession, bought_text


def step_to(model, date: dt.date) -> None:
    while model.date < date:
        model.step()


@pytest.mark.parametrize(("text", "seed"), [("7", 7), (" 12 ", 12), (3, 3), ("0", 0)])
def test_seed_text_is_accepted(text, seed):
    assert parse_seed(text) == seed


@pytest.mark.parametrize("text", ["seven", "1.5", "-1", "", str(2**32)])
def test_bad_seed_text_is_refused_with_a_message(text):
    with pytest.raises(LeadSimError, match="seed must be"):
        parse_seed(text)


def test_levers_read_their_bounds_from_the_registry():
    for lever in LEVERS:
        assert lever.param is REGISTRY[lever.name]
        assert REGISTRY[lever.name].source in lever.help()
    with pytest.raises(LeadSimError, match="out of bounds"):
        check_levers({"caseload_cap": REGISTRY["caseload_cap"].high + 1})
    with pytest.raises(LeadSimError, match="not a lever"):
        check_levers({"jail_bed_day_cost": 100.0})


def test_session_refuses_bad_input_before_building_anything():
    with pytest.raises(LeadSimError, match="seed"):
        VizSession(seed="abc")
    with pytest.raises(LeadSimError, match="out of bounds"):
        VizSession(diversion_propensity=1.5)
    with pytest.raises(LeadSimError, match="at most"):
        VizSession(population=100_000)


def test_a_pinned_lever_holds_against_the_scenario_timeline():
    scenario = build_scenario("seattle_citywide", population=1_000,
                              levers={"budget_usd_per_year": 2_000_000.0})
    setters = [e for e in scenario.timeline if "budget_usd_per_year" in e.set]
    assert [e.date for e in setters] == [launch_date(scenario)] == [dt.date(2011, 10, 1)]
    model = LeadModel(scenario, 0)
    step_to(model, dt.date(2011, 10, 2))
    assert model.p["budget_usd_per_year"] == 2_000_000.0
    step_to(model, dt.date(2013, 1, 2))  # the scenario raises the budget on 2013-01-01
    assert model.p["budget_usd_per_year"] == 2_000_000.0


def test_coverage_lever_replaces_the_scenario_expansion():
    model = LeadModel(build_scenario("seattle_citywide", population=1_000, coverage="none"), 0)
    step_to(model, dt.date(2014, 6, 1))
    assert not model.covered.any()
    pilot = LeadModel(build_scenario("system_as_usual", population=1_000,
                                     coverage="pilot areas (Belltown, Skyway)"), 0)
    pilot.step()
    assert pilot.covered.sum() == 2


def test_session_accepts_what_mesa_passes_on_reset():
    session = VizSession(scenario_name="pilot_2011", seed="5", population=1_000,
                         scenario=object(), caseload_cap=30)
    assert session.settings["seed"] == 5
    assert session.settings["caseload_cap"] == 30


def test_side_by_side_runs_pair_by_seed_until_the_policy_acts():
    """Common random numbers: before LEAD launches the two runs are identical."""
    session = VizSession(scenario_name="pilot_2011", compare=True, seed=3, population=2_000)
    step_to(session, dt.date(2011, 10, 1))
    pol = session.policy.record.frame(session.policy.day)
    base = session.baseline.record.frame(session.baseline.day)
    assert pol.equals(base)
    diff = session.difference()
    assert (diff.bookings_averted, diff.bed_days_saved, diff.extra_cost) == (0, 0, 0.0)
    assert VizSession(population=1_000).difference() is None


def test_stepping_past_the_end_stops_at_the_last_day():
    """The page steps 'Days per Step' at a time; 4,383 days is no multiple of 7 or 60."""
    session = VizSession(scenario_name="system_as_usual", compare=True, population=300)
    days = session.policy.days
    for _ in range(days + 60):
        session.step()
    assert not session.running and session.policy.day == session.baseline.day == days
    assert session.last_date == session.policy.lead_scenario.end_date


def test_budget_text_says_what_it_buys_for_the_simulated_sample_and_when():
    session = VizSession(scenario_name="pilot_2011", population=5000)
    assert bought_text(session.policy).startswith("LEAD has not launched yet")
    while not session.policy.covered.any():
        session.step()
    text = bought_text(session.policy)
    assert text.startswith("Today's budget buys 1.0 case managers (44 caseload places)")
    assert "for the 5,000 people simulated (the county has 20,000" in text
    demand = VizSession(scenario_name="full_capacity", population=1000)
    while not demand.policy.covered.any():
        demand.step()
    assert bought_text(demand.policy).startswith("Case managers are hired to meet demand")


def test_charts_mark_the_dated_changes_simulated_so_far():
    session = VizSession(scenario_name="pilot_2011", population=300)
    launch = (dt.date(2011, 10, 1) - session.policy.lead_scenario.start_date).days
    for _ in range(launch):
        session.step()
    assert 'class="lead-mark"' not in charts_svg(session)[0]  # launch day not simulated yet
    session.step()
    for chart in charts_svg(session):
        ET.fromstring(chart)
        assert chart.count('class="lead-mark"') == 1
        assert "<title>01 Oct 2011: LEAD launches in Belltown and Skyway" in chart


def test_coverage_without_funding_is_recognised_for_the_warning():
    pilot_areas = "pilot areas (Belltown, Skyway)"
    assert covers_unfunded(build_scenario("system_as_usual", coverage=pilot_areas))
    assert not covers_unfunded(build_scenario("system_as_usual", coverage="none"))
    assert not covers_unfunded(build_scenario("system_as_usual", coverage=pilot_areas,
                                              levers={"budget_usd_per_year": 500_000}))
    assert not covers_unfunded(build_scenario("pilot_2011"))  # funded from its launch
    assert covers_unfunded(build_scenario("pilot_2011", levers={"budget_usd_per_year": 0}))


def test_map_labels_stay_on_the_map_and_apart():
    from lead_sim.viz.figures import (
        LABEL_CHAR_W,
        MAP_H,
        MAP_W,
        _label_box,
        _overlap,
        _projector,
        label_places,
        node_centres,
    )

    model = VizSession(population=500).policy
    flat, project = _projector(node_centres(model))
    xy = project(flat)
    labels = [f"{model.graph.nodes[k]['name']} (999)" for k in AREA_KEYS]
    radius = np.full(len(labels), 16.0)  # the largest circles
    boxes = [_label_box(x, y, anchor, len(text) * LABEL_CHAR_W)
             for (x, y, anchor), text in zip(label_places(xy, radius, labels), labels, strict=True)]
    assert all(b[0] >= 0 and b[2] <= MAP_W and b[1] >= 0 and b[3] <= MAP_H for b in boxes)
    assert not [(i, j) for i in range(len(boxes)) for j in range(i)
                if _overlap(boxes[i], boxes[j])]


def test_moving_a_lever_applies_from_the_next_day_and_holds():
    session = VizSession(scenario_name="seattle_citywide", population=1_000)
    step_to(session, dt.date(2012, 6, 1))
    session.set_lever("budget_usd_per_year", 500_000.0)
    assert session.lever_value("budget_usd_per_year") == 800_000.0  # today: the scenario's
    session.step()
    assert session.lever_value("budget_usd_per_year") == 500_000.0
    step_to(session, dt.date(2013, 1, 2))  # the scenario's 2013 raise is dropped
    assert session.lever_value("budget_usd_per_year") == 500_000.0
    with pytest.raises(LeadSimError):
        session.set_lever("case_management_share", -0.1)


def test_map_measures_add_up_to_the_daily_record():
    session = VizSession(scenario_name="pilot_2011", population=3_000, seed=1)
    step_to(session, dt.date(2012, 9, 1))
    model = session.policy
    row = model.record.frame(model.day).iloc[-1]
    assert MEASURES["jail population"](model).sum() == row["jail_population"]
    assert MEASURES["LEAD active"](model).sum() == row["lead_active"]
    assert MEASURES["LEAD waitlist"](model).sum() == row["lead_waitlist"]
    last30 = model.record.frame(model.day)["arrests"].iloc[-30:].sum()
    assert MEASURES["arrests (last 30 days)"](model).sum() == last30


def test_drawings_are_valid_svg_with_every_area():
    session = VizSession(scenario_name="pilot_2011", compare=True, population=1_000)
    for _ in range(60):
        session.step()
    dots = DotSample(1_000, max_dots=300)
    assert len(dots.slots) == 300 and len(np.unique(dots.slots)) == 300
    drawing = map_svg(session.policy, "LEAD active", dots)
    ET.fromstring(drawing)
    for area in AREAS:
        assert area.name.replace("&", "&amp;") in drawing
    charts = charts_svg(session)
    assert len(charts) == 4
    for chart in charts:
        ET.fromstring(chart)
    assert "baseline" in charts[0]


def test_viz_command_refuses_bad_input_before_serving(capsys):
    from lead_sim.cli import main

    assert main(["viz", "--scenario", "pilot_2012"]) == 2
    assert "Unknown scenario 'pilot_2012'" in capsys.readouterr().err
    assert main(["viz", "--port", "70000"]) == 2
    assert "--port must be between 1 and 65535" in capsys.readouterr().err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["viz", "--port", str(port)]) == 2
    assert "choose another --port" in capsys.readouterr().err


def test_served_page_is_titled_lead_sim_not_solara():
    """The tab title comes from the first HTML, before the app renders: not "Solara ☀️"."""
    import urllib.request

    from tests.viz_browser import viz_server

    with viz_server() as (url, _), urllib.request.urlopen(url, timeout=30) as response:
        page = response.read().decode("utf-8")
    assert "<title>lead_sim — LEAD diversion explorer</title>" in page
    assert "Solara ☀️" not in page
