"""Calibration by approximate Bayesian computation (rejection, then SMC) against the evidence.

A calibration config (``configs/calibration/*.toml``) declares the uncertain parameters with
priors and the targets with their published value, a scale and the evidence row. Candidates are
drawn from the priors by Latin hypercube (scipy.stats.qmc, seeded); each is run for a few
replicates with common seeds, and its distance is the root mean square of
(mean simulated statistic - target) / scale over the targets. The candidates closest to the
targets (a fixed fraction) are the accepted sample of the approximate posterior (Pritchard et
al. 1999; Beaumont, Zhang & Balding 2002). With ``generations`` above 1, each later generation
proposes new candidates around the previous accepted ones and weights them (ABC-SMC, see
:mod:`lead_sim.abc_smc`), accepting again the closest fraction of its own candidates.

Targets may only be statistics the evidence file gives for calibration (the arrest odds ratios,
pilot enrolment, re-arrest base rate and caseload): the outcomes held out of it are never fitted.
Each finished candidate is appended to ``evaluations.jsonl`` and flushed to disk, so a run that
stops part-way resumes with the same command and ends with the same result.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tomllib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from lead_sim import abc_smc, io
from lead_sim.errors import LeadSimError, close_matches
from lead_sim.executors import run_tasks
from lead_sim.params import REGISTRY, Params, check_name
from lead_sim.replay import MIN_POPULATION, mean_stats, pilot_scenario, replicate
from lead_sim.runner import check_seeds, parse_seed, replicate_draw
from lead_sim.scenarios import Scenario
from lead_sim.tables import plural

#: Statistics a target may name, and what each is. Held-out outcomes are deliberately absent.
STATISTICS: dict[str, str] = {
    "arrest_or_6m": "odds ratio of any arrest in 6 months after entry, LEAD vs control (#3)",
    "arrest_or_long": "odds ratio of any arrest to the end of follow-up (#4)",
    "n_lead_reference": "LEAD cohort Oct 2011 - Jul 2014 at the reference population (#1, O12)",
    "rearrest_12m": "share re-arrested within 12 months of a first police contact (#37, #40)",
    "caseload": "participants per case manager, last year of the pilot window (O16)",
}
PRIORS = ("uniform", "loguniform")
CONFIG_KEYS = ("scenario", "population", "reps", "candidates", "accept", "seed", "generations",
               "parameter", "target")
PARAM_KEYS = ("name", "prior", "low", "high")
TARGET_KEYS = ("name", "value", "scale", "source", "weight")
EVALUATIONS = "evaluations.jsonl"


@dataclass(frozen=True)
class Prior:
    name: str
    prior: str
    low: float
    high: float

    def transform(self, u: np.ndarray) -> np.ndarray:
        """Map uniform(0, 1) draws onto this prior."""
        if self.prior == "loguniform":
            x = np.exp(np.log(self.low) + u * (np.log(self.high) - np.log(self.low)))
        else:
            x = self.low + u * (self.high - self.low)
        return np.round(x) if REGISTRY[self.name].kind == "int" else x


@dataclass(frozen=True)
class Target:
    name: str
    value: float
    scale: float
    source: str
    weight: float = 1.0


@dataclass(frozen=True)
class CalibrationConfig:
    scenario: str
    population: int
    reps: int
    candidates: int
    accept: float
    seed: int
    priors: tuple[Prior, ...]
    targets: tuple[Target, ...]
    prepared: Scenario = field(repr=False)  # the scenario as every candidate runs it
    generations: int = 1
    path: str = ""

    def scenario_definition(self) -> dict[str, Any]:
        """What the candidates run besides their own values: the prepared scenario (dates,
        timeline, [params]) and every parameter value it starts from, registry defaults
        included, except the calibrated ones (each candidate sets those).

        ``source`` (where the scenario file was read from) is left out: moving the project
        or the calibration folder changes no run, so it must not orphan finished evaluations.
        """
        definition = {k: v for k, v in self.prepared.to_dict().items() if k != "source"}
        calibrated = {p.name for p in self.priors}
        start = Params.with_overrides(self.prepared.params)
        definition["start_params"] = {k: v for k, v in start.items() if k not in calibrated}
        return definition

    def key(self) -> str:
        """Fingerprint of everything that decides the candidates and their numbers.

        The scenario counts by its definition (:meth:`scenario_definition`), not by its name
        or path: editing the scenario file, a built-in scenario or a registry default between
        two sessions changes the key, so a resume never mixes evaluations of two models (as
        :func:`lead_sim.runner.run_key` hashes the prepared scenarios). The number of
        generations is left out: generation g depends only on the ones before it, so adding a
        generation to a finished calibration keeps its evaluations.
        """
        data = {k: v for k, v in asdict(self).items()
                if k not in ("path", "generations", "prepared")}
        data["scenario_definition"] = self.scenario_definition()
        text = json.dumps(data, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


# ---- reading a config ---------------------------------------------------------------------------
def _unknown(keys, allowed, where: str) -> None:
    for key in keys:
        if key not in allowed:
            raise LeadSimError(f"Unknown key '{key}' in {where}.{close_matches(key, allowed)} "
                               f"Allowed: {', '.join(allowed)}.")


def _number(table: dict, key: str, where: str, positive: bool = False) -> float:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise LeadSimError(f"'{key}' in {where} must be a number; got {value!r}.")
    if positive and not value > 0:
        raise LeadSimError(f"'{key}' in {where} must be positive; got {value}.")
    return float(value)


def _prior(table: dict, where: str) -> Prior:
    _unknown(table, PARAM_KEYS, where)
    name = table.get("name")
    param = check_name(str(name), where)
    if param.kind == "choice" or not param.sweepable:
        raise LeadSimError(f"Parameter '{name}' in {where} cannot be calibrated (a choice or "
                           "fixed setting); pick a numeric, sweepable parameter.")
    prior = table.get("prior", "uniform")
    if prior not in PRIORS:
        raise LeadSimError(f"'prior' of '{name}' in {where} must be one of {', '.join(PRIORS)}; "
                           f"got {prior!r}.")
    low, high = _number(table, "low", where), _number(table, "high", where)
    if not (param.low <= low < high <= param.high):
        raise LeadSimError(
            f"Prior range {low:g} to {high:g} of '{name}' in {where} must lie inside the "
            f"registry bounds {param.low:g} to {param.high:g} {param.unit}, with low < high.")
    if prior == "loguniform" and low <= 0:
        raise LeadSimError(f"A loguniform prior needs low > 0 ('{name}' in {where}).")
    return Prior(str(name), prior, low, high)


def _target(table: dict, where: str) -> Target:
    _unknown(table, TARGET_KEYS, where)
    name = table.get("name")
    if name not in STATISTICS:
        raise LeadSimError(
            f"Unknown target '{name}' in {where}.{close_matches(str(name), STATISTICS)} Allowed: "
            f"{', '.join(STATISTICS)}. Outcomes held out of the evidence file cannot be targets.")
    if not isinstance(table.get("source"), str) or not table["source"]:
        raise LeadSimError(f"Target '{name}' in {where} needs 'source': the evidence row.")
    return Target(str(name), _number(table, "value", where),
                  _number(table, "scale", where, positive=True), table["source"],
                  _number(table, "weight", where, positive=True) if "weight" in table else 1.0)


def _seed(data: dict, reps: int, where: str) -> int:
    """The config's seed, checked by the project's rule (:func:`lead_sim.runner.check_seeds`)
    rather than one of its own, so calibrate accepts exactly the seeds run and validate do:
    a whole number (1.5 is refused, not truncated) whose replicates' seeds all stay in range.
    """
    seed = data.get("seed", 0)
    try:
        first = parse_seed(seed)
    except LeadSimError as exc:
        raise LeadSimError(f"'seed' in {where}: {exc}") from None
    try:  # every replicate's seed, so a bad one stops here rather than in NumPy
        return check_seeds(first, reps)
    except LeadSimError as exc:
        raise LeadSimError(f"'seed' = {first} with 'reps' = {reps} in {where}: {exc}") from None


def load_config(path: str | os.PathLike[str]) -> CalibrationConfig:
    """Read and check a calibration config; every problem names the file and the key."""
    where = f"calibration config '{path}'"
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LeadSimError(f"Calibration config '{path}' does not exist.") from None
    except tomllib.TOMLDecodeError as exc:
        raise LeadSimError(f"{where} is not valid TOML: {exc}.") from None
    _unknown(data, CONFIG_KEYS, where)
    priors = tuple(_prior(t, f"[[parameter]] {i + 1} of {where}")
                   for i, t in enumerate(data.get("parameter", [])))
    targets = tuple(_target(t, f"[[target]] {i + 1} of {where}")
                    for i, t in enumerate(data.get("target", [])))
    if not priors:
        raise LeadSimError(f"{where} declares no [[parameter]] to calibrate.")
    if not targets:
        raise LeadSimError(f"{where} declares no [[target]] to calibrate to.")
    names = [p.name for p in priors]
    if len(set(names)) < len(names):
        raise LeadSimError(f"A parameter appears twice in {where}.")
    accept = _number(data, "accept", where, positive=True) if "accept" in data else 0.2
    if accept >= 1:
        raise LeadSimError(f"'accept' in {where} is the accepted fraction, below 1; got {accept}.")
    reps = int(_number(data, "reps", where, True)) if "reps" in data else 3
    population = _population(data, where)
    config = CalibrationConfig(
        scenario=str(data.get("scenario", "pilot_2011")),
        population=population, reps=reps,
        candidates=int(_number(data, "candidates", where, True)) if "candidates" in data else 60,
        accept=accept, seed=_seed(data, reps, where), priors=priors, targets=targets,
        generations=int(_number(data, "generations", where, True)) if "generations" in data
        else 1, path=str(path), prepared=_scenario(data, path, population, where))
    _check_smc_accepted(config, where)
    return config


def n_accepted(accept: float, candidates: int) -> int:
    """How many of a generation's candidates are accepted: the ``accept`` fraction, at least 1."""
    return max(1, round(accept * candidates))


