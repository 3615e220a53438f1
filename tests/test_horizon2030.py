"""Scenarios to 2030: the dated context after 2021, the funding paths from 2026, and the marking
of days past the last dated evidence (docs/model.md, "Scenarios to 2030")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from lead_sim import load_scenario, prepare, simulate
from lead_sim.neighbourhoods import AREA_KEYS, area_groups, booking_restricted
from lead_sim.scenarios.notices import horizon_notices, past_evidence
from lead_sim.scenarios.schema import EVIDENCE_END

END = dt.date(2030, 12, 31)
PATHS = ("king_county_2030", "king_county_2030_grown", "king_county_2030_cut")
SMALL = 1_000  # people: enough arrests a year for the rates below, quick over 21 years


def _budgets(name: str) -> dict[dt.date, float]:
    scn = load_scenario(name)
    return {e.date: e.set["budget_usd_per_year"] for e in scn.timeline
            if "budget_usd_per_year" in e.set}


def _yearly(ts: pd.DataFrame, first: str, last: str) -> pd.Series:
    window = ts[(ts["date"] >= first) & (ts["date"] <= last)]
    return window[["arrests", "bookings", "in_lieu_referrals", "misdemeanor_charges"]].sum()


@pytest.mark.parametrize("name", [*PATHS, "system_as_usual_2030"])
def test_the_2030_scenarios_run_from_2010_to_the_end_of_2030(name):
    scn = load_scenario(name)
    assert (scn.start_date, scn.end_date) == (dt.date(2010, 1, 1), END)
    assert scn.extrapolated_from == EVIDENCE_END + dt.timedelta(days=1)


def test_king_county_2030_is_king_county_until_2022():
    """The runs to 2021 are the calibrated history: the 2030 scenario changes nothing in it."""
    first = load_scenario("king_county_2030").first_difference(load_scenario("king_county"))
    assert first == dt.date(2023, 1, 1)  # the council's 2023 money (O19) is its first own entry
    assert load_scenario("system_as_usual_2030").first_difference(
        load_scenario("system_as_usual")) is None  # the same policy, only a longer run


def test_runs_to_2030_repeat_the_runs_to_2021_day_for_day():
    short = simulate(prepare("king_county", population=SMALL), 3).timeseries
    long = simulate(prepare("king_county_2030", population=SMALL), 3).timeseries
    head = long[long["date"] <= "2021-12-31"].drop(columns="scenario")
    pd.testing.assert_frame_equal(head, short.drop(columns="scenario"))


@pytest.mark.parametrize("variant", PATHS[1:])
def test_the_funding_variants_share_everything_before_2026(variant):
    base, scn = load_scenario(PATHS[0]), load_scenario(variant)
    assert scn.first_difference(base) == dt.date(2026, 1, 1)
    before = [e for e in scn.timeline if e.date < dt.date(2026, 1, 1)]
    assert before == [e for e in base.timeline if e.date < dt.date(2026, 1, 1)]
    assert scn.params == base.params


def test_the_funding_paths_hold_grow_and_cut_ten_percent_a_year_from_2025():
    flat, grown, cut = (_budgets(name) for name in PATHS)
    level_2025 = flat[dt.date(2024, 1, 1)]
    assert level_2025 == 15_550_000 and max(flat) == dt.date(2024, 1, 1)  # flat: no later change
    for k, year in enumerate(range(2026, 2031), start=1):
        assert grown[dt.date(year, 1, 1)] == pytest.approx(level_2025 * 1.1 ** k, abs=1)
        assert cut[dt.date(year, 1, 1)] == pytest.approx(level_2025 * 0.9 ** k, abs=1)


def test_restricted_areas_follow_each_lifting_step():
    """O24: lifted in downtown Seattle, then the rest of Seattle, then for every agency."""
    seattle, west = set(area_groups()["seattle"]), set(area_groups()["west"])
    by_area = {scope: dict(zip(AREA_KEYS, booking_restricted(scope), strict=True))
               for scope in ("none", "everywhere", "outside_downtown", "outside_seattle")}
    assert not any(by_area["none"].values()) and all(by_area["everywhere"].values())
    assert {a for a, r in by_area["outside_downtown"].items() if not r} == west
    assert {a for a, r in by_area["outside_seattle"].items() if not r} == seattle
    assert west == {"belltown", "downtown"}


def test_booking_restrictions_act_on_their_dates():
    """The model's restricted areas on each date of O24 (and the 2022 start) in a 2030 run."""
    from lead_sim.model import LeadModel

    model = LeadModel(prepare("system_as_usual_2030", population=200), seed=1)
    expected = [("2021-12-31", "none"), ("2022-01-01", "everywhere"),
                ("2024-07-23", "everywhere"), ("2024-07-24", "outside_downtown"),
                ("2024-10-31", "outside_downtown"), ("2024-11-01", "outside_seattle"),
                ("2025-01-31", "outside_seattle"), ("2025-02-01", "none")]
    for text, scope in expected:
        date = dt.date.fromisoformat(text)
        model.simulate_until((date - model.lead_scenario.start_date).days + 1)
        assert model.p["misdemeanor_booking_restriction"] == scope, date
        assert model.booking_restricted.tolist() == list(booking_restricted(scope)), date


