"""Optimisation configs: what a policy search may decide, what it aims at, and its budget cap.

A config is a TOML file, or the name of a built-in one (``lead_sim/data/optimize/<name>.toml``,
e.g. ``budget_mix``). Every name and number in it is checked before anything runs, so a typo
costs a second, not an hour of simulation; the checked result is an :class:`OptimizeConfig`,
plain data that the search, the store and the report read.

A decision variable is either a registry parameter that a scenario's timeline may set (the
programme budget, the case-management share, a service pool's ``<pool>_budget_share``, the
caseload cap, ...) or ``cover:<area>``: how many years after the policy start LEAD starts to
cover an area (a value at or past the end of the run means never). Objectives are outcome
names (:func:`objective_names`) with a sense, ``min`` or ``max``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lead_sim import inputfiles
from lead_sim.errors import LeadSimError, close_matches
from lead_sim.neighbourhoods import AREA_KEYS
from lead_sim.outcomes.measures import OUTCOMES
from lead_sim.params import PAYERS, REGISTRY, check_name

KIND = inputfiles.OPTIMIZE_CONFIG
TOP_KEYS = ("name", "description", "scenario", "start", "years", "population", "reps",
            "generations", "pop_size", "seed", "algorithm", "budget_cap", "objectives",
            "variable")
VARIABLE_KEYS = ("name", "low", "high")
ALGORITHMS = ("nsga2", "nsga3")
SENSES = ("min", "max")
COVER = "cover:"
BUDGET = "budget_usd_per_year"
#: Net public cost with jail bed-days at the marginal rate, as ``lead-sim compare`` prices it.
MARGINAL_COSTS = {
    "cost_total_marginal": "Total public cost with jail bed-days at the marginal rate (USD)",
    "cost_jail_marginal": "Jail cost with bed-days at the marginal rate (USD)",
}
RUN_OPTIONS = ("generations", "pop_size", "reps", "population", "years", "seed")


def objective_names() -> dict[str, str]:
    """Outcomes an objective may name, with what each means: every summary outcome
    (equity measures too, once :data:`~lead_sim.outcomes.measures.OUTCOMES` declares them),
    each payer's cost and the costs at the marginal jail rate."""
    return {**OUTCOMES, **{f"cost_{p}": f"Cost to {p.replace('_', ' ')} (USD)" for p in PAYERS},
            **MARGINAL_COSTS}


def builtin_names() -> list[str]:
    """The built-in optimisation configs, run by name."""
    return inputfiles.builtin_names(KIND)


@dataclass(frozen=True)
class Variable:
    """One decision variable and its bounds. ``kind``: ``float``, ``int`` (a whole-number
    parameter: the search's value is rounded) or ``cover`` (years after the policy start)."""

    name: str
    low: float
    high: float
    kind: str = "float"

    @property
    def area(self) -> str:
        return self.name.removeprefix(COVER)

    def value(self, x: float) -> float | int:
        """The variable's value for the search's number ``x`` (within the bounds)."""
        x = min(max(float(x), self.low), self.high)
        return round(x) if self.kind == "int" else x


@dataclass(frozen=True)
class OptimizeConfig:
    """A checked optimisation config (see the module docstring and docs/optimize.md)."""

    name: str
    description: str
    source: str
    scenario: str
    start: dt.date
    years: float
    population: int | None
    reps: int
    generations: int
    pop_size: int
    seed: int
    algorithm: str
    budget_cap: float
    objectives: dict[str, str]
    variables: tuple[Variable, ...]

    @property
    def evaluations(self) -> int:
        """Simulations a whole search runs: generations x candidates x replicates."""
        return self.generations * self.pop_size * self.reps

    def with_options(self, **options: Any) -> OptimizeConfig:
        """The config with command-line options (None: keep the config's) applied and checked."""
        given = {k: v for k, v in options.items() if v is not None}
        unknown = set(given) - set(RUN_OPTIONS)
        if unknown:
            raise LeadSimError(f"Unknown option(s) {sorted(unknown)}; allowed: {RUN_OPTIONS}.")
        for key, value in given.items():
            if key == "years":
                given[key] = _check_years(value, "--years")
            else:
                _check_count(value, key, f"--{key.replace('_', '-')}", key == "seed")
        return dataclasses.replace(self, **given)

    def fingerprint_data(self) -> dict[str, Any]:
        """Everything that decides the search's numbers (its store refuses another search)."""
        data = dataclasses.asdict(self)
        for key in ("name", "description", "source"):
            data.pop(key)
        data["start"] = self.start.isoformat()
        return data


