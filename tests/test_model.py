"""Invariants of the daily state and of the accounting, checked while a model runs."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from lead_sim import LeadModel, prepare
from lead_sim.agents import case_management
from lead_sim.agents.population import check
from lead_sim.agents.states import NEVER, Charge, Need, NeedStatus, State
from lead_sim.engine.events import ARREST_DIVERTED
from lead_sim.justice import custody
from lead_sim.outcomes.measures import summary, timeseries
from lead_sim.params import PAYERS
from tests.conftest import small_run


def check_day(model: LeadModel) -> None:
    pop, p = model.population, model.p
    # everyone is in exactly one known state
    assert pop.state.min() >= 0 and pop.state.max() < len(State)
    custody = pop.state >= State.JAIL_PRETRIAL
    assert np.all(pop.next_contact[custody] == NEVER)  # no police contact in custody
    assert np.all(pop.release_day[custody] > model.day - 1)
    # caseloads agree with the people on them and respect the cap
    on_caseload = pop.case_manager >= 0
    members = set().union(*(cm.caseload for cm in model.program.case_managers))
    assert members == set(np.flatnonzero(on_caseload).tolist())
    assert sum(len(cm.caseload) for cm in model.program.case_managers) == len(members)
    for cm in model.program.case_managers:  # nobody above their places (the cap is fixed here)
        assert len(cm.caseload) <= cm.places() <= p["caseload_cap"]
    lead_states = (State.LEAD_ACTIVE, State.LEAD_INACTIVE)
    assert np.all(np.isin(pop.state[on_caseload], (*lead_states, State.JAIL_PRETRIAL,
                                                     State.JAIL_SENTENCED)))
    assert not np.any(np.isin(pop.state[~on_caseload], lead_states))
    # finite services are never over-filled, their counters match the people, and a place
    # meets its need (the contact hazard relies on it)
    for pool in model.services:
        held = getattr(pop, pool.service.occupancy)
        assert pool.occupied == int(held.sum())
        assert pool.occupied <= pool.capacity  # built-in budgets never shrink
        assert np.all(pop.needs[held, getattr(Need, pool.service.need)] == NeedStatus.MET)
    # every per-person array holds values within its declared bounds
    assert check(pop) == []
    # a scheduled supervision violation falls inside the person's term
    pending = pop.violation_day != NEVER
    assert np.all(pop.violation_day[pending] < pop.supervision_end_day[pending])


def test_state_and_caseload_invariants_hold_every_day():
    scenario = prepare("seattle_citywide", population=3_000, years=6)
    model = LeadModel(scenario, seed=3)
    while model.running:
        model.step()
        check_day(model)
    assert model.record.frame()["lead_active"].max() > 0  # the checks saw LEAD at work


def test_lead_spends_nothing_until_it_covers_an_area():
    """A budget set before LEAD covers any area (or given to a scenario without LEAD, as
    ``--set budget_usd_per_year=...`` does to the baseline) would pay case managers with no
    one to refer to them: a cost of a programme that never ran, shown as LEAD's."""
    usual = prepare("system_as_usual", population=3_000, years=2,
                    overrides={"budget_usd_per_year": 2e6})
    frame = LeadModel(usual, seed=1).run().record.frame()
    assert frame["cost_lead_case_management"].sum() == 0 and frame["case_managers"].max() == 0
    pilot = prepare("pilot_2011", population=3_000, years=3,
                    overrides={"budget_usd_per_year": 2e6})  # from 2010; the pilot from Oct 2011
    frame = LeadModel(pilot, seed=1).run().record.frame()
    launch = (dt.date(2011, 10, 1) - pilot.start_date).days
    paid = frame["cost_lead_case_management"].to_numpy() > 0
    assert not paid[:launch].any() and paid[launch:].all()


def test_a_budget_for_part_of_a_case_manager_buys_a_part_time_one():
    """At 3,000 people the pilot's scaled budget pays for 0.6 of a case manager: that must be
    one case manager with 60% of the caseload places and 60% of the cost, not nobody."""
    scenario = prepare("pilot_2011", population=3_000, years=2, overrides={"caseload_cap": 40})
    model = LeadModel(scenario, seed=1).run()
    p = model.p
    fte = (p["budget_usd_per_year"] * 3_000 / p["reference_population"]
           * p["case_management_share"] / p["case_manager_annual_cost"])
    assert np.isclose(fte, 0.6)
    [cm] = model.program.case_managers
    assert np.isclose(cm.fte, fte) and cm.places() == 24 == model.program.capacity()
    last = model.record.frame().iloc[-1]
    assert np.isclose(last["case_managers"], fte)
    assert np.isclose(last["cost_lead_case_management"], fte * 140_000 / 365.25)