@pytest.fixture(scope="module")
def as_usual_2030():
    return simulate(prepare("system_as_usual_2030", population=SMALL), 4).timeseries


def test_restrictions_cut_bookings_and_their_lifting_restores_them(as_usual_2030):
    """Booked share of arrests not referred in lieu: about booking_share (0.85) in 2019-20,
    about restricted_booking_share (0.1) in 2022-23 (everything is a misdemeanour after Blake),
    back up in 2026-27. Tolerance 0.1: about 1,000 arrests a year at this size."""
    def booked(first: str, last: str) -> float:
        y = _yearly(as_usual_2030, first, last)
        return y["bookings"] / (y["arrests"] - y["in_lieu_referrals"])

    assert booked("2019-01-01", "2020-12-31") == pytest.approx(0.85, abs=0.1)
    assert booked("2022-01-01", "2023-12-31") == pytest.approx(0.1, abs=0.1)
    assert booked("2026-01-01", "2027-12-31") == pytest.approx(0.85, abs=0.1)


def test_sb_5536_ends_referral_in_lieu_and_diverts_possession_charges(as_usual_2030, tmp_path):
    """From 1 Jul 2023 (O25) no arrest is referred in lieu of booking, and possession charges
    go to pretrial diversion: the same run without the diversion (a child scenario setting its
    share to 0 on that date) is identical before it and files more charges after it."""
    ts = as_usual_2030
    assert _yearly(ts, "2021-03-01", "2023-06-30")["in_lieu_referrals"] > 0
    assert _yearly(ts, "2023-07-01", "2030-12-31")["in_lieu_referrals"] == 0
    child = Path(tmp_path) / "no_diversion.toml"
    child.write_text('name = "no_diversion"\nextends = "system_as_usual_2030"\n'
                     '[[timeline]]\ndate = 2023-07-01\n'
                     'set = { pretrial_diversion_share = 0.0 }\n', encoding="utf-8")
    other = simulate(prepare(str(child), population=SMALL), 4).timeseries
    cols = ["arrests", "bookings", "misdemeanor_charges", "jail_population"]
    before = ts["date"] < "2023-07-01"
    assert np.array_equal(ts.loc[before, cols].to_numpy(), other.loc[before, cols].to_numpy())
    with_diversion = _yearly(ts, "2023-07-01", "2024-06-30")["misdemeanor_charges"]
    without = _yearly(other, "2023-07-01", "2024-06-30")["misdemeanor_charges"]
    assert with_diversion < 0.9 * without


def test_runs_mark_the_days_past_the_evidence(tmp_path):
    from lead_sim import run

    results = run("system_as_usual_2030", population=200, seed=2)
    ts = results.timeseries
    assert list(ts.columns[ts.columns.get_loc("date"):][:2]) == ["date", "extrapolated"]
    assert not ts.loc[ts["date"] <= pd.Timestamp(EVIDENCE_END), "extrapolated"].any()
    assert ts.loc[ts["date"] > pd.Timestamp(EVIDENCE_END), "extrapolated"].all()
    assert "2025-02-02" in results.manifest["notices"][0]
    written = pd.read_csv(results.write(tmp_path / "out") / "timeseries.csv")
    assert written["extrapolated"].sum() == (dt.date(2030, 12, 31) - EVIDENCE_END).days
    short = run("system_as_usual", population=200, seed=2, years=1)
    assert not short.timeseries["extrapolated"].any() and short.manifest["notices"] == []


