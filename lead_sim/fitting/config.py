"""A calibration config: uncertain parameters with priors, targets, and run settings.

Read from a built-in config (``lead_sim/data/calibration/``, given by name) or any path, and
checked in full before anything runs. Targets may only be statistics the evidence file gives
for calibration (:data:`STATISTICS`).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lead_sim.errors import LeadSimError, close_matches
from lead_sim.fitting.replay import MIN_POPULATION, pilot_scenario
from lead_sim.fitting.system import SYSTEM_TARGETS
from lead_sim.inputfiles import (
    CALIBRATION_CONFIG,
    check_kind,
    locate,
    missing_hint,
    read_toml,
    shown_name,
)
from lead_sim.params import REGISTRY, Params, check_name
from lead_sim.runs.runner import check_seeds, parse_seed
from lead_sim.scenarios import Scenario

#: Statistics a target may name, and what each is. Held-out outcomes are deliberately absent.
STATISTICS: dict[str, str] = {
    "arrest_or_6m": "odds ratio of any arrest in 6 months after entry, LEAD vs control (#3)",
    "arrest_or_long": "odds ratio of any arrest to the end of follow-up (#4)",
    "n_lead_reference": "LEAD cohort Oct 2011 - Jul 2014 at the reference population (#1, O12)",
    "rearrest_12m": "share re-arrested within 12 months of a first police contact (#37, #40)",
    "caseload": "participants per case manager, last year of the pilot window (O16)",
    **{name: f"{target.description}, sourced range {target.low:,.0f}-{target.high:,.0f}"
       for name, target in SYSTEM_TARGETS.items()},
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
        definition = {k: v for k, v in self.prepared.to_dict().items()
                      if k not in ("source", "calibrated")}  # always run uncalibrated
        calibrated = {p.name for p in self.priors}
        start = Params.with_overrides(self.prepared.params)
        definition["start_params"] = {k: v for k, v in start.items() if k not in calibrated}
        return definition

    def key(self) -> str:
        """Fingerprint of everything that decides the candidates and their numbers.

        The scenario counts by its definition (:meth:`scenario_definition`), not by its name
        or path: editing the scenario file, a built-in scenario or a registry default between
        two sessions changes the key, so a resume never mixes evaluations of two models (as
        :func:`lead_sim.runs.runner.run_key` hashes the prepared scenarios). The number of
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
    if not isinstance(name, str) or name not in STATISTICS:
        raise LeadSimError(
            f"Unknown target '{name}' in {where}.{close_matches(str(name), STATISTICS)} Allowed: "
            f"{', '.join(STATISTICS)}. Outcomes held out of the evidence file cannot be targets.")
    if not isinstance(table.get("source"), str) or not table["source"]:
        raise LeadSimError(f"Target '{name}' in {where} needs 'source': the evidence row.")
    return Target(str(name), _number(table, "value", where),
                  _number(table, "scale", where, positive=True), table["source"],
                  _number(table, "weight", where, positive=True) if "weight" in table else 1.0)


def _seed(data: dict, reps: int, where: str) -> int:
    """The config's seed, checked by the project's rule (:func:`lead_sim.runs.runner.check_seeds`)
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
    path = locate(CALIBRATION_CONFIG, path)  # a built-in's name or a path
    where = f"calibration config '{shown_name(path) or path}'"
    data = read_toml(path, CALIBRATION_CONFIG, hint=missing_hint(CALIBRATION_CONFIG, path))
    check_kind(data, CALIBRATION_CONFIG, path)
    _unknown(data, CONFIG_KEYS, where)
    for key in ("parameter", "target"):
        tables = data.get(key, [])
        if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
            raise LeadSimError(f"'{key}' in {where} must be a list of [[{key}]] tables.")
    if not isinstance(data.get("scenario", ""), str):
        raise LeadSimError(f"'scenario' in {where} must be a scenario's name or a path (a "
                           f"string); got {data['scenario']!r}.")
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
        else 1, path=shown_name(path) or str(path),
        prepared=_scenario(data, path, population, where))
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
    config file. It starts from the registry's defaults, never from an earlier calibration, so
    a fit does not depend on the one before it. Loaded once, with the config, so the scenario
    that is fingerprinted (:meth:`CalibrationConfig.key`) is the one that runs, and a bad one
    stops the command before any folder is made."""
    name = str(data.get("scenario", "pilot_2011"))
    if name.endswith(".toml") and not Path(name).is_absolute():
        name = str(Path(path).parent / name)
    try:
        return pilot_scenario(name, population=population, calibrated=None)
    except LeadSimError as exc:
        raise LeadSimError(f"'scenario' in {where}: {exc}") from None


def method(config: CalibrationConfig) -> str:
    """The method's name for reports."""
    if config.generations == 1:
        return "ABC rejection"
    return f"ABC-SMC ({config.generations} generations)"
