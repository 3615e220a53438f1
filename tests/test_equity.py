"""Equity: the race/ethnicity attribute, its mechanisms, equity.csv, compare's indices and
report section, and sweeps that target a disparity (docs/equity.md)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lead_sim.engine.recorder import COUNTS, EQUITY
from lead_sim.engine.streams import Streams
from lead_sim.groups import AT_RISK, GROUPS, REFERENCE, area_shares, equity_parameters
from lead_sim.model import LeadModel
from lead_sim.neighbourhoods import AREA_KEYS, AREAS
from lead_sim.outcomes import equity
from lead_sim.params import REGISTRY
from lead_sim.runs.comparison import compare
from lead_sim.runs.runner import prepare, run, simulate
from lead_sim.sensitivity.spec import outcome_names
from lead_sim.sensitivity.targets import LeadTarget
from tests.html_page import Page

BLACK, WHITE = GROUPS.index("black"), GROUPS.index(REFERENCE)
SEED = 11


def _model(scenario: str = "system_as_usual", years: float = 2.0, population: int = 3000,
           **params) -> LeadModel:
    model = LeadModel(scenario, SEED, years=years, population=population, **params).run()
    model.finish()
    return model


def _rri(model: LeadModel, outcome: str, per: str = "person_days") -> float:
    return float(equity.rri(equity.wide(model), outcome, per)["black"])


# ---- the attribute ------------------------------------------------------------------------------
def test_the_group_is_drawn_from_its_own_stream():
    """Each person's group is the area's share at the uniform of the 'group' stream, nothing
    else; and changing every group draw (place_segregation) changes no other attribute or
    outcome: the group's stream is separate from every existing draw."""
    model = LeadModel("system_as_usual", SEED, years=1, population=2000)
    pop = model.population
    u = Streams(SEED).uniform("group", 0, pop.ids)
    cdf = np.cumsum(area_shares(AREA_KEYS, tuple(model.area_weights)), axis=1)
    expected = [min(np.searchsorted(cdf[a], x), len(GROUPS) - 1) for a, x in
                zip(pop.area, u, strict=True)]
    assert pop.group.tolist() == expected

    flat = LeadModel("system_as_usual", SEED, years=1, population=2000, place_segregation=0.0)
    assert (flat.population.group != pop.group).any()  # the groups moved ...
    for name in ("area", "frailty", "severe_sud", "homeless", "violent_history",
                 "prior_convictions", "next_contact", "log_grams"):
        assert np.array_equal(getattr(flat.population, name), getattr(pop, name)), name
    model.run()
    flat.run()  # ... and nothing else moved, all year
    assert model.record.frame().equals(flat.record.frame())


def test_composition_by_area_follows_the_declared_shares():
    """At 60,000 people, each area's group shares lie within 4 binomial standard errors (plus
    0.005 for the cumulative-share rounding) of lead_sim.groups.area_shares."""
    model = LeadModel("system_as_usual", 3, years=0.1, population=60_000)
    pop = model.population
    shares = np.array(area_shares(AREA_KEYS, tuple(a.weight for a in AREAS)))
    for a in range(len(AREA_KEYS)):
        here = pop.group[pop.area == a]
        got = np.bincount(here, minlength=len(GROUPS)) / len(here)
        se = np.sqrt(shares[a] * (1 - shares[a]) / len(here))
        assert np.all(np.abs(got - shares[a]) <= 4 * se + 0.005), AREA_KEYS[a]
    overall = np.bincount(pop.group, minlength=len(GROUPS)) / pop.n
    assert np.allclose(overall, AT_RISK, atol=0.03)  # E8's mix, tilted by place only


def test_every_equity_parameter_is_declared_sweepable_with_a_neutral_default():
    for name, default, *_ in equity_parameters():
        param = REGISTRY[name]
        assert param.group == "equity" and param.sweepable and param.source
        assert default == 1.0 and param.low <= 1.0 <= param.high


# ---- mechanisms ---------------------------------------------------------------------------------
# Fixed seeds, 3,000 people over 2 years: the ratios move by far more than their noise.
def _exposure(power: float) -> np.ndarray:
    """The mean presence ** power each group's people at risk live under (declared shares),
    relative to White's."""
    weights = np.array([a.weight for a in AREAS])
    presence = np.array([a.presence for a in AREAS]) ** power
    shares = np.array(area_shares(AREA_KEYS, tuple(weights)))
    mean = (weights[:, None] * shares * presence[:, None]).sum(0) / (weights @ shares)
    return mean / mean[WHITE]


