"""Court: dispositions on their court date, conviction, and jail or prison sentences.

Some convictions are followed by community supervision (:mod:`lead_sim.justice.supervision`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from lead_sim.agents.population import due
from lead_sim.agents.states import NEVER, Charge, State
from lead_sim.engine.events import Kind, log_people, log_people_each
from lead_sim.engine.jit import compiled, compiled_inline
from lead_sim.engine.recorder import Column, count_people
from lead_sim.engine.streams import uniform_each, uniforms, waits_at
from lead_sim.justice.custody import enter_custody, return_to_free_state
from lead_sim.justice.supervision import start_supervision

if TYPE_CHECKING:
    from lead_sim.engine.world import World
    from lead_sim.params import Values

# Only a felony conviction with at least this many prior convictions can bring prison (then with
# prison_share_felony): an assumption, for sentencing guidelines that weigh criminal history.
PRISON_MIN_PRIOR_CONVICTIONS = 3

# Misdemeanour jail sentences are capped below a year by law: 364 days for a gross misdemeanour
# in Washington (RCW 9A.20.021; evidence C22).
MISDEMEANOR_MAX_JAIL_DAYS = 364

# Felony jail sentences follow Washington's drug offense sentencing grid, seriousness level I
# (possession; RCW 9.94A.517, evidence J35), by offender score band: 0-2 carries 0 to 6 months,
# 3-5 carries 6 to 18 and 6 or more 12 to 24. A sentence over a year is served in prison, not
# jail (J38), so a jail sentence takes the part of its band's range up to twelve months: the 3-5
# band's whole range from July 2013 to June 2018 (J36); for the 6+ band, whose range starts above
# a year, a jail term stands for an alternative to prison (DOSA halves confinement, J43). The
# offender score is taken as the count of prior convictions (an assumption: Washington scores
# prior felonies, some with more than one point).
GRID_BANDS = (3, 6)  # the lowest offender score of the 3-5 and 6+ bands
JAIL_LOW_MONTHS = (0.0, 6.0, 6.0)
JAIL_HIGH_MONTHS = (6.0, 12.0, 12.0)
DAYS_PER_MONTH = 30.44


@compiled
def score_band(priors: int) -> int:
    """The sentencing grid's offender-score band of a prior record: 0 (0-2), 1 (3-5), 2 (6+)."""
    return int(priors >= GRID_BANDS[0]) + int(priors >= GRID_BANDS[1])


@compiled_inline
def jail_days(w: World, p: Values, ids: np.ndarray, charges: np.ndarray, day: int
              ) -> np.ndarray:
    """Days of jail served on the sentences of ``ids``: a felony's from the grid's range for the
    person's prior record, times ``sentence_served_share``; a misdemeanour's a wait with mean
    ``jail_sentence_days``, capped by law."""
    pop = w.people
    days = waits_at(w.keys.jail_days, day, ids, 1.0 / p.jail_sentence_days)
    u = uniform_each(w.keys.jail_days, day, ids)
    for row in range(len(ids)):
        if charges[row] == Charge.FELONY:
            band = score_band(pop.prior_convictions[ids[row]])
            low, high = JAIL_LOW_MONTHS[band], JAIL_HIGH_MONTHS[band]
            months = low + u[row] * (high - low)
            days[row] = max(1, round(p.sentence_served_share * months * DAYS_PER_MONTH))
        else:
            days[row] = min(days[row], MISDEMEANOR_MAX_JAIL_DAYS)
    return days


@compiled_inline
def _serve_sentence(w: World, p: Values, ids: np.ndarray, state: int, release: np.ndarray,
                    day: int) -> None:
    """Send ``ids`` to serve a sentence in ``state`` (jail or prison) until ``release``.

    Someone already serving a sentence (a violation sanction, or a term from an earlier case)
    serves both together: they stay until the later release day, in prison if either term is
    prison. Entering custody anew would replace the running term, so a short jail sentence
    could cut a prison term short, or move a prisoner to jail.
    """
    pop = w.people
    if len(ids) == 0:  # most court days send nobody to jail or to prison
        return
    now = pop.state[ids]
    serving = (now == State.JAIL_SENTENCED) | (now == State.PRISON)
    release = release.copy()
    for row in range(len(ids)):
        if serving[row]:
            release[row] = max(release[row], pop.release_day[ids[row]])
    stays = serving & (now >= state)  # already somewhere as severe: a longer stay
    pop.release_day[ids[stays]] = release[stays]
    enter_custody(w, p, ids[~stays], state, release[~stays], day)


@compiled
def dispose(w: World, p: Values, day: int) -> None:
    """Court dispositions due today: conviction and sentence, or release.

    A sentence adds to one being served (:func:`_serve_sentence`); a prisoner's new prison term
    is therefore not a prison admission.
    """
    pop = w.people
    ids = due(pop.disposition_day, day)
    if len(ids) == 0:
        return
    charge_filed = pop.pending_charge[ids]
    pop.pending_charge[ids] = Charge.NONE
    pop.disposition_day[ids] = NEVER
    u = uniforms(w.keys.disposition, day, ids, 3)
    convicted = u[:, 0] < p.conviction_share
    to_prison = (convicted & (charge_filed == Charge.FELONY)
                 & (pop.prior_convictions[ids] >= PRISON_MIN_PRIOR_CONVICTIONS)
                 & (u[:, 1] < p.prison_share_felony))
    to_jail = convicted & ~to_prison & (u[:, 2] < p.jail_sentence_share)
    guilty, jailed, imprisoned = ids[convicted], ids[to_jail], ids[to_prison]
    log_people_each(w, day, Kind.CONVICTION, guilty, charge_filed[convicted])
    pop.prior_convictions[guilty] += 1
    served = jail_days(w, p, jailed, charge_filed[to_jail], day)
    prison_days = waits_at(w.keys.prison_days, day, imprisoned, 1.0 / p.prison_days)
    admitted = imprisoned[pop.state[imprisoned] != State.PRISON]
    count_people(w, day, Column.PRISON_ADMISSIONS, admitted)
    log_people(w, day, Kind.PRISON_ADMISSION, admitted, 0)
    _serve_sentence(w, p, jailed, State.JAIL_SENTENCED, day + served, day)
    _serve_sentence(w, p, imprisoned, State.PRISON, day + prison_days, day)
    sentenced = to_jail | to_prison
    supervised = convicted & (uniform_each(w.keys.supervision, day, ids) < p.supervision_share)
    if supervised.any():
        under = ids[supervised]
        start = np.full(len(under), day)  # today, or the day a sentence ends
        for row, after_sentence in enumerate(sentenced[supervised]):
            if after_sentence:
                start[row] = pop.release_day[under[row]]
        start_supervision(w, p, under, start, day)
    freed = ids[~sentenced & (pop.state[ids] == State.JAIL_PRETRIAL)]
    log_people(w, day, Kind.JAIL_RELEASE, freed, 0)
    return_to_free_state(w, freed)
