"""The visualizer's teaching parts without a browser: evidence links, glossary, friendly
names, the palette's contrast, the seeds' ranges, county scaling, the CSV download, the date
and step labels and the warm-up message."""

from __future__ import annotations

import datetime as dt
import io
import re

import numpy as np
import pandas as pd
import pytest

from lead_sim.params import REGISTRY
from lead_sim.scenarios import builtin_names
from lead_sim.viz.controls import date_text, days_text
from lead_sim.viz.evidence import evidence_html
from lead_sim.viz.export import session_csv
from lead_sim.viz.levers import LEVERS
from lead_sim.viz.palette import SERIES, contrast
from lead_sim.viz.panels import span
from lead_sim.viz.session import VizSession
from lead_sim.viz.texts import SCENARIO_NAMES, evidence_anchor, friendly_scenario, link_sources
from lead_sim.viz.warmup import Warmup


def test_every_evidence_code_a_lever_cites_links_to_a_row_of_the_evidence_page():
    page = evidence_html()
    anchors = set(re.findall(r'<tr id="([^"]+)"', page))
    for name in [*(lever.name for lever in LEVERS), "population"]:
        html = link_sources(REGISTRY[name].source)
        for target in re.findall(r'href="/evidence#([^"]+)"', html):
            assert target in anchors, (name, target)
    linked = link_sources("#25, #28: officers divert few; calibrated to O12 and C12a")
    assert linked.count("<a ") == 4
    assert evidence_anchor("#25") == "ev-25" and evidence_anchor("O12") == "ev-O12"
    assert link_sources("no codes & <here>") == "no codes &amp; &lt;here&gt;"


def test_every_built_in_scenario_has_a_friendly_name():
    assert set(builtin_names()) <= set(SCENARIO_NAMES)
    assert friendly_scenario("my_file") == "my_file"
    assert len(set(SCENARIO_NAMES.values())) == len(SCENARIO_NAMES)


def test_series_colours_stand_out_from_the_white_page():
    for colour in SERIES:
        assert contrast(colour) >= 3.0, colour
    assert contrast("#ffffff") == pytest.approx(1.0)
    assert contrast("#000000") == pytest.approx(21.0)


def test_ranges_and_county_scale_in_the_headline():
    session = VizSession(scenario_name="pilot_2011", population=2_000, runs=3)
    assert session.county_scale == 10.0  # 20,000 county people at risk / 2,000 simulated
    while session.date < dt.date(2012, 10, 1):
        session.advance(30)
    diff = session.difference()
    assert len(diff.bookings_averted) == 3
    assert np.allclose(diff.county_bookings_averted, diff.bookings_averted * 10)
    per = diff.cost_per_booking_averted()
    averted = diff.county_bookings_averted > 0
    assert np.allclose(per[averted], diff.extra_cost[averted] / diff.county_bookings_averted[
        averted])
    assert np.isnan(per[~averted]).all()
    assert span(np.array([1.0, 2.0, 6.0])) == "3 (range 1 to 6)"
    assert span(np.array([-2.5e6]), money="million") == "-$2.50 million"
    assert span(np.array([-1.0]), money="million") == "$0.00 million"  # no "-0.00"
    assert span(np.array([-1650.4, -1000.0]), money="dollars") == (
        "-$1,325 (range -$1,650 to -$1,000)")
    assert span(np.array([np.nan])).startswith("not yet")


def test_a_lever_moves_every_seed_of_the_policy_and_no_baseline():
    session = VizSession(scenario_name="pilot_2011", population=1_000, runs=3)
    session.set_lever("caseload_cap", 30)
    session.step()
    assert [m.p["caseload_cap"] for m in session.policies] == [30, 30, 30]
    assert all(m.p["caseload_cap"] != 30 for m in session.baselines)


def test_the_csv_download_holds_settings_and_every_run_day_by_day():
    session = VizSession(scenario_name="pilot_2011", population=500, runs=3, seed=4,
                         caseload_cap=30)
    session.advance(10)
    text = session_csv(session)
    assert "# scenario_name: pilot_2011\n" in text and "# caseload_cap: 30\n" in text
    assert "# seeds: 4 5 6\n" in text
    table = pd.read_csv(io.StringIO(text), comment="#")
    assert len(table) == 3 * 2 * 10
    assert sorted(table["seed"].unique()) == [4, 5, 6]
    assert set(table["run"]) == {"policy", "baseline"}
    assert table["date"].iloc[0] == "2010-01-01" and table["date"].iloc[9] == "2010-01-10"
    first = table[(table.run == "policy") & (table.seed == 4)]
    assert first["arrests"].tolist() == session.policy.record.frame(10)["arrests"].tolist()


def test_the_date_moves_on_the_first_one_day_step_and_labels_count_days():
    session = VizSession(population=500, runs=1, compare=False)
    assert date_text(session) == "Starts 01 January 2010"
    session.step()
    assert date_text(session) == "01 January 2010"
    assert (days_text(1), days_text(7)) == ("1 day", "7 days")


def test_the_first_use_message_gives_the_compile_time_measured_on_this_machine(monkeypatch):
    from lead_sim.viz import warmup

    monkeypatch.setattr(warmup, "expected_seconds", lambda: 93.4)
    assert "compiling its core takes about 93 s" in Warmup().message()
    monkeypatch.setattr(warmup, "expected_seconds", lambda: 0.0)  # compiled already
    assert "loading its compiled core takes a few seconds" in Warmup().message()


def test_the_warm_up_says_what_it_does_until_the_core_is_ready():
    warm = Warmup()
    assert "Preparing the simulation (" in warm.message()
    warm.start()
    warm.start()  # a second page opening does not start another
    assert warm.ready.wait(600)
    assert warm.message() == "" and not warm.error


def test_the_address_may_name_the_first_scenario_by_its_identifier():
    from lead_sim.viz.app import initial_settings

    assert initial_settings("scenario=pilot_2011")["scenario_name"] == "pilot_2011"
    assert initial_settings("scenario=nope")["scenario_name"] == "seattle_citywide"
    assert initial_settings(None)["compare"] is True


def test_the_page_shell_setting_the_language_is_package_data():
    """Solara finds index.html.j2 in lead_sim/templates; a wheel must carry it."""
    import tomllib
    from pathlib import Path

    import lead_sim

    package = Path(lead_sim.__file__).resolve().parent
    shell = package / "templates" / "index.html.j2"
    assert 'document.documentElement.lang = "en"' in shell.read_text()
    pyproject = tomllib.loads((package.parent / "pyproject.toml").read_text())
    globs = pyproject["tool"]["setuptools"]["package-data"]["lead_sim"]
    assert shell in {p for g in globs for p in package.glob(g)}