def test_notices_name_every_scenario_past_the_evidence_once():
    names = ["system_as_usual_2030", "king_county_2030"]
    prepared = [prepare(n) for n in names]
    notices = horizon_notices(names, prepared, None)
    assert len(notices) == 1 and notices == past_evidence(prepared)
    assert "'system_as_usual_2030', 'king_county_2030' run to 2030-12-31" in notices[0]
    assert "2025-02-01, row O24" in notices[0] and "from 2025-02-02 on" in notices[0]
    assert past_evidence([prepare("king_county")]) == []  # ends 2021-12-31
    assert past_evidence([prepare("king_county", years=16)])  # --years 16 runs into 2025


def _fake_comparison(extrapolated_from: str | None) -> SimpleNamespace:
    dates = pd.date_range("2024-01-01", "2026-12-31", freq="D")
    frames = [pd.DataFrame({"scenario": scn, "seed": seed, "date": dates,
                            "jail_population": 10.0 + seed, "lead_active": 5,
                            "lead_inactive": 1, "lead_waitlist": 0})
              for scn in ("a", "b") for seed in (0, 1)]
    ts = pd.concat(frames, ignore_index=True)
    ts.insert(3, "extrapolated", extrapolated_from is not None
              and ts["date"] >= pd.Timestamp(extrapolated_from or "2100-01-01"))
    return SimpleNamespace(timeseries=ts, baseline="a", scenarios=["b"])


def test_figures_over_time_shade_the_extrapolated_span():
    from lead_sim.reports.figures import EXTRAPOLATED_LABEL, jail_population, lead_caseload

    for draw in (jail_population, lead_caseload):
        fig = draw(_fake_comparison("2025-02-02"))
        spans = [p for p in fig.axes[0].patches if p.get_label() == EXTRAPOLATED_LABEL]
        assert len(spans) == 1, draw.__name__
        left = spans[0].get_x()  # matplotlib date units: days since 1970-01-01
        assert left == pytest.approx((dt.date(2025, 2, 2) - dt.date(1970, 1, 1)).days, abs=31)
        plain = draw(_fake_comparison(None))
        assert not [p for p in plain.axes[0].patches if p.get_label() == EXTRAPOLATED_LABEL]


def test_the_report_says_what_the_shading_means():
    from lead_sim.reports.compare import extrapolation_note

    assert "from 2025-02-02 on" in extrapolation_note(_fake_comparison("2025-02-02"))
    assert "row O24" in extrapolation_note(_fake_comparison("2025-02-02"))
    assert extrapolation_note(_fake_comparison(None)) == ""


def test_golden_seeds_stay_with_their_scenarios_when_one_is_added():
    from lead_sim import builtin_names
    from tests.golden.fingerprint import seeds

    committed = {"king_county": {"seed": 2}, "system_as_usual": {"seed": 5},
                 "gone_scenario": {"seed": 9}}
    got = seeds(committed)
    assert got["king_county"] == 2 and got["system_as_usual"] == 5
    assert "gone_scenario" not in got and set(got) == set(builtin_names())
    new = sorted(set(builtin_names()) - {"king_county", "system_as_usual"})
    assert [got[n] for n in new] == list(range(6, 6 + len(new)))


def test_the_scenarios_listing_shows_the_2030_paths_and_their_extrapolation(capsys):
    import argparse

    from lead_sim.commands.scenarios import handle

    handle(argparse.Namespace(name=None))
    listing = capsys.readouterr().out.splitlines()
    grown = next(line for line in listing if line.startswith("king_county_2030_grown "))
    assert "10% a year from 2026" in grown
    column = grown.index("King County")  # every description starts in the same column
    assert all(line[column - 1] == " " and line[column] != " " for line in listing)
    handle(argparse.Namespace(name="king_county_2030_cut"))
    shown = capsys.readouterr().out
    assert "days from 2025-02-02 on are an extrapolation" in shown
    assert "2030-01-01  budget_usd_per_year = 9182120" in shown
    handle(argparse.Namespace(name="king_county"))
    assert "extrapolation" not in capsys.readouterr().out
