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
from lead_sim.neighbourhoods import AREAS
from lead_sim.params import REGISTRY
from lead_sim.runs.runner import parse_seed
from lead_sim.viz.figures import charts_svg
from lead_sim.viz.levers import (
    LEVERS,
    build_scenario,
    check_levers,
    covers_unfunded,
    launch_date,
)
from lead_sim.viz.mapview import map_svg
from lead_sim.viz.measures import BREAKDOWNS, MEASURES
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
    session = VizSession(scenario_name="pilot_2011", seed=3, population=2_000, runs=3)
    assert session.seeds == [3, 4, 5] and len(session.baselines) == 3  # side by side: default
    step_to(session, dt.date(2011, 10, 1))
    for pol, base in zip(session.policies, session.baselines, strict=True):
        assert pol.record.frame(pol.day).equals(base.record.frame(base.day))
    diff = session.difference()
    for gain in (diff.bookings_averted, diff.bed_days_saved, diff.extra_cost):
        assert gain.tolist() == [0, 0, 0]
    arrests = session.stack("arrests").sum(axis=1)
    assert len(set(arrests.tolist())) > 1  # three seeds, three histories
    assert VizSession(population=1_000, compare=False, runs=1).difference() is None


def test_stepping_past_the_end_stops_at_the_last_day():
    """The page steps 'Days per Step' at a time; 4,383 days is no multiple of 7 or 60."""
    session = VizSession(scenario_name="system_as_usual", population=300, runs=1)
    days = session.policy.days
    for _ in range(days + 60):
        session.step()
    assert not session.running and session.policy.day == session.baseline.day == days
    assert session.last_date == session.policy.lead_scenario.end_date


def test_budget_text_says_what_it_buys_for_the_simulated_sample_and_when():
    session = VizSession(scenario_name="pilot_2011", population=5000, runs=1, compare=False)
    assert bought_text(session.policy).startswith("LEAD has not launched yet")
    while not session.policy.covered.any():
        session.step()
    text = bought_text(session.policy)
    assert text.startswith("Today's budget buys 1.0 case managers (44 caseload places)")
    assert "for the 5,000 people simulated (the county has 20,000" in text
    demand = VizSession(scenario_name="full_capacity", population=1000, runs=1)
    while not demand.policy.covered.any():
        demand.step()
    assert bought_text(demand.policy).startswith("Case managers are hired to meet demand")


def test_charts_mark_the_dated_changes_simulated_so_far():
    session = VizSession(scenario_name="pilot_2011", population=300, runs=1)
    launch = (dt.date(2011, 10, 1) - session.policy.lead_scenario.start_date).days
    for _ in range(launch):
        session.step()
    assert 'class="lead-mark"' not in charts_svg(session)[0].svg  # launch not simulated yet
    session.step()
    for chart in charts_svg(session):
        ET.fromstring(chart.svg)
        assert chart.svg.count('class="lead-mark"') == 1
        assert "<title>01 Oct 2011: LEAD launches in Belltown and Skyway" in chart.svg


def test_coverage_without_funding_is_recognised_for_the_warning():
    pilot_areas = "pilot areas (Belltown, Skyway)"
    assert covers_unfunded(build_scenario("system_as_usual", coverage=pilot_areas))
    assert not covers_unfunded(build_scenario("system_as_usual", coverage="none"))
    assert not covers_unfunded(build_scenario("system_as_usual", coverage=pilot_areas,
                                              levers={"budget_usd_per_year": 500_000}))
    assert not covers_unfunded(build_scenario("pilot_2011"))  # funded from its launch
    assert covers_unfunded(build_scenario("pilot_2011", levers={"budget_usd_per_year": 0}))


def test_map_labels_stay_on_the_map_and_apart_from_each_other_and_the_circles():
    from lead_sim.viz.mapview import (
        AREA_R,
        AREA_XY,
        BAR_H,
        LABEL_CHAR_W,
        LABEL_PLACES,
        MAP_H,
        MAP_W,
        NAMES,
        label_box,
        overlap,
    )

    boxes = [label_box(x, y, anchor, len(text) * LABEL_CHAR_W)
             for (x, y, anchor), text in zip(LABEL_PLACES, NAMES, strict=True)]
    circles = [(x - r, y - r, x + r, y + r) for (x, y), r in zip(AREA_XY, AREA_R, strict=True)]
    assert all(b[0] >= 0 and b[2] <= MAP_W and b[1] >= 0 and b[3] <= MAP_H - BAR_H
               for b in boxes)
    assert not [(i, j) for i in range(len(boxes)) for j in range(i)
                if overlap(boxes[i], boxes[j])]
    assert not [(i, j) for i, b in enumerate(boxes) for j, c in enumerate(circles)
                if overlap(b, c)]


def test_map_places_areas_on_the_right_side_of_the_water():
    """West Seattle lies west of downtown across Elliott Bay's mouth, Skyway south-east, and
    every Seattle area west of Lake Washington's western shore at its latitude."""
    from lead_sim.viz import geography as geo
    from lead_sim.viz.mapview import AREA_XY, PROJECT

    at = {a.key: AREA_XY[i] for i, a in enumerate(AREAS)}
    assert at["west_seattle"][0] < at["downtown"][0] < at["central_district"][0]
    assert at["northgate_lake_city"][1] < at["university_district"][1] < at["downtown"][1]
    lake = PROJECT(geo.LAKE_WASHINGTON)
    west_shore = lake[: len(lake) // 2]
    for key in ("capitol_hill", "central_district", "university_district", "rainier_valley"):
        x, y = at[key]
        nearest = west_shore[np.argmin(np.abs(west_shore[:, 1] - y))]
        assert x < nearest[0], key


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
    session = VizSession(scenario_name="pilot_2011", population=3_000, seed=1, runs=1)
    step_to(session, dt.date(2012, 9, 1))
    model = session.policy
    row = model.record.frame(model.day).iloc[-1]
    assert MEASURES["jail population"].count(model).sum() == row["jail_population"]
    assert (MEASURES["LEAD caseload"].count(model).sum()
            == row["lead_active"] + row["lead_inactive"])
    assert MEASURES["LEAD waitlist"].count(model).sum() == row["lead_waitlist"]
    last30 = model.record.frame(model.day)["arrests"].iloc[-30:].sum()
    assert MEASURES["arrests (last 30 days)"].count(model).sum() == last30
    people = BREAKDOWNS["by state"].counts(model)
    assert people.shape == (len(AREAS), 5) and people.sum() <= 3_000


def test_drawings_are_valid_svg_with_every_area_and_a_fixed_colour_bar():
    session = VizSession(scenario_name="pilot_2011", population=1_000, runs=3)
    session.advance(60)
    early = map_svg(session.policy, "jail population")
    ET.fromstring(early)
    for area in AREAS:
        assert area.name.replace("&", "&amp;") in early
    session.advance(600)
    later = map_svg(session.policy, "jail population")
    bar = early[early.index("per area"):]  # the colour bar's labels do not follow the data
    assert bar == later[later.index("per area"):]
    charts = charts_svg(session)
    assert [c.group for c in charts] == ["difference"] * 3 + ["levels"] * 6
    for chart in charts:
        root = ET.fromstring(chart.svg)
        assert root.get("role") == "img"
        assert root.find("{http://www.w3.org/2000/svg}title").text
        assert root.find("{http://www.w3.org/2000/svg}desc").text
    jail = next(c.svg for c in charts if "lead-chart-jail" in c.svg)
    assert "system as usual" in jail and 'class="lead-band"' in jail
    assert "range" in jail  # the legend gives the seeds' range


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
