"""The arrest pathway's rules, one at a time, on a fresh small model.

Each test forces the shares that decide an outcome to 0 or 1 through the scenario's
overrides, puts chosen people into the situation by hand and calls one function of
:mod:`lead_sim.justice` for a given day, so the outcome is certain rather than likely.
"""

from __future__ import annotations

import numpy as np
import pytest

from lead_sim import LeadModel, prepare
from lead_sim.agents.population import FIELDS, Population, renew, spawn
from lead_sim.agents.states import NEVER, Charge, State
from lead_sim.engine.ledger import PAYER_INDEX
from lead_sim.justice import booking, charging, court, custody

DAY = 50  # any day of the one-year run; the model itself is never stepped
CERTAIN_SENTENCE = {"conviction_share": 1.0, "supervision_share": 0.0}


def fresh_model(**overrides) -> LeadModel:
    """A small model at day 0, everyone in the community, with ``overrides`` applied."""
    scenario = prepare("pilot_2011", population=1_000, years=1, overrides=overrides)
    return LeadModel(scenario, seed=4)


def people(model: LeadModel, n: int) -> np.ndarray:
    """The first ``n`` slots (all in the community in a fresh model)."""
    ids = np.arange(n)
    assert np.all(model.population.state[ids] == State.COMMUNITY)
    return ids


def due_in_court(model: LeadModel, ids: np.ndarray, charge: Charge, priors: int = 0) -> None:
    """Give ``ids`` an open case of class ``charge`` decided on ``DAY``."""
    pop = model.population
    pop.pending_charge[ids] = charge
    pop.disposition_day[ids] = DAY
    pop.prior_convictions[ids] = priors


def logged(model: LeadModel, kind: str) -> list[int]:
    """Identities of the people with a ``kind`` event in the log."""
    events = model.events.to_frame()
    return events.loc[events["kind"] == kind, "person"].tolist()


def file_charges(model: LeadModel, ids: np.ndarray, charges: np.ndarray, day: int) -> np.ndarray:
    """Prosecutors' filing decision for an arrest's charges (the model's own stream)."""
    return charging.file_charges(model.world, model.values, ids, charges, day,
                              model.streams.keys().filing)


def enter_custody(model: LeadModel, ids: np.ndarray, state: int, release: np.ndarray,
                  day: int) -> None:
    custody.enter_custody(model.world, model.values, ids, state, release, day)


def counted(model: LeadModel, name: str, day: int = DAY) -> int:
    return int(model.record.frame()[name].iloc[day])


# ---- disposition and sentence --------------------------------------------------------------
def test_prison_needs_a_felony_and_a_record_the_rest_go_to_jail():
    model = fresh_model(**CERTAIN_SENTENCE, prison_share_felony=1.0, jail_sentence_share=1.0)
    pop = model.population
    record, short_record, misdemeanour = people(model, 3)
    due_in_court(model, np.array([record]), Charge.FELONY,
                 priors=court.PRISON_MIN_PRIOR_CONVICTIONS)
    due_in_court(model, np.array([short_record]), Charge.FELONY,
                 priors=court.PRISON_MIN_PRIOR_CONVICTIONS - 1)
    due_in_court(model, np.array([misdemeanour]), Charge.MISDEMEANOR, priors=10)
    court.dispose(model.world, model.values, DAY)
    assert pop.state[record] == State.PRISON
    assert pop.state[short_record] == pop.state[misdemeanour] == State.JAIL_SENTENCED
    assert np.all(pop.release_day[[record, short_record, misdemeanour]] > DAY)
    assert list(pop.prior_convictions[[record, short_record, misdemeanour]]) == [
        court.PRISON_MIN_PRIOR_CONVICTIONS + 1, court.PRISON_MIN_PRIOR_CONVICTIONS, 11]
    assert np.all(pop.pending_charge[:3] == Charge.NONE)
    assert np.all(pop.disposition_day[:3] == NEVER)
    assert logged(model, "prison_admission") == [record]
    assert sorted(logged(model, "conviction")) == [record, short_record, misdemeanour]
    assert counted(model, "prison_admissions") == 1


def test_a_conviction_without_custody_leaves_the_person_free():
    model = fresh_model(**CERTAIN_SENTENCE, prison_share_felony=0.0, jail_sentence_share=0.0)
    pop = model.population
    ids = people(model, 2)
    due_in_court(model, ids, Charge.FELONY, priors=5)
    court.dispose(model.world, model.values, DAY)
    assert np.all(pop.state[ids] == State.COMMUNITY) and np.all(pop.release_day[ids] == NEVER)
    assert np.all(pop.prior_convictions[ids] == 6)
    assert logged(model, "prison_admission") == logged(model, "jail_admission") == []


