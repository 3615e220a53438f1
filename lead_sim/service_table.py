"""The service table: every service pool of the LEAD programme declared once.

Case managers refer a participant's need to the pool that meets it. A pool has places bought
with its share of the services budget (the programme budget left after case managers), a
first-come waitlist, stays that end at the rate its 12-month retention gives, a cost per occupied
place-day charged to its own payer, and an effect on the police-contact hazard: while a person
holds a place, and after a completion for as long as the need stays met. Jail and prison each
either end a stay (the need is unmet again and the case manager refers anew) or keep it.

Everything about services reads this table: the pools, waitlists and stays
(:mod:`lead_sim.agents.services`), referrals (:mod:`lead_sim.agents.case_management`), the
contact hazard and the per-person arrays (:mod:`lead_sim.agents.population`), custody
(:mod:`lead_sim.justice.custody`), the budget split and the day's accounts
(:mod:`lead_sim.model`), the payers (:data:`lead_sim.params.PAYERS`), the per-service parameter
values compiled code reads (:class:`lead_sim.params.Values`), the random streams
(:mod:`lead_sim.engine.streams`), the daily record's columns (:mod:`lead_sim.engine.recorder`),
comparison averages, the Sequential Intercept Model table, report labels and the visualizer's
text. Parameters are named here and declared in :mod:`lead_sim.params`, which checks the names.

Compiled code reads constants derived from the table when it is imported, so the table is fixed
for a process, and the compiled-code cache is keyed by it (:mod:`lead_sim.engine.jit`). This
module imports nothing from lead_sim, so a process can load it first and run with another table
(``tests/extra_service.py`` adds a pool that way).
"""

from __future__ import annotations

from dataclasses import dataclass

END, KEEP = "end", "keep"  # what custody does to a stay


@dataclass(frozen=True, kw_only=True)
class Service:
    """One service pool.

    ``name`` names its payer and cost column (``cost_<name>``), its waitlist column
    (``<name>_waitlist``), the per-person day its stay ends (``<name>_end_day``) and its
    random streams (``<name>_end``: stay lengths; ``<name>_done``: completions).
    ``occupancy`` is both the record column counting people in the service and the per-person
    flag of holding a place. The parameters (``day_cost`` ... ``completion``) are names of
    registry parameters; ``completion`` is None for a service whose every exit leaves the need
    unmet.
    """

    name: str
    need: str  # the need it meets: a name of lead_sim.agents.states.Need
    occupancy: str
    budget_share: float  # of the services budget
    day_cost: str  # USD per occupied place-day
    retention: str  # share still in place 12 months after admission
    hazard_ratio: str  # contact hazard ratio while in place (and after a completion)
    completion: str | None = None  # share of exits that are completions
    jail: str = KEEP
    prison: str = END
    place: str  # one place, in words ("treatment slot")
    holding: str  # people holding a place, in words ("people in treatment")

    @property
    def title(self) -> str:
        """The payer's label in figures ("Treatment")."""
        return self.name.replace("_", " ").capitalize()

    def parameters(self) -> tuple[str, ...]:
        """The registry parameters this service reads."""
        names = (self.day_cost, self.retention, self.hazard_ratio, self.completion)
        return tuple(name for name in names if name)


TREATMENT = Service(
    name="treatment", need="TREATMENT", occupancy="in_treatment", budget_share=0.5,
    day_cost="treatment_day_cost", retention="treatment_retention_12m",
    hazard_ratio="hr_treatment", completion="treatment_completion",
    jail=END, prison=END,  # custody interrupts treatment
    place="treatment slot", holding="people in treatment",
)
HOUSING = Service(
    name="housing", need="HOUSING", occupancy="housed", budget_share=0.5,
    day_cost="housing_day_cost", retention="housing_retention_12m", hazard_ratio="hr_housed",
    jail=KEEP, prison=END,  # a jail stay keeps the unit, prison loses it
    place="housing unit", holding="people housed",
)

#: The pools in the order everything iterates them (pool 0, 1 ...).
SERVICES: tuple[Service, ...] = (TREATMENT, HOUSING)


def check_table(services: tuple[Service, ...]) -> None:
    """Fail on a table whose pools clash or overspend the services budget."""
    for attribute in ("name", "need", "occupancy"):
        values = [getattr(s, attribute) for s in services]
        if len(set(values)) != len(values):
            raise ValueError(f"service table: two pools share a {attribute}: {values}")
    for s in services:
        if s.jail not in (END, KEEP) or s.prison not in (END, KEEP):
            raise ValueError(f"service table: '{s.name}': custody (jail, prison) must either "
                             f"'{END}' or '{KEEP}' a stay")
        if not 0.0 <= s.budget_share <= 1.0:
            raise ValueError(f"service table: '{s.name}': budget share outside 0-1")
    if sum(s.budget_share for s in services) > 1.0 + 1e-12:
        raise ValueError("service table: the budget shares add up to more than 1")


check_table(SERVICES)