def test_demand_staffing_pays_for_the_caseload_at_the_cap_at_any_sample_size():
    """full_capacity hires to demand from October 2011. A small sample must not pay a whole
    salary for a handful of participants: every day after the switch, each case manager's
    hours are their caseload over the cap (plus room for anyone waiting), so no one waits
    overnight and payroll is the caseload in case-manager units."""
    scenario = prepare("full_capacity", population=1_500, years=3)
    model = LeadModel(scenario, seed=2)
    switch = (dt.date(2011, 10, 1) - scenario.start_date).days
    while model.running:
        model.step()
        if model.day > switch:
            program = model.program
            on_caseloads = sum(len(cm.caseload) for cm in program.case_managers)
            assert len(program.waitlist) == 0
            assert np.isclose(program.staff_fte(), on_caseloads / 25)
            assert all(0 < cm.fte <= 1 for cm in program.case_managers)
    assert model.record.frame()["lead_active"].max() > 0  # the check saw participants


def test_a_budget_cut_takes_effect_as_caseloads_drain_and_a_restore_brings_staff_back():
    """Cut the pilot's four case managers to 1.3 posts, then restore the budget."""
    scenario = prepare("pilot_2011", population=20_000, years=4, overrides={"caseload_cap": 40})
    model = LeadModel(scenario, seed=1)
    while model.date < dt.date(2013, 6, 1):
        model.step()
    program = model.program
    staff = {cm.unique_id: len(cm.caseload) for cm in program.case_managers}
    assert len(staff) == 4 and min(staff.values()) > 12  # every caseload above 0.3 x 40

    def set_budget(usd: float) -> None:
        model.p = model.p.updated({"budget_usd_per_year": usd})
        model._apply_settings({"budget_usd_per_year"})

    set_budget(800_000 * 1.3 / 4)
    working = [cm for cm in program.case_managers if not cm.retiring]
    assert sorted(cm.fte for cm in working) == pytest.approx([0.3, 1.0])
    assert [len(cm.caseload) for cm in working if cm.fte < 1] == [0]  # a new part-time hire
    assert program.capacity() == 40 + 12 and program.working_fte() == pytest.approx(1.3)
    assert program.staff_fte() == pytest.approx(4.3)  # the retiring three are paid until empty
    set_budget(800_000)
    assert {cm.unique_id for cm in program.case_managers} == set(staff)  # the same four
    assert all(cm.fte == 1.0 and not cm.retiring for cm in program.case_managers)


def test_custody_during_intake_files_the_held_charge():
    scenario = prepare("pilot_2011", population=3_000, years=1,
                       overrides={"charge_filing_share": 1.0})
    model = LeadModel(scenario, seed=2)
    pop, day = model.population, 10
    person = np.flatnonzero(pop.state == State.COMMUNITY)[:1]
    case_management.refer(model.world, model.values, person,
                          np.array([Charge.MISDEMEANOR], np.int8), day)
    assert pop.held_charge[person[0]] == Charge.MISDEMEANOR
    custody.enter_custody(model.world, model.values, person, State.JAIL_SENTENCED,
                        np.array([day + 3]), day)
    assert pop.held_charge[person[0]] == Charge.NONE
    assert pop.pending_charge[person[0]] == Charge.MISDEMEANOR  # filed, not forgotten
    assert day < pop.disposition_day[person[0]] < NEVER
    # the filing's case costs land on the day it was filed (the model itself is still at day 0)
    p = model.p
    case_cost = sum(p[f"{key}_misdemeanor"] for key in ("prosecution_cost", "defense_cost",
                                                        "court_cost"))
    assert model.ledger.daily[day].sum() == pytest.approx(case_cost)
    assert model.ledger.daily.sum() == pytest.approx(case_cost)


def _bed_days_from_log(events: pd.DataFrame, admissions: set[str], releases: set[str],
                      days: int) -> int:
    """Bed-days rebuilt from the event log alone: a person counts every night from an admission
    to the next release (the model counts who is in custody at the end of each day, so the
    release day is not one). A stay still open at the end runs to the last day."""
    rows = events[events["kind"].isin(admissions | releases)]
    rows = rows.sort_values(["person", "day"], kind="stable")  # a day's events in log order
    total, since = 0, {}
    for person, day, kind in zip(rows["person"], rows["day"], rows["kind"], strict=True):
        if kind in admissions:
            since.setdefault(person, day)  # an admission while in custody continues the stay
        elif person in since:
            total += day - since.pop(person)
    return total + sum(days - day for day in since.values())


