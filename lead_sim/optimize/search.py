"""The search: NSGA-II (or NSGA-III) through pymoo's ask-and-tell interface, resumable.

pymoo asks for a generation of candidates, lead_sim evaluates each on the same seeds (common
random numbers: replicate r of every candidate uses seed ``seed + r``) through a
:class:`~lead_sim.runs.executors.Session` that keeps its workers, and their cached histories,
for the whole search; pymoo is then told the means over replicates. The budget cap is a pymoo
constraint, ``budget_usd_per_year - budget_cap <= 0``, so a policy over the cap is never
preferred to one within it. Objectives to maximise are negated for pymoo, which minimises.

Why NSGA-II: a handful of objectives (3 by default), tens of candidates per generation and
noisy, expensive evaluations; NSGA-II is the standard, well-maintained choice for that size and
needs no tuning beyond the population. NSGA-III (``algorithm = "nsga3"``) is offered for four
or more objectives (equity measures), where crowding distance spreads a front poorly.

Resume: pymoo's choices follow its own random generator, seeded with the config's seed, so
told the same results it asks for the same candidates. A restarted search therefore replays
every generation from the first, reading evaluations back from the store
(:mod:`lead_sim.optimize.store`) and running only those missing: the front is the one an
uninterrupted search gives.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from lead_sim.optimize.config import BUDGET, OptimizeConfig
from lead_sim.optimize.evaluate import Task, evaluate
from lead_sim.optimize.policy import candidate_scenario, decode, history_scenario
from lead_sim.optimize.report import write_outputs
from lead_sim.optimize.results import Candidate, SearchRun
from lead_sim.optimize.store import SearchStore
from lead_sim.runs.atomic import out_lock
from lead_sim.runs.executors import Session, check_scheduler
from lead_sim.scenarios import Scenario
from lead_sim.seeds import check_seeds

#: What a search's objective is told for an outcome with no value (a re-arrest share with no
#: follow-up window ended): the worst, so such a policy is never preferred.
WORST = 1e30
#: Changes to how evaluations are computed that make stored ones unusable: part of the store's
#: fingerprint, so an older store is refused rather than mixed in.
EVALUATION_VERSION = 1


def settings(config: OptimizeConfig) -> dict[str, Any]:
    """What decides the stored numbers: the config and the history every candidate shares."""
    history = history_scenario(config)
    return {**config.fingerprint_data(), "history": history.definition(),
            "evaluation_version": EVALUATION_VERSION}


def open_store(config: OptimizeConfig, out_dir: str | Path) -> SearchStore:
    """Check the folder before anything runs (another search's folder is an input error)."""
    store = SearchStore(out_dir, settings(config))
    store.check()
    return store


def run_search(config: OptimizeConfig, out_dir: str | Path, *, executor: str = "local",
               workers: int = 1, scheduler: str | None = None, progress: bool = True,
               report: bool = True) -> SearchRun:
    """Run (or finish) a search into ``out_dir``, then write its front and report."""
    check_seeds(config.seed, config.reps)
    store = open_store(config, out_dir)
    if executor == "dask" and scheduler:
        check_scheduler(scheduler)
    with out_lock(out_dir):
        resumed = store.open()
        start, ran = time.perf_counter(), [0, 0.0, 0.0]  # evaluations, CPU s, history CPU s
        try:
            with Session(executor, workers, scheduler) as session, \
                    _bar(config, resumed, progress) as bar:
                candidates = _search(config, store, session, bar, ran)
        finally:
            store.close()
        run = SearchRun(Path(out_dir), candidates, config.evaluations, resumed, ran[0],
                        time.perf_counter() - start, ran[1], ran[2],
                        history_scenario(config).name)
        if report:
            write_outputs(config, run)
    return run


def _bar(config: OptimizeConfig, resumed: int, enabled: bool):
    from lead_sim.runs.progress import progress_bar

    return progress_bar(config.evaluations, "optimize", "evaluation", enabled=enabled,
                        initial=min(resumed, config.evaluations), smoothing=0.05)


def make_algorithm(config: OptimizeConfig):
    """The pymoo algorithm the config names, sized to its population."""
    if config.algorithm == "nsga3":
        from pymoo.algorithms.moo.nsga3 import NSGA3
        from pymoo.util.ref_dirs import get_reference_directions

        n_obj, partitions = len(config.objectives), 1
        while math.comb(n_obj + partitions, n_obj - 1) <= config.pop_size:
            partitions += 1
        ref_dirs = get_reference_directions("das-dennis", n_obj, n_partitions=partitions)
        return NSGA3(ref_dirs=ref_dirs, pop_size=config.pop_size)
    from pymoo.algorithms.moo.nsga2 import NSGA2

    return NSGA2(pop_size=config.pop_size)


def _search(config: OptimizeConfig, store: SearchStore, session: Session, bar: Any,
            ran: list) -> list[Candidate]:
    from pymoo.core.evaluator import Evaluator
    from pymoo.core.problem import Problem
    from pymoo.problems.static import StaticProblem

    history = history_scenario(config)
    start_day = (config.start - history.start_date).days
    problem = Problem(n_var=len(config.variables), n_obj=len(config.objectives), n_ieq_constr=1,
                      xl=np.array([v.low for v in config.variables]),
                      xu=np.array([v.high for v in config.variables]))
    algorithm = make_algorithm(config)
    algorithm.setup(problem, termination=("n_gen", config.generations), seed=config.seed,
                    verbose=False)
    everything: list[Candidate] = []
    generation = 0
    while algorithm.has_next():
        population = algorithm.ask()
        candidates = [Candidate(generation, i, [float(v) for v in x],
                                decode(config, history, x))
                      for i, x in enumerate(population.get("X"))]
        _evaluate(config, history, start_day, candidates, store, session, bar, ran)
        objectives, constraint = told(config, candidates)
        Evaluator().eval(StaticProblem(problem, F=objectives, G=constraint), population)
        algorithm.tell(infills=population)
        everything.extend(candidates)
        generation += 1
    return everything


def _evaluate(config: OptimizeConfig, history: Scenario, start_day: int,
              candidates: list[Candidate],
              store: SearchStore, session: Session, bar: Any, ran: list) -> None:
    """Fill each candidate's replicates, from the store or by running what is missing."""
    results: dict[tuple[int, int], dict[str, float]] = {}
    tasks: list[Task] = []
    scenarios: dict[int, Scenario] = {}
    # replicate by replicate: a worker meets one seed's tasks in a row, so the histories it
    # keeps are reused however many replicates there are
    for rep in range(config.reps):
        for c in candidates:
            found = store.find((c.generation, c.index, rep), c.x)
            if found is not None:
                results[(c.index, rep)] = found["outcomes"]
                continue
            if c.index not in scenarios:
                scenarios[c.index] = candidate_scenario(config, history, c.policy,
                                                        f"g{c.generation}c{c.index}")
            tasks.append(Task(c.generation, c.index, rep, config.seed + rep, history,
                              start_day, scenarios[c.index]))
    finished = session.run(_evaluate_task(), tasks)
    with contextlib.closing(finished):
        for i, out in finished:
            store.add({**out, "x": candidates[tasks[i].index].x})
            results[(tasks[i].index, tasks[i].rep)] = out["outcomes"]
            ran[0] += 1
            ran[1] += out["cpu_seconds"]
            ran[2] += out["history_cpu_seconds"]
            bar.update(1)
    for c in candidates:
        c.replicates = [results[(c.index, rep)] for rep in range(config.reps)]


def _evaluate_task() -> Callable[[Task], dict[str, Any]]:
    """The function workers run (looked up at call time, so a test can replace it)."""
    return evaluate


def told(config: OptimizeConfig, candidates: list[Candidate]) -> tuple[np.ndarray, np.ndarray]:
    """What pymoo is told: each objective's mean over replicates (negated to maximise, the
    worst value if it has none) and the budget constraint, relative to the cap."""
    f = np.empty((len(candidates), len(config.objectives)))
    for i, c in enumerate(candidates):
        for j, (name, sense) in enumerate(config.objectives.items()):
            values = np.array([r[name] for r in c.replicates], float)
            mean = float(np.nanmean(values)) if not np.isnan(values).all() else math.nan
            f[i, j] = WORST if math.isnan(mean) else (mean if sense == "min" else -mean)
    g = np.array([[(float(c.policy[BUDGET]) - config.budget_cap) / config.budget_cap]
                  for c in candidates])
    return f, g