def test_an_acquittal_ends_a_pretrial_hold():
    model = fresh_model(conviction_share=0.0)
    pop = model.population
    [person] = people(model, 1)
    enter_custody(model, np.array([person]), State.JAIL_PRETRIAL, np.array([DAY + 40]),
                        DAY - 5)
    due_in_court(model, np.array([person]), Charge.MISDEMEANOR, priors=2)
    court.dispose(model.world, model.values, DAY)
    assert pop.state[person] == State.COMMUNITY and pop.release_day[person] == NEVER
    assert pop.prior_convictions[person] == 2
    assert logged(model, "conviction") == [] and logged(model, "jail_release") == [person]


def test_misdemeanour_jail_sentences_stop_short_of_a_year():
    """With a mean sentence at the cap, about a third of 300 draws reach it (fixed seed)."""
    model = fresh_model(**CERTAIN_SENTENCE, jail_sentence_share=1.0,
                        jail_sentence_days=float(court.MISDEMEANOR_MAX_JAIL_DAYS))
    ids = people(model, 300)
    due_in_court(model, ids, Charge.MISDEMEANOR)
    court.dispose(model.world, model.values, DAY)
    served = model.population.release_day[ids] - DAY
    assert np.all(model.population.state[ids] == State.JAIL_SENTENCED)
    assert served.min() >= 1 and served.max() == court.MISDEMEANOR_MAX_JAIL_DAYS
    assert 60 < np.count_nonzero(served == court.MISDEMEANOR_MAX_JAIL_DAYS) < 160


def test_a_new_sentence_never_shortens_or_softens_the_one_being_served():
    """Someone serving a term who is sentenced again stays until the later release, in prison
    if either term is prison."""
    model = fresh_model(**CERTAIN_SENTENCE, prison_share_felony=1.0, jail_sentence_share=1.0)
    pop = model.population
    prisoner, jailed_long, jailed_to_prison = people(model, 3)
    far = DAY + 5_000  # later than any jail or prison term drawn here
    enter_custody(model, np.array([prisoner]), State.PRISON, np.array([far]), DAY - 9)
    enter_custody(model, np.array([jailed_long, jailed_to_prison]), State.JAIL_SENTENCED,
                        np.array([far, far]), DAY - 9)
    due_in_court(model, np.array([prisoner, jailed_long]), Charge.MISDEMEANOR)  # jail terms
    due_in_court(model, np.array([jailed_to_prison]), Charge.FELONY,
                 priors=court.PRISON_MIN_PRIOR_CONVICTIONS)
    court.dispose(model.world, model.values, DAY)
    assert list(pop.state[[prisoner, jailed_long, jailed_to_prison]]) == [
        State.PRISON, State.JAIL_SENTENCED, State.PRISON]
    assert np.all(pop.release_day[[prisoner, jailed_long, jailed_to_prison]] == far)
    assert counted(model, "prison_admissions") == 1  # only the move from jail is an admission
    assert logged(model, "prison_admission") == [jailed_to_prison]


def test_a_longer_new_sentence_replaces_the_release_day():
    """The same person and day in two identical models draw the same sentence: a prisoner due
    out tomorrow stays in prison until the new jail term ends, as a free person's would."""
    released = {}
    for already_in_prison in (False, True):
        model = fresh_model(**CERTAIN_SENTENCE, jail_sentence_share=1.0,
                            jail_sentence_days=200.0)
        [person] = people(model, 1)
        if already_in_prison:
            enter_custody(model, np.array([person]), State.PRISON, np.array([DAY + 1]),
                                DAY - 10)
        due_in_court(model, np.array([person]), Charge.MISDEMEANOR)
        court.dispose(model.world, model.values, DAY)
        released[already_in_prison] = model.population.release_day[person]
        expected = State.PRISON if already_in_prison else State.JAIL_SENTENCED
        assert model.population.state[person] == expected
    assert released[True] == released[False] > DAY + 1