def test_bed_days_and_costs_add_up():
    scenario = prepare("king_county", population=3_000, years=5)
    model = LeadModel(scenario, seed=5).run()
    model.finish()
    row, ts = summary(model), timeseries(model)
    # the daily stocks agree with the admissions and releases in the event log
    ev, days = model.events.to_frame(), scenario.days
    prison = _bed_days_from_log(ev, {"prison_admission"}, {"prison_release"}, days)
    custody = _bed_days_from_log(ev, {"jail_admission", "prison_admission"},
                                 {"jail_release", "prison_release"}, days)
    assert row["prison_bed_days"] == prison > 0
    assert row["jail_bed_days"] == custody - prison > 0
    # the daily record took every cost the ledger was charged (none after a day was accounted)
    assert np.isclose(ts["cost_total"].sum(), row["cost_total"], rtol=1e-12)
    for payer in PAYERS:
        assert np.isclose(ts[f"cost_{payer}"].sum(), row[f"cost_{payer}"], rtol=1e-12)
    # jail cost = bookings x booking cost + bed-days x bed-day rate
    p = model.p
    expected_jail = row["bookings"] * p["booking_cost"] + row["jail_bed_days"] * \
        p["jail_bed_day_cost"]
    assert np.isclose(row["cost_jail"], expected_jail)
    assert row["person_days"] == 3_000 * scenario.days
    assert len(ts) == scenario.days
    assert pd.Index(ts["date"]).is_monotonic_increasing


def test_every_arrest_is_booked_cited_referred_or_diverted(pilot_run):
    """Matched by person and day (one police contact a day at most): a diverted arrest is a
    diversion; any other arrest is booked, referred in lieu of booking, or cited (no event)."""
    ev = pilot_run.events
    arrests = ev[ev["kind"] == "arrest"]
    diverted = (arrests["detail"].to_numpy() & ARREST_DIVERTED) > 0
    as_usual = set(arrests.loc[~diverted, ["person", "day"]].itertuples(index=False))
    booked, in_lieu = _person_days(ev, "booking"), _person_days(ev, "in_lieu_referral")
    assert _person_days(ev, "arrest_diversion") == set(
        arrests.loc[diverted, ["person", "day"]].itertuples(index=False))
    assert booked <= as_usual and in_lieu <= as_usual and not booked & in_lieu
    assert len(booked) == (ev["kind"] == "booking").sum()  # nobody booked twice in a day
    assert as_usual - booked - in_lieu  # and some arrests end in a citation
    assert diverted.any() and booked  # the checks saw both


def _first_day(events: pd.DataFrame, kind: str) -> pd.Series:
    return events[events["kind"] == kind].groupby("person")["day"].min()


def _person_days(events: pd.DataFrame, kind: str) -> set:
    return set(events.loc[events["kind"] == kind, ["person", "day"]].itertuples(index=False))


def test_supervision_starts_at_a_conviction_and_is_costed(pilot_run):
    ev = pilot_run.events
    starts = _first_day(ev, "supervision_start")
    violations = _first_day(ev, "supervision_violation")
    assert len(violations) > 0  # the checks below saw violations
    # nobody violates a term that has not started; a term starts only at a conviction
    assert (starts.reindex(violations.index) <= violations).all()
    assert _person_days(ev, "supervision_start") <= _person_days(ev, "conviction")
    # nobody is counted on supervision before anyone has started a term, and never more people
    # than have started one so far (from the event log, not the daily count)
    ts = pilot_run.timeseries
    started = starts.value_counts().sort_index().cumsum()
    started_by = started.reindex(ts["day"], method="ffill").fillna(0).to_numpy()
    assert ts["on_supervision"].max() > 0
    assert (ts["on_supervision"].to_numpy() <= started_by).all()


def test_no_supervision_means_no_violations():
    row = small_run("pilot_2011", supervision_share=0.0).summary
    assert row["supervision_violations"] == 0 and row["cost_supervision"] == 0


def test_an_officer_is_a_read_only_view_of_the_forces_arrays():
    # the compiled decision reads the force's arrays; an Officer only shows its row of them,
    # so what it says is what decides, and writing to it (which would change nothing) fails
    model = LeadModel(prepare("pilot_2011", population=1_000, years=2), seed=1).run()
    force, officer = model.force, model.force.officers[3]
    assert officer.area == force.area[3] and officer.quantile == force.quantile[3]
    assert officer.diversion_propensity == force.diversion[3] > 0
    assert officer.referral_propensity == force.referral[3] > 0
    assert (officer.arrests, officer.diversions, officer.referrals) == tuple(force.tallies[3])
    assert sum(o.arrests for o in force.officers) == force.tallies[:, 0].sum() > 0
    before = officer.diversion_propensity
    force.update_propensities(0.5, 0.25)  # a policy change (mean 0.15 to 0.5) reaches them all
    assert officer.diversion_propensity == force.diversion[3] > before
    order = np.argsort(force.quantile)  # colleagues keep their places in the spread
    assert np.all(np.diff([force.officers[k].diversion_propensity for k in order]) >= 0)
    force.referral[3] = 0.9
    assert officer.referral_propensity == 0.9
    for name in ("area", "quantile", "diversion_propensity", "referral_propensity", "arrests"):
        with pytest.raises(AttributeError):
            setattr(officer, name, 0.5)
