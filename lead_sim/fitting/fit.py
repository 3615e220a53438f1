"""Calibration by approximate Bayesian computation (rejection, then SMC) against the evidence.

A calibration config (the built-in ``pilot``: ``lead_sim/data/calibration/pilot.toml``) declares
the uncertain parameters with priors and the targets with their published value, a scale and the
evidence row. Candidates are drawn from the priors by Latin hypercube (scipy.stats.qmc, seeded);
each is run for a few replicates with common seeds, and its distance is the root mean square of
(mean simulated statistic - target) / scale over the targets. The candidates closest to the
targets (a fixed fraction) are the accepted sample of the approximate posterior (Pritchard et
al. 1999; Beaumont, Zhang & Balding 2002). With ``generations`` above 1, each later generation
proposes new candidates around the previous accepted ones and weights them (ABC-SMC, see
:mod:`lead_sim.fitting.abc_smc`), accepting again the closest fraction of its own candidates.

Targets may only be statistics the evidence file gives for calibration (the arrest odds ratios,
pilot enrolment, re-arrest base rate and caseload): the outcomes held out of it are never fitted.
Each finished candidate is appended to ``evaluations.jsonl`` and flushed to disk, so a run that
stops part-way resumes with the same command and ends with the same result.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import tomli_w
from scipy.stats import qmc

from lead_sim.calibration import model_fingerprint
from lead_sim.errors import LeadSimError
from lead_sim.fitting import abc_smc
from lead_sim.fitting.config import STATISTICS, CalibrationConfig, Target, method, n_accepted
from lead_sim.fitting.replay import mean_stats, replicate
from lead_sim.fitting.store import (
    EVALUATIONS,
    Done,
    append_record,
    open_out_dir,
    repair_evaluations,
)
from lead_sim.outcomes.tables import plural
from lead_sim.params import REGISTRY
from lead_sim.runs.executors import run_tasks
from lead_sim.runs.manifest import display_path
from lead_sim.scenarios import Scenario


# ---- candidates and their evaluation ------------------------------------------------------------
def draw_candidates(config: CalibrationConfig, generation: int = 0,
                    previous: pd.DataFrame | None = None) -> list[dict[str, float]]:
    """Candidate parameter sets of a generation.

    Generation 0 is a seeded Latin hypercube over the priors; a later one is drawn around the
    ``previous`` generation's accepted sets (with their ``weight`` column), seeded by
    (seed, generation).
    """
    n, priors = config.candidates, config.priors
    if generation == 0:
        u = qmc.LatinHypercube(d=len(priors), seed=config.seed).random(n)
    else:
        old = abc_smc.to_unit(priors, previous[[p.name for p in priors]].to_numpy(float))
        rng = np.random.default_rng([config.seed, generation])
        try:
            u = abc_smc.propose(old, previous["weight"].to_numpy(float), n, rng)
        except (abc_smc.ProposalError, np.linalg.LinAlgError) as exc:
            raise LeadSimError(
                f"Cannot draw generation {generation} of calibration config '{config.path}' "
                f"around generation {generation - 1}'s {len(old)} accepted set(s): {exc}. "
                "Accept more sets per generation (raise 'candidates' or 'accept'), or set "
                "generations = 1. The finished evaluations are kept.") from None
    columns = [p.transform(np.clip(u[:, j], 0.0, 1.0)) for j, p in enumerate(priors)]
    return [{p.name: (int(col[i]) if REGISTRY[p.name].kind == "int" else float(col[i]))
             for p, col in zip(config.priors, columns, strict=True)} for i in range(n)]


def evaluate_candidate(task: tuple[int, int, dict[str, float], Scenario, list[int]]
                       ) -> dict[str, Any]:
    """Run one candidate for every seed; return its replicate statistics."""
    generation, index, values, scenario, seeds = task
    scn = scenario.with_params(values)
    reps = [replicate((scn, s, False)) for s in seeds]
    keep = ["seed", *STATISTICS]
    return {"generation": generation, "candidate": index, "values": values,
            "reps": [{k: r[k] for k in keep} for r in reps]}


def distance(stats: dict[str, float], targets: tuple[Target, ...]) -> float:
    """Root mean square of weighted (statistic - target) / scale; NaN statistics count as far."""
    terms = []
    for t in targets:
        value = stats.get(t.name, math.nan)
        z = 10.0 if math.isnan(value) else (value - t.value) / t.scale
        terms.append(t.weight * z * z)
    return math.sqrt(sum(terms) / sum(t.weight for t in targets))


def run_evaluations(config: CalibrationConfig, out_dir: Path, workers: int = 1,
                    progress: Callable[[int], None] | None = None,
                    limit: int | None = None) -> Done:
    """Evaluate every candidate not yet in ``out_dir/evaluations.jsonl``, appending each
    (``progress(1)`` after each; :func:`lead_sim.fitting.store.evaluated` counts those done
    before).

    Generations run in order, each drawn from the one before. ``limit`` stops after that many
    new evaluations (for a partial run); the same call later continues where it stopped.
    """
    scenario = config.prepared
    path, key = out_dir / EVALUATIONS, config.key()
    open_out_dir(out_dir, key)  # refuses another calibration's folder before anything else
    out_dir.mkdir(parents=True, exist_ok=True)
    # lines torn by a kill or damaged are set aside before appending after them
    done = repair_evaluations(path, key)
    seeds = [config.seed + r for r in range(config.reps)]
    budget = math.inf if limit is None else limit
    previous = None
    for g in range(config.generations):
        candidates = draw_candidates(config, g, previous)
        todo = [(g, i, v, scenario, seeds) for i, v in enumerate(candidates) if (g, i) not in done]
        todo = todo[:int(min(budget, len(todo)))]
        for _, record in run_tasks(evaluate_candidate, todo, "local", workers):
            record["key"] = key
            append_record(path, record)
            done[g, record["candidate"]] = record
            if progress:
                progress(1)
        budget -= len(todo)
        if any((g, i) not in done for i in range(config.candidates)):
            break  # stopped part-way: later generations need this one complete
        previous = _generation(config, g, done, previous)
        previous = previous[previous["accepted"]]
    return done

# ---- the posterior ------------------------------------------------------------------------------
@dataclass
class Posterior:
    """Every candidate with its mean statistics and distance; the final accepted ones flagged."""

    config: CalibrationConfig
    candidates: pd.DataFrame  # generation, candidate, parameters, statistics, distance,
    # accepted, weight (of an accepted set within its generation; 0 if not accepted)

    @property
    def accepted(self) -> pd.DataFrame:
        last = self.candidates["generation"] == self.candidates["generation"].max()
        return self.candidates[last & self.candidates["accepted"]].sort_values("distance")

    def point(self) -> dict[str, float | int]:
        """Posterior (weighted) median of each parameter, rounded for an int parameter."""
        acc = self.accepted
        out: dict[str, float | int] = {}
        for p in self.config.priors:
            median = abc_smc.weighted_median(acc[p.name].to_numpy(float),
                                             acc["weight"].to_numpy(float))
            out[p.name] = round(median) if REGISTRY[p.name].kind == "int" else median
        return out


def _generation(config: CalibrationConfig, g: int, done: Done,
                previous: pd.DataFrame | None) -> pd.DataFrame:
    """One generation's candidates, the closest ``accept`` fraction accepted and weighted."""
    rows = []
    for i in range(config.candidates):
        record = done[g, i]
        stats = mean_stats(record["reps"], list(STATISTICS))
        rows.append({"generation": g, "candidate": i, **record["values"], **stats,
                     "distance": distance(stats, config.targets)})
    frame = pd.DataFrame(rows)
    n_accept = n_accepted(config.accept, len(frame))
    order = frame.sort_values(["distance", "candidate"]).index[:n_accept]
    frame["accepted"] = frame.index.isin(order)
    frame["weight"] = 0.0
    names = [p.name for p in config.priors]
    if previous is None:
        frame.loc[frame["accepted"], "weight"] = 1.0 / n_accept
    else:
        new = abc_smc.to_unit(config.priors, frame.loc[frame["accepted"], names].to_numpy(float))
        old = abc_smc.to_unit(config.priors, previous[names].to_numpy(float))
        frame.loc[frame["accepted"], "weight"] = abc_smc.importance_weights(
            new, old, previous["weight"].to_numpy(float))
    return frame