# ---- charges ---------------------------------------------------------------------------------
def test_a_second_filing_joins_the_open_case():
    """One court date per person: later filings keep it and the case takes the more serious
    class; every filing is still logged and counted as a charge."""
    model = fresh_model(charge_filing_share=1.0, court_days=720.0)
    pop = model.population
    [person] = people(model, 1)
    one = np.array([person])
    for day, charge in ((10, Charge.MISDEMEANOR), (20, Charge.FELONY), (30, Charge.MISDEMEANOR)):
        filed = file_charges(model, one, np.array([charge], np.int8), day)
        assert list(filed) == [charge]
        if day == 10:
            court = pop.disposition_day[person]
            assert court > 30  # the first court date falls after the later filings (this seed)
        assert pop.disposition_day[person] == court
    assert pop.pending_charge[person] == Charge.FELONY
    assert logged(model, "charge") == [person] * 3
    frame = model.record.frame()
    assert list(frame["misdemeanor_charges"].iloc[[10, 20, 30]]) == [1, 0, 1]
    assert list(frame["felony_charges"].iloc[[10, 20, 30]]) == [0, 1, 0]


def test_an_unfiled_charge_opens_no_case_and_costs_nothing():
    model = fresh_model(charge_filing_share=0.0)
    ids = people(model, 5)
    filed = file_charges(model, ids, np.full(5, Charge.FELONY, np.int8), DAY)
    assert np.all(filed == Charge.NONE)
    assert np.all(model.population.disposition_day[ids] == NEVER)
    assert model.ledger.daily.sum() == 0


@pytest.mark.parametrize("payer, key", [("prosecution", "prosecution_cost"),
                                        ("public_defense", "defense_cost"),
                                        ("courts", "court_cost")])
def test_case_costs_are_per_charge_filed_by_class_on_the_filing_day(payer, key):
    """Two felonies and a misdemeanour, one of the felonies joining an open case: three
    charges' costs, all on the day they were filed."""
    model = fresh_model(charge_filing_share=1.0)
    p, ids = model.p, people(model, 3)
    file_charges(model, ids[:1], np.array([Charge.MISDEMEANOR], np.int8), DAY - 7)
    court = model.population.disposition_day[ids[0]]
    file_charges(model, ids, np.array([Charge.FELONY, Charge.FELONY, Charge.MISDEMEANOR],
                                      np.int8), DAY)
    assert model.population.disposition_day[ids[0]] == court  # joined the open case
    column = model.ledger.daily[:, PAYER_INDEX[payer]]
    assert column[DAY - 7] == pytest.approx(p[f"{key}_misdemeanor"])
    assert column[DAY] == pytest.approx(2 * p[f"{key}_felony"] + p[f"{key}_misdemeanor"])
    assert column.sum() == pytest.approx(column[DAY - 7] + column[DAY])


def test_booking_costs_land_on_the_booking_day():
    model = fresh_model(pretrial_hold_share_misdemeanor=0.0)
    ids = people(model, 4)
    booking.book(model.world, model.values, ids, np.full(4, Charge.MISDEMEANOR, np.int8), DAY)
    jail = model.ledger.daily[:, PAYER_INDEX["jail"]]
    assert jail[DAY] == pytest.approx(4 * model.p["booking_cost"]) == jail.sum()
    assert counted(model, "bookings") == 4


def test_a_booking_not_held_stays_until_first_appearance():
    # none held: each stays a few days at most (mean booking_release_days), never pretrial-long
    model = fresh_model(pretrial_hold_share_misdemeanor=0.0, booking_release_days=1.0,
                        pretrial_days_misdemeanor=60.0)
    ids = people(model, 200)
    booking.book(model.world, model.values, ids, np.full(200, Charge.MISDEMEANOR, np.int8), DAY)
    pop = model.population
    assert np.all(pop.state[ids] == State.JAIL_PRETRIAL)
    stays = pop.release_day[ids] - DAY
    assert stays.min() >= 1 and stays.max() <= 10  # P(an exponential of mean 1 > 10) ~ 5e-5
    assert stays.mean() == pytest.approx(1.6, abs=0.3)  # E[ceil(Exp(1))] = 1/(1 - e^-1) = 1.58


