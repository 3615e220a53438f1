"""The plain-words account of the month (lead_sim.outcomes.explain), checked against the
model's state."""

from __future__ import annotations

import datetime as dt

from lead_sim.model import LeadModel
from lead_sim.outcomes.explain import explain_month
from lead_sim.viz.levers import build_scenario


def run_to(scenario, date: dt.date, seed: int = 2) -> LeadModel:
    model = LeadModel(scenario, seed)
    while model.date < date:
        model.step()
    return model


def test_before_any_step_it_says_so():
    model = LeadModel(build_scenario("pilot_2011", population=1_000), 0)
    assert explain_month(model) == [
        "Nothing has happened yet: press Step or Play to start the simulation."]


def test_no_lead_means_no_coverage_and_no_case_managers():
    model = run_to(build_scenario("system_as_usual", population=2_000), dt.date(2012, 3, 15))
    lines = explain_month(model)
    assert lines[0] == "March 2012, 14 days so far."
    assert "LEAD covers no neighbourhood, so every eligible arrest goes the usual way." in lines
    assert "No LEAD case managers are funded." in lines
    arrests = model.record.frame(model.day)["arrests"].iloc[-14:].sum()
    assert any(line.startswith(f"{arrests:,} arrests") for line in lines)


def test_full_caseloads_are_named_as_the_reason_for_the_waitlist():
    """One case manager with five places and officers who divert every eligible arrest: the
    waitlist must form (with 20,000 people, dozens are diverted in the pilot areas within a
    few months), and the account must say why and where people were diverted. 20,000 people
    is the registry's population default, so the budget buys one case manager whether or not
    budgets are scaled to the simulated population."""
    levers = {"budget_usd_per_year": 200_000.0, "case_management_share": 0.7,
              "caseload_cap": 5, "diversion_propensity": 1.0,
              "social_referral_propensity": 1.0}
    model = run_to(build_scenario("pilot_2011", population=20_000, levers=levers),
                   dt.date(2012, 2, 20))
    lines = explain_month(model)
    text = "\n".join(lines)
    row = model.record.frame(model.day).iloc[-1]
    assert row["lead_waitlist"] > 0
    assert f"Waitlist {int(row['lead_waitlist']):,} because caseloads are full (5 of 5 places " \
           "taken)." in text
    assert "diverted to LEAD instead (" in text
    assert "in Belltown" in text or "in Skyway" in text
    assert "LEAD covers Belltown, Skyway." in lines


def test_caseloads_above_the_places_left_after_a_cut_are_explained():
    """After a budget cut, departing case managers keep their participants: more people can be
    on caseloads than the remaining posts have places, and "60 of 44 places taken" would
    read as an error."""
    import pandas as pd

    from lead_sim.outcomes.explain import _caseload

    last = pd.Series({"lead_active": 50, "lead_inactive": 10, "lead_capacity": 44,
                      "case_managers": 1.0, "lead_waitlist": 7})
    text = _caseload(None, last)
    assert "Waitlist 7 because caseloads hold 60 people for 44 places: after a budget cut" in text
    assert "of 44 places taken" not in text
