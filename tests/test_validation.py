"""The evaluation replay: odds ratios, cohorts and outcomes on a hand-made event log with answers
worked out by hand, cohort invariants on a real run, and ``lead-sim validate`` end to end."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from lead_sim import prepare
from lead_sim.cli import main
from lead_sim.engine.events import EVENT_KINDS
from lead_sim.fitting.validation import (
    Design,
    arrival_days,
    att_weights,
    cohort_outcomes,
    custody_spells,
    estimates,
    form_cohorts,
    odds_ratio,
    sample_controls,
    summarise,
)
from lead_sim.neighbourhoods import AREA_KEYS
from lead_sim.params import Params
from tests.html_page import Page

A = {key: i for i, key in enumerate(AREA_KEYS)}
P = Params()  # default unit costs, used to state the expected costs
ARREST = P["police_hours_per_arrest"] * P["police_hourly_cost"]  # 9.3 h x $80 = $744
DIVERSION = P["police_hours_per_diversion"] * P["police_hourly_cost"]  # $160
REFERRAL = P["police_hours_per_referral"] * P["police_hourly_cost"]  # $80
FELONY_CASE = sum(P[f"{k}_cost_felony"] for k in ("prosecution", "defense", "court"))  # $3,700


def test_odds_ratio_known_answers():
    assert odds_ratio(10, 10, 5, 15) == pytest.approx(3.0)  # (10/10) / (5/15)
    assert odds_ratio(2, 1, 1, 2) == pytest.approx(4.0)
    # a zero cell: 0.5 is added to all four, (0.5/10.5) / (5.5/5.5)
    assert odds_ratio(0, 10, 5, 5) == pytest.approx(0.5 / 10.5)
    assert math.isnan(odds_ratio(0, 0, 3, 4))


# Day numbers count from the pilot scenario's start, 2010-01-01: LEAD enrolment opens on day
# 638 (2011-10-01) and follow-up ends on day 1672 (2014-07-31), so the post period of a person
# entering on day d is 1673 - d days. The pre period starts on day 0 (2009-10-01 is before the
# run) or on a newcomer's arrival.
ROWS = [  # day, kind, person, area, detail, green_light
    # person 1: pre-window arrest, booked, 10 days in jail; diverted on a green shift on day
    # 700 (LEAD); re-arrested on day 800, inside 6 months
    (300, "arrest", 1, "belltown", 2, True), (300, "booking", 1, "belltown", 1, True),
    (300, "jail_admission", 1, "belltown", 1, True), (310, "jail_release", 1, "belltown", 0, True),
    (700, "arrest", 1, "belltown", 7, True), (700, "arrest_diversion", 1, "belltown", 0, True),
    (800, "arrest", 1, "belltown", 6, True),
    # person 2: social referral on a green shift in Skyway on day 1000 (LEAD); nothing after
    (1000, "social_referral", 2, "skyway", 0, True),
    # person 3: referral on a red-light shift: not LEAD, and no arrest: in no cohort
    (900, "social_referral", 3, "belltown", 0, False),
    # person 4: diverted before the window (not LEAD); eligible red-light arrest on day 650
    # (control), re-arrested on day 700
    (600, "arrest", 4, "belltown", 7, True), (600, "arrest_diversion", 4, "belltown", 0, True),
    (650, "arrest", 4, "belltown", 6, False), (700, "arrest", 4, "belltown", 6, False),
    # person 5: eligible arrest in Downtown (adjacent, not covered) on day 900 (control): booked,
    # felony charge, 30 days in jail; arrested again on day 1200 (after 6 months); prison from
    # day 1300 to 1400
    (900, "arrest", 5, "downtown", 2, True), (900, "booking", 5, "downtown", 2, True),
    (900, "charge", 5, "downtown", 2, True), (900, "jail_admission", 5, "downtown", 1, True),
    (930, "jail_release", 5, "downtown", 0, True), (1200, "arrest", 5, "downtown", 2, True),
    (1300, "prison_admission", 5, "downtown", 0, True),
    (1400, "prison_release", 5, "downtown", 0, True),
    # person 6: ineligible red-light arrest: no cohort
    (700, "arrest", 6, "belltown", 4, False),
    # person 7: eligible arrest in Kent, not adjacent to the pilot: no cohort
    (700, "arrest", 7, "kent", 2, True),
    # person 8: eligible arrest on a green shift the officer did not divert: no cohort
    (700, "arrest", 8, "belltown", 6, True),
    # person 9: red-light arrest on day 640, then diverted on day 1100 (LEAD, not control),
    # re-arrested on day 1150
    (640, "arrest", 9, "belltown", 6, False), (1100, "arrest", 9, "belltown", 7, True),
    (1100, "arrest_diversion", 9, "belltown", 0, True), (1150, "arrest", 9, "belltown", 6, True),
    # person 20 leaves on day 500; the newcomer takes id 100 (population 100: ids 0-99 at
    # start). Arrested in Kent on day 600 (pre), then eligible in White Center (adjacent to
    # Skyway) on day 1500 (control)
    (500, "renewal", 20, "kent", 0, True), (600, "arrest", 100, "kent", 2, True),
    (1500, "arrest", 100, "white_center", 2, True),
]


def hand_log() -> pd.DataFrame:
    rows = sorted(ROWS, key=lambda r: r[0])
    frame = pd.DataFrame({
        "day": [r[0] for r in rows], "person": [r[2] for r in rows],
        "area": [A[r[3]] for r in rows], "detail": [r[4] for r in rows],
        "officer": -1, "green_light": [r[5] for r in rows]})
    frame.insert(1, "kind", pd.Categorical([r[1] for r in rows], categories=EVENT_KINDS))
    return frame


@pytest.fixture(scope="module")
def design():
    return Design.for_scenario(prepare("pilot_2011", population=100))


def test_design_days_and_areas(design):
    assert (design.enrol_start, design.follow_end, design.pre_start) == (638, 1672, 0)
    assert design.pilot_areas == (A["belltown"], A["skyway"])
    assert A["downtown"] in design.adjacent_areas and A["white_center"] in design.adjacent_areas
    assert A["kent"] not in design.adjacent_areas


def test_arrivals_follow_renewal_order():
    arrival = arrival_days(hand_log(), population=100)
    assert arrival[99] == 0 and arrival[100] == 500


def test_cohorts_from_hand_made_log(design):
    cohorts = form_cohorts(hand_log(), design)
    got = {(r.person, r.cohort, r.entry) for r in cohorts.itertuples()}
    assert got == {(1, "lead", 700), (2, "lead", 1000), (9, "lead", 1100),
                   (4, "control", 650), (5, "control", 900), (100, "control", 1500)}


def test_outcomes_and_estimates_from_hand_made_log(design):
    events = hand_log()
    out = cohort_outcomes(events, form_cohorts(events, design), design, P).set_index("person")
    assert out["arrest_6m"].to_dict() == {1: True, 2: False, 9: True, 4: True, 5: False,
                                          100: False}
    assert out["arrest_any"].to_dict() == {1: True, 2: False, 9: True, 4: True, 5: True,
                                           100: False}
    assert out.loc[5, ["felony_charge", "prison"]].tolist() == [True, True]
    assert out["arrests_pre"].to_dict() == {1: 1, 2: 0, 9: 1, 4: 1, 5: 0, 100: 1}
    assert out.loc[1, "jail_days_pre"] == 10 and out.loc[5, "jail_days_post"] == 30
    assert out.loc[100, "years_pre"] == pytest.approx(1000 / 365.25)  # from arrival, day 500
    est = estimates(out.reset_index())
    # LEAD and controls have the same pre-entry arrest strata (one 0, two 1s): weights are 1
    assert est["arrest_or_6m"] == pytest.approx(4.0)  # LEAD 2 yes / 1 no; controls 1 / 2
    assert est["arrest_or_long"] == pytest.approx(1.0)  # 2/1 against 2/1
    assert est["felony_charge_or"] == pytest.approx((0.5 / 3.5) / (1.5 / 2.5))  # zero cell
    assert est["prison_or"] == pytest.approx((0.5 / 3.5) / (1.5 / 2.5))
    # person-days: LEAD pre 700 + 1000 + 1100 = 2800, post 973 + 673 + 573 = 2219;
    # controls pre 650 + 900 + 1000 = 2550, post 1023 + 773 + 173 = 1969
    y = 365.25
    lead_bookings = 0 / 2219 * y - 1 / 2800 * y
    ctrl_bookings = 1 / 1969 * y - 0
    assert est["bookings_per_year_diff"] == pytest.approx(lead_bookings - ctrl_bookings)
    lead_jail, ctrl_jail = -10 / 2800 * y, 30 / 1969 * y
    assert est["jail_days_per_year_diff"] == pytest.approx(lead_jail - ctrl_jail)
    jail_day, prison_day, booking = (P["jail_bed_day_cost"], P["prison_bed_day_cost"],
                                     P["booking_cost"])
    lead_pre = 2 * ARREST + booking + 10 * jail_day  # person 1 on day 300, person 9 on day 640
    lead_post = DIVERSION + ARREST + REFERRAL + DIVERSION + ARREST
    assert est["legal_cost_change_lead"] == pytest.approx(lead_post / 2219 * y
                                                          - lead_pre / 2800 * y)
    ctrl_pre = DIVERSION + ARREST  # person 4's diverted arrest, the newcomer's Kent arrest
    ctrl_post = 5 * ARREST + booking + FELONY_CASE + 30 * jail_day + 100 * prison_day
    assert est["legal_cost_change_control"] == pytest.approx(ctrl_post / 1969 * y
                                                             - ctrl_pre / 2550 * y)
    assert (est["n_lead"], est["n_control"]) == (3, 3)


def test_att_weights_give_controls_the_lead_history():
    # LEAD: 0, 5, 5 prior arrests (strata 0, 4, 4); controls 0, 0, 5, 1 (strata 0, 0, 4, 1)
    frame = pd.DataFrame({"cohort": ["lead"] * 3 + ["control"] * 4,
                          "arrests_pre": [0, 5, 5, 0, 0, 5, 1]})
    w = att_weights(frame).to_numpy()
    # stratum 0: (1/3) / (2/4); stratum 1: no LEAD; stratum 4: (2/3) / (1/4)
    np.testing.assert_allclose(w, [1, 1, 1, 2 / 3, 2 / 3, 8 / 3, 0])
    assert w[3:].sum() == pytest.approx(4)  # controls keep their number


def test_summary_uses_the_geometric_mean_for_odds_ratios():
    rows = [{"arrest_or_6m": 0.5, "n_lead": 100.0}, {"arrest_or_6m": 2.0, "n_lead": 300.0}]
    table = summarise(rows).set_index("metric")
    assert table.loc["arrest_or_6m", "model_mean"] == pytest.approx(1.0)  # sqrt(0.5 x 2)
    assert table.loc["n_lead", "model_mean"] == pytest.approx(200.0)
    assert table.loc["n_lead", "published"] == 203
    assert math.isnan(table.loc["felony_charge_or", "published"])


def test_custody_spells_join_admissions_and_releases():
    events = pd.DataFrame({
        "day": [5, 8, 9, 20, 30, 40],
        "kind": ["jail_admission", "jail_admission", "jail_release", "jail_admission",
                 "jail_release", "jail_admission"],
        "person": [1, 1, 1, 1, 1, 2]})
    spells = custody_spells(events, "jail_admission", "jail_release")
    # person 1: day 5 to 9 (the day-8 admission continues it), 20 to 30; person 2 still held
    assert spells.values.tolist() == [[1, 5, 9], [1, 20, 30], [2, 40, 1 << 30]]
    # a prison admission ends a jail spell (sentenced from jail straight to prison)
    moved = pd.concat([events, pd.DataFrame({"day": [45], "kind": ["prison_admission"],
                                             "person": [2]})])
    spells = custody_spells(moved, "jail_admission", "jail_release", "prison_admission")
    assert spells.values.tolist()[-1] == [2, 40, 45]


def test_control_sample_is_seeded_and_at_the_evaluation_ratio():
    cohorts = pd.DataFrame({"person": range(1000), "entry": 700,
                            "cohort": ["lead"] * 200 + ["control"] * 800})
    a, b = sample_controls(cohorts, seed=4), sample_controls(cohorts, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert (a["cohort"] == "control").sum() == round(200 * 115 / 203)


def test_cohorts_on_a_real_run_are_disjoint_and_after_arrival(pilot_run):
    scenario = prepare("pilot_2011", population=3_000, years=4.0)
    design = Design.for_scenario(scenario)
    events = pilot_run.events
    cohorts = form_cohorts(events, design)
    assert cohorts["person"].is_unique  # nobody is in both cohorts
    assert (cohorts["cohort"] == "lead").sum() > 0 and (cohorts["cohort"] == "control").sum() > 0
    arrival = arrival_days(events, design.population)
    first_seen = events.groupby("person")["day"].min()
    assert (first_seen.to_numpy() >= arrival.reindex(first_seen.index).to_numpy()).all()
    admissions = (events["kind"] == "jail_admission").sum()
    releases = (events["kind"] == "jail_release").sum()
    assert admissions >= releases > 0  # every release ends an admission; some still held


def test_validate_end_to_end(tmp_path, capsys):
    out = tmp_path / "val"
    assert main(["validate", "--reps", "2", "--population", "5000", "--out", str(out)]) == 0
    table = pd.read_csv(out / "validation.csv")
    assert list(table.columns) == ["metric", "model_mean", "model_low", "model_high",
                                   "replays", "published", "county_factor", "verdict"]
    factors = table.set_index("metric")["county_factor"]
    assert factors["n_lead"] == 4.0 and factors["arrest_or_6m"] == 1.0  # 20,000 / 5,000
    verdicts = table.set_index("metric")["verdict"]
    assert verdicts["arrest_or_6m"].startswith("too few replays to judge: 2 gave a value")
    assert verdicts["prison_or"].startswith("held out")
    assert verdicts["n_control_pool"].startswith("diagnostic")
    published = table.set_index("metric")["published"]
    assert published["arrest_or_6m"] == 0.40 and published["arrest_or_long"] == 0.42
    assert (published["n_lead"], published["n_control"]) == (203, 115)
    held_out = ["felony_charge_or", "bookings_per_year_diff", "jail_days_per_year_diff",
                "prison_or", "legal_cost_change_lead", "legal_cost_change_control"]
    assert published[held_out].isna().all()  # held out of the evidence file: left empty
    assert table["model_mean"].notna().all()
    page = Page((out / "validation.html").read_text(encoding="utf-8"))
    assert len(page.figures()) >= 10 and "validation" in capsys.readouterr().out
    shown = page.tables()[0]
    assert shown.column("Metric") == list(table["metric"])
    assert shown.column("Verdict") == list(table["verdict"])
    assert page.manifest == json.loads((out / "manifest.json").read_text())
    # the folder now holds this validation: another one (other seeds) may not overwrite it
    before = (out / "replicates.csv").read_text()
    assert main(["validate", "--reps", "2", "--population", "5000", "--seed", "7",
                 "--out", str(out)]) == 2
    assert "holds a different validation" in capsys.readouterr().err
    assert (out / "replicates.csv").read_text() == before


def test_validate_refuses_a_folder_of_other_files_before_any_run(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    assert main(["validate", "--reps", "50", "--out", str(out)]) == 2
    assert "holds no lead-sim validation" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_validate_refuses_a_population_too_small(tmp_path, capsys):
    out = tmp_path / "val"
    assert main(["validate", "--population", "1000", "--out", str(out)]) == 2
    assert "too small" in capsys.readouterr().err
    assert not out.exists()


def test_validate_with_a_bad_calibrated_file_exits_2(tmp_path, capsys):
    bad = tmp_path / "cal.toml"
    bad.write_text("[params]\nnot_a_parameter = 1.0\n")
    out = tmp_path / "val"
    assert main(["validate", "--calibrated", str(bad), "--out", str(out)]) == 2
    assert "Unknown parameter 'not_a_parameter'" in capsys.readouterr().err
    assert not out.exists()


def test_jail_spells_from_the_event_log_add_up_to_the_bed_days(pilot_run):
    # Every jail stay is logged from "jail_admission" to "jail_release": the days between them,
    # summed over people, are the model's own count of people in jail at the end of each day.
    days = pilot_run.summary["days"]
    for start, end, column in (("jail_admission", ("jail_release", "prison_admission"),
                                "jail_bed_days"),
                               ("prison_admission", ("prison_release",), "prison_bed_days")):
        spells = custody_spells(pilot_run.events, start, *end)
        total = (np.minimum(spells["release"], days) - spells["first"]).sum()
        assert total == pilot_run.summary[column] > 0