def test_pretrial_holds_follow_charge_class_and_prior_record():
    model = fresh_model(pretrial_hold_share_misdemeanor=0.2, pretrial_hold_share_felony=0.5,
                        pretrial_hold_or_prior=1.5, pretrial_days_misdemeanor=10.0)
    v = model.values
    assert booking.hold_probability(v, False, 0) == pytest.approx(0.2)
    assert booking.hold_probability(v, True, 0) == pytest.approx(0.5)
    odds = 0.25 * 1.5 ** 3  # three priors multiply the misdemeanour odds by 1.5 ** 3
    assert booking.hold_probability(v, False, 3) == pytest.approx(odds / (1 + odds))
    top = booking.hold_probability(v, True, booking.PRIOR_CAP)
    assert booking.hold_probability(v, True, booking.PRIOR_CAP + 5) == top  # capped
    # and in the model: a long record is held far more often than none (500 bookings each).
    # A stay over 3 days: held (mean 10 days) 74%, not held (mean 1 day) 5%; so 19% of the
    # bookings without a record and 55% with one (hold odds x 11, 1.5 ** 6: 0.2 -> 0.73).
    ids = people(model, 1_000)
    model.population.prior_convictions[ids[500:]] = booking.PRIOR_CAP
    booking.book(model.world, model.values, ids, np.full(1_000, Charge.MISDEMEANOR, np.int8),
                 DAY)
    stays = model.population.release_day[ids] - DAY
    held_long = [(stays[part] > 3).mean() for part in (slice(0, 500), slice(500, None))]
    assert held_long[1] > held_long[0] + 0.25  # expected gap 0.36, sd about 0.03


def test_felony_jail_sentences_grow_with_the_prior_record_by_the_grid():
    model = fresh_model(**CERTAIN_SENTENCE, prison_share_felony=0.0, jail_sentence_share=1.0,
                        sentence_served_share=1.0)
    bands = {0: (1, 183), 4: (182, 366), 9: (182, 366)}  # 0-6, 6-12, 6-12 months (J35, J38)
    groups = {priors: np.arange(k * 100, k * 100 + 100) for k, priors in enumerate(bands)}
    for priors, ids in groups.items():
        due_in_court(model, ids, Charge.FELONY, priors=priors)
    court.dispose(model.world, model.values, DAY)
    pop = model.population
    for priors, (low, high) in bands.items():
        ids = groups[priors]
        assert np.all(pop.state[ids] == State.JAIL_SENTENCED)
        days = pop.release_day[ids] - DAY
        assert days.min() >= low and days.max() <= high, priors
    assert (pop.release_day[groups[4]] - DAY).mean() > 2 * (pop.release_day[groups[0]] - DAY).mean()


# ---- renewal ---------------------------------------------------------------------------------
def per_person_arrays(pop: Population) -> dict[str, np.ndarray]:
    """Every array with one entry per slot (found by shape, so a new one is not missed)."""
    return {name: value for name, value in vars(pop).items()
            if isinstance(value, np.ndarray) and value.shape[:1] == (pop.n,) and name != "ids"}


# set by the model right after a renewal (lead_sim.model.turnover), not by spawning itself
HAZARDS = {"rate", "base_rate", "reschedule"}  # (reschedule: marked for a contact redraw)


def test_every_per_person_array_is_declared_in_the_field_table():
    """Population makes, spawn renews and check checks the arrays of FIELDS: an array added
    beside the table would escape all three."""
    pop = fresh_model().population
    assert set(per_person_arrays(pop)) == {field.name for field in FIELDS}
    assert HAZARDS.issubset(field.name for field in FIELDS if not field.renewed)


def test_a_newcomer_keeps_nothing_of_the_person_before():
    """Renew one slot after scrambling every per-person array for it: the slot must hold
    exactly what spawning a newcomer there gives, with a new identity."""
    model, twin = fresh_model(), fresh_model()
    pop, n = model.population, model.population.n
    slot, day = 7, 300
    for values in per_person_arrays(pop).values():  # scramble everything the slot holds
        values[slot] = ~values[slot] if values.dtype == bool else values[slot] + 3
    renew(model.world, model.values, np.array([slot]), day)
    spawn(twin.world, twin.values, np.array([slot]), day)
    assert pop.uid[slot] == n and pop.next_uid[0] == n + 1
    arrays, expected = per_person_arrays(pop), per_person_arrays(twin.population)
    stale = [name for name in arrays
             if name not in HAZARDS | {"uid"} and not np.array_equal(arrays[name][slot],
                                                                     expected[name][slot])]
    assert stale == []
    untouched = [i for i in pop.ids if i != slot]
    for name in arrays.keys() - HAZARDS - {"uid"}:  # the other slots are left alone
        assert np.array_equal(arrays[name][untouched], expected[name][untouched]), name