def load_config(name_or_path: str, **options: Any) -> OptimizeConfig:
    """Read and check an optimisation config (a built-in name or a TOML path), with command-line
    ``options`` (:data:`RUN_OPTIONS`) replacing the config's values."""
    path = inputfiles.locate(KIND, name_or_path)
    data = inputfiles.read_toml(path, KIND, hint=inputfiles.missing_hint(KIND, path))
    inputfiles.check_kind(data, KIND, path)
    where = f"optimisation config '{inputfiles.shown_name(path) or path}'"
    unknown = [k for k in data if k not in TOP_KEYS]
    if unknown:
        raise LeadSimError(f"Unknown key '{unknown[0]}' in {where}."
                           f"{close_matches(unknown[0], TOP_KEYS)} Allowed: "
                           f"{', '.join(TOP_KEYS)}.")
    for key in ("scenario", "start", "budget_cap", "objectives", "variable"):
        if key not in data:
            raise LeadSimError(f"{where} has no '{key}' (see docs/optimize.md).")
    config = OptimizeConfig(
        name=_text(data.get("name", path.stem), "name", where),
        description=_text(data.get("description", ""), "description", where),
        source=str(path),
        scenario=_scenario(data["scenario"], path, where),
        start=_start(data["start"], where),
        years=_check_years(data.get("years", 2.0), f"'years' in {where}"),
        population=(_check_count(data["population"], "population", f"'population' in {where}")
                    if "population" in data else None),
        reps=_check_count(data.get("reps", 5), "reps", f"'reps' in {where}"),
        generations=_check_count(data.get("generations", 40), "generations",
                                 f"'generations' in {where}"),
        pop_size=_check_count(data.get("pop_size", 24), "pop_size", f"'pop_size' in {where}"),
        seed=_check_count(data.get("seed", 1), "seed", f"'seed' in {where}", zero=True),
        algorithm=_choice(data.get("algorithm", "nsga2"), ALGORITHMS, "algorithm", where),
        budget_cap=_budget_cap(data["budget_cap"], where),
        objectives=_objectives(data["objectives"], where),
        variables=_variables(data["variable"], where),
    )
    return config.with_options(**options)


# ---- field checks ------------------------------------------------------------------------------
def _text(value: Any, key: str, where: str) -> str:
    if not isinstance(value, str):
        raise LeadSimError(f"'{key}' in {where} must be text; got {value!r}.")
    return value


def _scenario(value: Any, config_path: Path, where: str) -> str:
    from lead_sim.scenarios.loader import builtin_names as scenarios

    text = _text(value, "scenario", where)
    if text in scenarios() or Path(text).is_absolute():
        return text
    beside = config_path.parent / text
    return str(beside) if beside.exists() else text