def test_police_presence_moves_contacts_as_the_declared_shares_predict():
    """Sharpening the differences in police presence (presence_concentration 3, against 0:
    every area alike) raises the contact RRI of the group the declared shares expose most to
    heavily policed areas and lowers it for the least exposed (same seed: same people)."""
    even = equity.wide(_model(presence_concentration=0.0, population=6000))
    sharp = equity.wide(_model(presence_concentration=3.0, population=6000))
    predicted = _exposure(3.0)
    most, least = GROUPS[int(np.argmax(predicted))], GROUPS[int(np.argmin(predicted))]
    assert predicted.max() > 1.15 and predicted.min() < 0.85  # a contrast worth testing
    before, after = equity.rri(even, "contacts"), equity.rri(sharp, "contacts")
    assert after[most] > before[most] * 1.05
    assert after[least] < before[least] / 1.05


def test_contact_ratio_raises_black_contacts():
    base, tripled = _model(), _model(contact_ratio_black=3.0)
    assert _rri(tripled, "contacts") > 2.0 * _rri(base, "contacts")
    assert _rri(tripled, "bookings") > 2.0 * _rri(base, "bookings")


def test_diversion_ratio_zero_means_no_black_diversions_or_referrals():
    base = equity.wide(_model("pilot_2011", years=3))
    none = equity.wide(_model("pilot_2011", years=3, diversion_ratio_black=0.0))
    assert base.loc["black", "arrest_diversions"] + base.loc["black",
                                                             "social_contact_referrals"] > 0
    assert none.loc["black", "arrest_diversions"] == 0
    assert none.loc["black", "social_contact_referrals"] == 0
    assert none.loc["white", "arrest_diversions"] > 0


def test_violent_history_and_prior_ratios_change_the_drawn_attributes():
    model = LeadModel("system_as_usual", SEED, population=20_000, years=0.1,
                      violent_history_ratio_black=5.0, priors_ratio_black=3.0)
    pop = model.population
    black, white = pop.group == BLACK, pop.group == WHITE
    share = REGISTRY["share_violent_history"].default
    assert pop.violent_history[black].mean() == pytest.approx(5 * share, abs=0.03)
    assert pop.violent_history[white].mean() == pytest.approx(share, abs=0.02)
    assert pop.prior_convictions[black].mean() > 2.0 * pop.prior_convictions[white].mean()


def test_violent_history_ratio_excludes_black_people_from_diversion():
    def diverted_per_arrest(model):
        frame = equity.wide(model)
        return frame.loc["black", "arrest_diversions"] / frame.loc["black", "arrests"]

    base = _model("king_county", years=10)  # about 240 diversions of Black people
    excluded = _model("king_county", years=10, violent_history_ratio_black=5.0)
    # 40% rather than 8% excluded: about (1 - 0.40 - 0.07) / (1 - 0.08 - 0.07) = 0.62 as many
    # eligible, so clearly fewer diversions per arrest (0.73 as many at this seed)
    assert diverted_per_arrest(excluded) < 0.85 * diverted_per_arrest(base)


def test_hold_ratio_lengthens_black_jail_stays_per_booking():
    base, held = _model(), _model(hold_ratio_black=5.0)
    # 1.40 times at this seed
    assert _rri(held, "jail_bed_days", "bookings") > 1.2 * _rri(base, "jail_bed_days",
                                                                   "bookings")


def test_felony_ratio_zero_means_no_black_felony_charges():
    base = equity.wide(_model(possession_class="felony"))
    none = equity.wide(_model(possession_class="felony", felony_ratio_black=0.0))
    assert base.loc["black", "felony_charges"] > 0
    assert none.loc["black", "felony_charges"] == 0
    assert none.loc["white", "felony_charges"] == base.loc["white", "felony_charges"]