def posterior(config: CalibrationConfig, done: Done) -> Posterior:
    """Every generation in turn; the last generation's accepted sets are the posterior."""
    frames, previous = [], None
    for g in range(config.generations):
        frame = _generation(config, g, done, previous)
        frames.append(frame)
        previous = frame[frame["accepted"]]
    return Posterior(config, pd.concat(frames, ignore_index=True))


def calibrated_toml(post: Posterior, command: str) -> str:
    """A parameter file: the posterior median as [params], the accepted sets as [[posterior]].

    Written by tomli-w (exact TOML for any name, path or number), after a comment header;
    ``lead_sim.calibration.load_calibrated`` reads it back to the same values.
    """
    c = post.config
    header = [
        "Calibrated parameters for lead_sim (lead-sim run/validate/compare --calibrated FILE).",
        f"Produced by: {command}",
        f"{method(c)}: {len(post.accepted)} of the last generation's {c.candidates} "
        f"candidates accepted ({len(post.candidates)} in all, {plural(c.reps, 'replicate')} "
        f"each, population {c.population:,}, scenario {c.scenario}).",
        "[params] holds the posterior (weighted) median; [[posterior]] the accepted sets,",
        "closest first, with their importance weights. [calibration] model is the",
        "fingerprint of the model code it was fitted on (lead_sim.calibration).",
    ]
    data = {
        "calibration": {
            "config": Path(display_path(c.path)).as_posix(), "key": c.key(),
            "model": model_fingerprint(), "generations": c.generations,
            "candidates": len(post.candidates), "accepted": len(post.accepted),
            "targets": [t.name for t in c.targets],
        },
        "params": {k: _toml_value(v) for k, v in post.point().items()},
        "posterior": [
            {"distance": float(row["distance"]), "weight": float(row["weight"]),
             **{p.name: _toml_value(row[p.name], REGISTRY[p.name].kind) for p in c.priors}}
            for _, row in post.accepted.iterrows()],
    }
    comments = "".join(f"# {' '.join(line.split())}\n" for line in header)
    return comments + "\n" + tomli_w.dumps(data)


def _toml_value(value: Any, kind: str = "") -> int | float | str:
    """A plain Python value tomli-w can write (numpy scalars are not)."""
    if isinstance(value, str):
        return value
    if kind == "int" or isinstance(value, int | np.integer):
        return int(value)
    return float(value)