def _check_smc_accepted(config: CalibrationConfig, where: str) -> None:
    """Refuse an ABC-SMC config whose generations would accept too few sets to propose from.

    A later generation's kernel has the covariance of the accepted sets; n sets in d
    parameters span at most n - 1 directions, so fewer than d + 1 leave the kernel unable to
    move along some parameter (one set gives no covariance at all, and the proposals fail).
    d + 1 is the least that gives a full-rank kernel; a rejection calibration (one
    generation) needs only 1.
    """
    if config.generations == 1:
        return
    need, d = len(config.priors) + 1, len(config.priors)
    got = n_accepted(config.accept, config.candidates)
    if got >= need:
        return
    candidates = max(config.candidates, math.ceil((need - 0.5) / config.accept))
    while n_accepted(config.accept, candidates) < need:  # round() halves to even
        candidates += 1
    accept = (f", or 'accept' to at least {need / config.candidates:.3g}"
              if need < config.candidates else "")
    raise LeadSimError(
        f"{where} has generations = {config.generations}, but accept = {config.accept:g} of "
        f"candidates = {config.candidates} accepts only {got} set(s) per generation. ABC-SMC "
        f"needs at least {need} (one more than the {d} calibrated parameter(s)) to draw the "
        f"next generation around them. Raise 'candidates' to at least {candidates}{accept}, "
        "or set generations = 1 (rejection).")