# ---- equity.csv ---------------------------------------------------------------------------------
def test_equity_csv_sums_to_summary_csv(tmp_path):
    results = run("pilot_2011", seed=5, reps=2, years=3, population=1500, out_dir=tmp_path)
    results.write(tmp_path)
    summary = pd.read_csv(tmp_path / "summary.csv")
    rows = pd.read_csv(tmp_path / "equity.csv")
    assert list(rows.columns) == ["scenario", "seed", "group", "outcome", "value"]
    assert set(rows["outcome"]) == set(equity.OUTCOMES)
    sums = rows.groupby(["seed", "outcome"])["value"].sum().unstack()
    for _, row in summary.iterrows():
        for name in (*COUNTS, "jail_bed_days", "prison_bed_days", "person_days",
                     "cohort_6m", "cohort_12m", "cohort_24m"):
            assert sums.loc[row["seed"], name] == row[name], name
        share = sums.loc[row["seed"], "rearrested_12m"] / sums.loc[row["seed"], "cohort_12m"]
        assert share == pytest.approx(row["rearrest_12m"], rel=1e-12)
    assert summary["arrest_diversions"].sum() > 0  # LEAD ran, so every count was exercised


def test_the_tally_by_area_sums_to_the_record():
    model = _model("pilot_2011", years=2, population=1500)
    by_area = equity.by_area(model)
    assert list(by_area.columns) == ["group", "area", "outcome", "value"]
    totals = by_area.groupby("outcome")["value"].sum()
    record = model.record.frame()
    for name in COUNTS:
        assert totals[name] == record[name].sum(), name
    assert set(by_area["outcome"]) == set(EQUITY)


# ---- compare ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def comparison():
    return compare("system_as_usual", "king_county", reps=3, seed=1, years=4,
                   population=2500, seeds_only=True)


def test_compare_gives_rri_rows_with_intervals(comparison):
    table = comparison.equity
    assert list(table.columns) == ["scenario", "group", "outcome", "mean", "low", "high",
                                   "diff_mean", "diff_low", "diff_high"]
    rri = table[table["outcome"] == "rri_bookings"]
    ref = rri[rri["group"] == REFERENCE]
    assert (ref["mean"] == 1.0).all()  # the reference group against itself
    black = rri[rri["group"] == "black"].set_index("scenario")
    for scenario in ("system_as_usual", "king_county"):
        assert black.loc[scenario, "low"] <= black.loc[scenario, "mean"] <= black.loc[
            scenario, "high"]
    assert math.isnan(black.loc["system_as_usual", "diff_mean"])
    assert black.loc["king_county", "diff_low"] <= black.loc["king_county", "diff_mean"]
    assert {"rri_bookings_per_contact", "rri_jail_bed_days", "rri_rearrest_12m"} <= set(
        table["outcome"])
    # the index is the ratio of per-person rates, replicate by replicate
    runs = comparison.equity_runs
    one = runs[(runs["scenario"] == "king_county") & (runs["seed"] == 1)]
    wide = one.pivot(index="group", columns="outcome", values="value")
    rate = wide["bookings"] / wide["person_days"]
    assert wide.loc["black", "rri_bookings"] == pytest.approx(rate["black"] / rate["white"])


def test_the_report_has_an_equity_section_in_plain_words(comparison, tmp_path):
    comparison.write(tmp_path / "out")
    page = Page((tmp_path / "out" / "report.html").read_text(encoding="utf-8"))
    section = page.section("Equity: who is arrested, booked and jailed")
    text = section.text
    assert "The Black/white ratio of bookings per person at risk" in text
    assert "under system_as_usual to" in text and "under king_county" in text
    assert "not an estimate of discrimination" in text  # the caveat beside the numbers
    assert (tmp_path / "out" / "equity.csv").exists()
    assert (tmp_path / "out" / "runs" / "equity.csv").exists()


# ---- sweeps -------------------------------------------------------------------------------------
def test_sweeps_accept_an_equity_target():
    assert "rri_bookings_black" in outcome_names()
    scenario = prepare("system_as_usual", years=1, population=1500)
    target = LeadTarget(scenario, (), ("rri_bookings_black", "arrests"))
    got = target({}, 4)
    result = simulate(scenario, 4)
    frame = equity.from_long(result.equity)
    rate = frame["bookings"] / frame["person_days"]
    assert got["rri_bookings_black"] == pytest.approx(rate["black"] / rate["white"])
    assert got["arrests"] == result.summary["arrests"]
