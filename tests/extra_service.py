"""A run with a service pool that only this file declares: employment, meeting the income need.

    python -m tests.extra_service      # from the repository root; tests/test_services.py runs it

Compiled code reads the service table (:mod:`lead_sim.service_table`) when lead_sim is imported,
so the pool is added in a fresh process: the table module is loaded first (it imports nothing of
lead_sim), a pool is appended to its ``SERVICES``, and only then is lead_sim imported. The run
checks that the new pool fills, is charged to its own payer, lowers the contact hazard, is ended
by prison and kept through jail, and that treatment and housing still work beside it. A failed
check raises (exit status 1).

The pool is built from existing parameters: a day costs ``supervision_day_cost``, stays follow
``treatment_retention_12m`` and the hazard ratio is ``hr_income`` (which, with income met by the
pool, no longer applies on its own).
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from pathlib import Path

POPULATION, YEARS, SEED = 4_000, 8.0, 2
DAY_COST, HAZARD_RATIO = 12.0, 0.5  # supervision_day_cost and hr_income, set for the run


def install_table() -> None:
    """Load lead_sim's service table before lead_sim, and add the employment pool to it."""
    package = Path(importlib.util.find_spec("lead_sim").submodule_search_locations[0])
    spec = importlib.util.spec_from_file_location("lead_sim.service_table",
                                                  package / "service_table.py")
    table = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = table
    spec.loader.exec_module(table)
    employment = table.Service(
        name="employment", need="INCOME", occupancy="employed", budget_share=0.2,
        day_cost="supervision_day_cost", retention="treatment_retention_12m",
        hazard_ratio="hr_income", jail=table.KEEP, prison=table.END,
        place="job placement", holding="people in a job placement")
    table.SERVICES = (replace(table.TREATMENT, budget_share=0.4),
                      replace(table.HOUSING, budget_share=0.4), employment)
    table.check_table(table.SERVICES)


def main() -> None:
    install_table()
    import numpy as np

    from lead_sim import LeadModel, prepare
    from lead_sim.agents.population import contact_rates
    from lead_sim.agents.states import Need, NeedStatus, State
    from lead_sim.justice import custody
    from lead_sim.outcomes.measures import summary
    from lead_sim.params import PAYERS
    from tests.test_model import check_day

    assert PAYERS[-3:] == ("treatment", "housing", "employment")
    scenario = prepare("seattle_citywide", population=POPULATION, years=YEARS,
                       overrides={"supervision_day_cost": DAY_COST, "hr_income": HAZARD_RATIO})
    model = LeadModel(scenario, seed=SEED)
    while model.running:
        model.step()
        if model.day % 7 == 0:
            check_day(model)  # occupancy, capacity, needs met, per-person bounds
    frame, row = model.record.frame(), summary(model)

    # each pool fills, and is charged its own day cost for every occupied place
    for occupancy, payer in (("in_treatment", "treatment"), ("housed", "housing"),
                             ("employed", "employment")):
        assert frame[occupancy].max() > 0, f"nobody {occupancy}"
        assert row[f"cost_{payer}"] > 0, f"nothing charged to {payer}"
    assert "employment_waitlist" in frame
    paid = model.ledger.daily[:, PAYERS.index("employment")]
    assert np.array_equal(paid, frame["employed"].to_numpy() * DAY_COST)
    assert model.services["employment"].capacity == round(
        model.budget() * (1 - model.p["case_management_share"]) * 0.2 / (DAY_COST * 365.25))

    # a place lowers the contact hazard by the pool's ratio (and hr_income is not applied twice)
    pop, w, values = model.population, model.world, model.values
    employed = np.flatnonzero(pop.employed & (pop.state < State.JAIL_PRETRIAL))
    assert len(employed) >= 2, "too few people in a job placement at the end to check"
    person = employed[:1]
    with_place = contact_rates(w, values, person)[0]
    pop.employed[person] = False
    without = contact_rates(w, values, person)[0]
    pop.employed[person] = True
    assert np.isclose(with_place / without, HAZARD_RATIO), (with_place, without)

    # prison ends the placement (the need is unmet again), jail keeps it
    day, pool = model.days - 1, model.services["employment"]
    occupied = pool.occupied
    custody.enter_custody(w, values, employed[:1], State.PRISON, np.array([day + 500]), day)
    custody.enter_custody(w, values, employed[1:2], State.JAIL_PRETRIAL, np.array([day + 5]), day)
    assert not pop.employed[employed[0]] and pop.employed[employed[1]]
    assert pop.needs[employed[0], Need.INCOME] == NeedStatus.UNMET
    assert pool.occupied == occupied - 1
    print(f"employment: {frame['employed'].max()} at most, ${row['cost_employment']:,.0f}; "
          f"treatment: {frame['in_treatment'].max()}; housing: {frame['housed'].max()}")


if __name__ == "__main__":
    main()