def _population(data: dict, where: str) -> int:
    population = (int(_number(data, "population", where, True)) if "population" in data
                  else int(Params()["population"]))
    if population < MIN_POPULATION:
        raise LeadSimError(f"'population' in {where} must be at least {MIN_POPULATION:,} so the "
                           "evaluation's cohorts can be formed.")
    return population


def _scenario(data: dict, path: str | os.PathLike[str], population: int,
              where: str) -> Scenario:
    """The config's scenario, prepared as the candidates run it; a path is relative to the
    config file. Loaded once, with the config, so the scenario that is fingerprinted
    (:meth:`CalibrationConfig.key`) is the one that runs, and a bad one stops the command
    before any folder is made."""
    name = str(data.get("scenario", "pilot_2011"))
    if name.endswith(".toml") and not Path(name).is_absolute():
        name = str(Path(path).parent / name)
    try:
        return pilot_scenario(name, population=population)
    except LeadSimError as exc:
        raise LeadSimError(f"'scenario' in {where}: {exc}") from None


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
             for p, col in zip(config.priors, columns)} for i in range(n)]


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


Done = dict[tuple[int, int], dict[str, Any]]  # (generation, candidate) -> record


def read_evaluations(path: Path, key: str) -> Done:
    """Finished candidates from an evaluations file; a torn last line (a kill) is ignored."""
    if not path.exists():
        return {}
    done: Done = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(record, dict) or record.get("key") != key:
            raise LeadSimError(
                f"{path} holds evaluations of a different calibration (config, population, "
                "replicates, seed, or the scenario's definition or parameter defaults changed)."
                " Use a new --out folder, or delete the file.")
        problem = _malformed(record)
        if problem:
            raise LeadSimError(
                f"Line {number} of {path} is not a complete evaluation: {problem}. The file was "
                "edited or damaged by something other than lead-sim calibrate; delete that line "
                "(its candidate is evaluated again) or use a new --out folder.")
        done[record.get("generation", 0), record["candidate"]] = record
    return done