def _start(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise LeadSimError(f"'start' in {where} must be a date (start = 2022-01-01), the day "
                           f"the searched policy takes effect; got {value!r}.")
    return value


def _is_number(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


def _check_count(value: Any, key: str, where: str, zero: bool = False) -> int:
    least = 0 if zero else 1
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise LeadSimError(f"{where} must be a whole number of at least {least}; got {value!r}.")
    if key == "pop_size" and value < 4:
        raise LeadSimError(f"{where} must be at least 4 candidates (NSGA selection works in "
                           f"pairs of pairs); got {value}.")
    return value


def _check_years(value: Any, where: str) -> float:
    if not _is_number(value) or not 0 < value <= 20:
        raise LeadSimError(f"{where} must be a number of years above 0 and at most 20 (the "
                           f"policy period simulated after 'start'); got {value!r}.")
    return float(value)


def _choice(value: Any, allowed: tuple[str, ...], key: str, where: str) -> str:
    if value not in allowed:
        raise LeadSimError(f"'{key}' in {where} must be one of {', '.join(allowed)}; "
                           f"got {value!r}.")
    return value


def _budget_cap(value: Any, where: str) -> float:
    if not _is_number(value) or value <= 0:
        raise LeadSimError(f"'budget_cap' in {where} must be a positive number of USD per year "
                           f"(the most the programme budget may be); got {value!r}.")
    return float(value)


def _objectives(table: Any, where: str) -> dict[str, str]:
    if not isinstance(table, dict) or not table:
        raise LeadSimError(f"'objectives' in {where} must be a table of outcome = \"min\" or "
                           "\"max\" (e.g. jail_bed_days = \"min\"), with at least one entry.")
    names = objective_names()
    for name, sense in table.items():
        if name not in names:
            raise LeadSimError(f"Unknown objective '{name}' in {where}."
                               f"{close_matches(name, names)} Objectives are outcome names: "
                               f"{', '.join(names)}.")
        if sense not in SENSES:
            raise LeadSimError(f"Objective '{name}' in {where} must be \"min\" or \"max\"; "
                               f"got {sense!r}.")
    return dict(table)


def _variables(raw: Any, where: str) -> tuple[Variable, ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(v, dict) for v in raw):
        raise LeadSimError(f"{where} needs at least one [[variable]] table (name, low, high).")
    out = [_variable(entry, f"[[variable]] {i + 1} of {where}") for i, entry in enumerate(raw)]
    names = [v.name for v in out]
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise LeadSimError(f"Variable '{twice}' is given twice in {where}.")
    return tuple(out)


def _variable(entry: dict[str, Any], where: str) -> Variable:
    unknown = [k for k in entry if k not in VARIABLE_KEYS]
    if unknown:
        raise LeadSimError(f"Unknown key '{unknown[0]}' in {where}; allowed: "
                           f"{', '.join(VARIABLE_KEYS)}.")
    missing = [k for k in VARIABLE_KEYS if k not in entry]
    if missing:
        raise LeadSimError(f"{where} has no '{missing[0]}'.")
    name, low, high = entry["name"], entry["low"], entry["high"]
    if not isinstance(name, str):
        raise LeadSimError(f"'name' in {where} must be text; got {name!r}.")
    if not (_is_number(low) and _is_number(high)) or low >= high:
        raise LeadSimError(f"Variable '{name}' in {where}: low and high must be numbers with "
                           f"low < high; got low = {low!r}, high = {high!r}.")
    if name.startswith(COVER):
        area = name.removeprefix(COVER)
        if area not in AREA_KEYS:
            raise LeadSimError(f"Unknown area '{area}' in variable '{name}' ({where})."
                               f"{close_matches(area, AREA_KEYS)} Areas: "
                               f"{', '.join(AREA_KEYS)}.")
        if low < 0:
            raise LeadSimError(f"Variable '{name}' in {where} is years after 'start' that LEAD "
                               f"starts to cover {area}: low must be 0 or more; got {low}.")
        return Variable(name, float(low), float(high), "cover")
    param = check_name(name, where)
    if param.kind == "choice" or param.start_only:
        why = "it is a choice" if param.kind == "choice" else "it is fixed when a run starts"
        raise LeadSimError(f"Parameter '{name}' in {where} cannot be a decision variable: "
                           f"{why}; use a numeric parameter a timeline may set.")
    if low < param.low or high > param.high:
        raise LeadSimError(f"Variable '{name}' in {where}: bounds {low:g} to {high:g} leave the "
                           f"parameter's allowed range, {param.low:g} to {param.high:g} "
                           f"{param.unit}.")
    return Variable(name, float(low), float(high), "int" if param.kind == "int" else "float")


def describe(name: str) -> str:
    """A variable's meaning, for reports and the manifest."""
    if name.startswith(COVER):
        return f"years after the policy start when LEAD starts to cover {name[len(COVER):]}"
    return REGISTRY[name].description