def _malformed(record: dict[str, Any]) -> str:
    """What an evaluation record of the right calibration lacks, or '' if nothing.

    Checked on reading, so a hand-edited line is reported with its line number rather than
    failing later with a KeyError far from the file.
    """
    def whole(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0

    if not whole(record.get("candidate")):
        return f"'candidate' must be a whole number >= 0; got {record.get('candidate')!r}"
    if not whole(record.get("generation", 0)):
        return f"'generation' must be a whole number >= 0; got {record.get('generation')!r}"
    if not isinstance(record.get("values"), dict):
        return "'values' (the candidate's parameters) is missing"
    reps = record.get("reps")
    if not isinstance(reps, list) or not reps:
        return "'reps' (the replicates' statistics) is missing or empty"
    for rep in reps:
        missing = [s for s in STATISTICS if not isinstance(rep, dict) or s not in rep]
        if missing:
            return f"a replicate lacks {', '.join(missing)}"
    return ""


def open_out_dir(out_dir: Path, key: str) -> Done:
    """The evaluations already in --out, after refusing a folder that holds anything but this
    calibration (before anything is written).

    Calibration resumes, so its own folder must pass: finished, it has a manifest.json with the
    config's ``key`` (as run and validate record theirs); part-way, only evaluations.jsonl, whose
    records carry the key. A new or empty folder passes too.
    """
    evaluations = out_dir / EVALUATIONS
    if (out_dir / "manifest.json").exists() or not evaluations.exists():
        io.check_out_dir(out_dir, key, field="key", what="calibration")
    return read_evaluations(evaluations, key)


def _rewrite(path: Path, done: Done) -> None:
    """Replace the evaluations file by its complete records, atomically."""
    staging = path.with_name(f".{path.name}.tmp")
    staging.write_text("".join(json.dumps(done[i]) + "\n" for i in sorted(done)),
                       encoding="utf-8")
    os.replace(staging, path)


def _append(path: Path, record: dict[str, Any]) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def evaluated(config: CalibrationConfig, out_dir: Path) -> int:
    """How many of the config's candidates ``out_dir`` already holds (a resumed run's start)."""
    done = open_out_dir(out_dir, config.key())
    return sum(1 for g, _ in done if g < config.generations)


def run_evaluations(config: CalibrationConfig, out_dir: Path, workers: int = 1,
                    progress: Callable[[int], None] | None = None,
                    limit: int | None = None) -> Done:
    """Evaluate every candidate not yet in ``out_dir/evaluations.jsonl``, appending each
    (``progress(1)`` after each; :func:`evaluated` counts those done before).

    Generations run in order, each drawn from the one before. ``limit`` stops after that many
    new evaluations (for a partial run); the same call later continues where it stopped.
    """
    scenario = config.prepared
    path, key = out_dir / EVALUATIONS, config.key()
    done = open_out_dir(out_dir, key)
    out_dir.mkdir(parents=True, exist_ok=True)
    if path.exists() and len(path.read_text(encoding="utf-8").splitlines()) != len(done):
        _rewrite(path, done)  # drop a line torn by a kill before appending after it
    seeds = [config.seed + r for r in range(config.reps)]
    budget = math.inf if limit is None else limit
    previous = None
    for g in range(config.generations):
        candidates = draw_candidates(config, g, previous)
        todo = [(g, i, v, scenario, seeds) for i, v in enumerate(candidates) if (g, i) not in done]
        todo = todo[:int(min(budget, len(todo)))]
        for _, record in run_tasks(evaluate_candidate, todo, "local", workers):
            record["key"] = key
            _append(path, record)
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
    """A parameter file: the posterior median as [params], the accepted sets as [[posterior]]."""
    c = post.config
    lines = [
        "# Calibrated parameters for lead_sim (lead-sim run/validate/compare --calibrated FILE).",
        f"# Produced by: {command}",
        f"# {method(c)}: {len(post.accepted)} of the last generation's {c.candidates} "
        f"candidates accepted ({len(post.candidates)} in all, {plural(c.reps, 'replicate')} each, "
        f"population {c.population:,}, scenario {c.scenario}).",
        "# [params] holds the posterior (weighted) median; [[posterior]] the accepted sets,",
        "# closest first, with their importance weights.",
        "", "[calibration]", f"config = {json.dumps(Path(c.path).as_posix())}",
        f'key = "{c.key()}"',
        f"generations = {c.generations}", f"candidates = {len(post.candidates)}",
        f"accepted = {len(post.accepted)}",
        "targets = [" + ", ".join(f'"{t.name}"' for t in c.targets) + "]", "", "[params]"]
    lines += [f"{k} = {_toml_number(v)}" for k, v in post.point().items()]
    for _, row in post.accepted.iterrows():
        lines += ["", "[[posterior]]", f"distance = {_toml_number(float(row['distance']))}",
                  f"weight = {_toml_number(float(row['weight']))}"]
        lines += [f"{p.name} = {_toml_number(row[p.name], REGISTRY[p.name].kind)}"
                  for p in c.priors]
    return "\n".join(lines) + "\n"


def method(config: CalibrationConfig) -> str:
    """The method's name for reports."""
    if config.generations == 1:
        return "ABC rejection"
    return f"ABC-SMC ({config.generations} generations)"


def _toml_number(value: Any, kind: str = "") -> str:
    if kind == "int" or isinstance(value, int | np.integer):
        return str(int(value))
    return repr(float(value))


# ---- reading a calibrated file ------------------------------------------------------------------
@dataclass(frozen=True)
class Calibrated:
    """A calibrated parameter file: point estimates and the posterior sample."""

    path: str
    params: dict[str, Any]
    draws: tuple[dict[str, Any], ...]

    def draw(self, i: int) -> dict[str, Any]:
        """Parameter set for replicate ``i`` (:func:`lead_sim.runner.replicate_draw`);
        ``draws`` is the posterior resampled by weight (systematic resampling)."""
        return replicate_draw(self.draws, i)


def load_calibrated(path: str | os.PathLike[str]) -> Calibrated:
    """Read a calibrated parameter file, checking every value against the registry."""
    where = f"calibrated parameter file '{path}'"
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LeadSimError(f"Calibrated parameter file '{path}' does not exist (make one with "
                           "'lead-sim calibrate CONFIG --out DIR': DIR/calibrated.toml).") from None
    except tomllib.TOMLDecodeError as exc:
        raise LeadSimError(f"{where} is not valid TOML: {exc}.") from None
    if not isinstance(data.get("params"), dict) or not data["params"]:
        raise LeadSimError(f"{where} has no [params] table of calibrated values.")
    params = dict(data["params"])
    Params.with_overrides(params, where)
    draws, weights = [], []
    for i, draw in enumerate(data.get("posterior", [])):
        at = f"[[posterior]] {i + 1} of {where}"
        values = {k: v for k, v in draw.items() if k not in ("distance", "weight")}
        Params.with_overrides(values, at)
        weight = draw.get("weight", 1.0)
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
            raise LeadSimError(f"'weight' in {at} must be a number >= 0; got {weight!r}.")
        draws.append(values)
        weights.append(float(weight))
    if draws and sum(weights) <= 0:
        raise LeadSimError(f"The [[posterior]] weights in {where} are all zero.")
    if draws:  # a weighted sample becomes an equally weighted one, in a fixed order
        draws = [draws[i] for i in abc_smc.systematic_resample(np.array(weights), len(draws))]
    return Calibrated(str(path), params, tuple(draws) or (params,))
