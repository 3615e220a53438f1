"""Sweep specifications: what to vary, how to sample it and what to analyse, checked up front.

A sweep spec is a TOML file: a built-in one (``lead_sim/data/sweeps/``, run by name) or any
path. Every name and number in it is checked against the parameter registry and the chosen SALib
method before any run starts, so a typo costs a second, not an hour of simulation. The checked
result is a :class:`SweepSpec`, plain data that the sampler, the store and the runner read.

Two ways to vary a parameter:

``set`` (the default)
    the sampled value replaces the parameter's start value and every dated change of it in the
    scenario's timeline, so it holds for the whole run. Bounds default to the registry's.
``scale``
    the sampled number multiplies every value the scenario gives the parameter (start value and
    dated changes). This keeps a scenario's shape, e.g. a budget that grows over the years, and
    asks "what if it were half or twice as large". Bounds are the multiplier range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lead_sim.errors import LeadSimError, close_matches
from lead_sim.inputfiles import SWEEP_SPEC, check_kind, locate, missing_hint, read_toml, shown_name
from lead_sim.outcomes.equity import SWEEP_OUTCOMES
from lead_sim.outcomes.measures import OUTCOMES
from lead_sim.params import GROUPS, PAYERS, REGISTRY, check_name
from lead_sim.scenarios import Scenario
from lead_sim.scenarios.loader import locate_scenario

METHODS = ("morris", "sobol", "fast", "lhs")
TOP_KEYS = ("name", "description", "scenario", "baseline", "method", "samples", "reps", "seed",
            "population", "years", "outcomes", "groups", "parameters", "options", "discovery")
FACTOR_KEYS = ("low", "high", "scale")
DISCOVERY_KEYS = ("outcome", "below", "above", "label")
#: Method options with their defaults (SALib's names).
OPTIONS: dict[str, dict[str, Any]] = {
    "sobol": {"second_order": False},
    "morris": {"num_levels": 4},
    "fast": {"M": 4},
    "lhs": {"M": 10},
}
#: The prefix of a paired outcome (scenario minus baseline): ``diff_cost_total`` is a name
#: pandas, R and attribute access take as it is. Sweeps before lead_sim 0.2 wrote ``diff:NAME``
#: (:data:`OLD_DIFF`): such a spec or sweep folder is refused with what to do.
DIFF = "diff_"
OLD_DIFF = "diff:"
#: How sampled values of integer parameters become whole numbers
#: (:func:`lead_sim.sensitivity.sampling.whole_number`). Part of the fingerprint of a sweep with
#: integer parameters, so a folder whose runs were rounded the older way (end values half as
#: likely) is refused rather than finished with runs mapped this way.
WHOLE_NUMBERS = "equal slices of [low, high], one per whole number"


def outcome_names() -> list[str]:
    """Summary columns a sweep can analyse, and the equity indices (``rri_bookings_black``:
    lead_sim.outcomes.equity.SWEEP_OUTCOMES); each also as ``diff_NAME`` with a baseline."""
    return [*OUTCOMES, *(f"cost_{p}" for p in PAYERS), *SWEEP_OUTCOMES]


@dataclass(frozen=True)
class Factor:
    """One varied parameter: its name, range, type (float or int) and how it is applied."""

    name: str
    low: float
    high: float
    kind: str = "float"
    how: str = "set"  # "set" or "scale"


@dataclass(frozen=True)
class Rule:
    """A scenario-discovery question: which regions make ``outcome`` fall below/above a value."""

    outcome: str
    threshold: float
    below: bool = True
    label: str = ""

    def describe(self) -> str:
        text = f"{self.outcome} {'<' if self.below else '>'} {self.threshold:g}"
        return f"{self.label} ({text})" if self.label else text


@dataclass(frozen=True)
class SweepSpec:
    """A checked sweep: method, factors, sample size, replicates, outcomes and seed.

    ``scenario``/``baseline`` are prepared scenarios for lead_sim sweeps; a sweep of another
    model (the known-answer checks) leaves them None and passes its own target to the runner.
    """

    name: str
    method: str
    factors: tuple[Factor, ...]
    samples: int
    outcomes: tuple[str, ...]
    reps: int = 1
    seed: int = 0
    options: dict[str, Any] = field(default_factory=dict)
    discovery: tuple[Rule, ...] = ()
    scenario: Scenario | None = None
    baseline: Scenario | None = None
    population: int | None = None
    years: float | None = None
    description: str = ""
    source: str = ""

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.factors]

    def option(self, key: str) -> Any:
        return self.options.get(key, OPTIONS[self.method][key])

    @property
    def paired(self) -> bool:
        """Whether each run is a scenario and baseline pair (some outcome is a ``diff_``)."""
        return any(o.startswith(DIFF) for o in self.outcomes)

    def fingerprint_data(self) -> dict[str, Any]:
        """Everything that decides the runs' numbers (for resume checks and manifests).

        The outcomes analysed are not in it: a lead_sim run stores every outcome (see
        :meth:`lead_sim.sensitivity.targets.LeadTarget.from_spec`), so a finished sweep can
        analyse another one without running again. Whether runs are paired with the baseline
        is, and so is how integer parameters become whole numbers, for sweeps that have some
        (others keep the fingerprint they had before that entry existed).
        """
        data = {
            "name": self.name, "method": self.method, "samples": self.samples,
            "reps": self.reps, "seed": self.seed, "options": {**OPTIONS[self.method],
                                                              **self.options},
            "factors": [vars(f) for f in self.factors], "paired": self.paired,
            "scenario": self.scenario.definition() if self.scenario else None,
            "baseline": self.baseline.definition() if self.baseline else None,
            "population": self.population, "years": self.years,
        }
        if any(f.kind == "int" for f in self.factors):
            data["whole_numbers"] = WHOLE_NUMBERS
        return data


def check_samples(method: str, n: int, factors: int, options: dict[str, Any]) -> None:
    """Fail unless ``n`` is a sample size the method accepts (and that can be halved)."""
    rule = ""
    if method == "sobol" and (n < 4 or n & (n - 1)):
        rule = "a power of 2, at least 4 (Sobol' sequences balance only at powers of 2)"
    elif method == "morris" and n < 4:
        rule = "at least 4 trajectories"
    elif method == "fast" and n <= 4 * options.get("M", 4) ** 2:
        rule = f"more than 4*M^2 = {4 * options.get('M', 4) ** 2} (M = {options.get('M', 4)})"
    elif method == "lhs" and n < lhs_min_rows(factors, options.get("M", 10)):
        m = options.get("M", 10)
        rule = (f"at least {lhs_min_rows(factors, m)} rows: the largest of 20, twice the "
                f"{factors} parameters, and 16*M = {16 * m} (RBD-FAST's bootstrap in the "
                f"half-sample check reads a quarter of the rows, which should be at least 4*M). "
                f"A smaller M ([options], or --option M=...) allows fewer rows but biases the "
                f"indices of effects that are not monotone: a quick look only")
    if rule:
        raise LeadSimError(f"samples = {n} is not allowed for method '{method}': use {rule}.")


def lhs_min_rows(factors: int, m: int = 0) -> int:
    """The fewest rows an LHS may have: 20, two per parameter, and with an RBD-FAST ``m``,
    16*M (the half-sample check's bootstrap reads a quarter of the rows, at least 4*M)."""
    return max(20, 2 * factors, 16 * m)


def runs_per_sample(method: str, n: int, d: int, options: dict[str, Any]) -> int:
    """Number of parameter rows SALib makes for base sample size ``n`` and ``d`` factors."""
    if method == "sobol":
        return n * (2 * d + 2 if options.get("second_order") else d + 2)
    if method == "morris":
        return n * (d + 1)
    if method == "fast":
        return n * d
    return n


def load_spec(path: str | Path, *, samples: int | None = None, reps: int | None = None,
              population: int | None = None, years: float | None = None,
              options: dict[str, Any] | None = None) -> SweepSpec:
    """Read and check a sweep TOML; keyword arguments override the file (quick runs).

    ``options`` update the file's ``[options]`` (e.g. a smaller ``M`` for a quick LHS look).
    """
    from lead_sim.runs.runner import check_seeds, prepare  # here: keeps spec parsing import-light

    path = locate(SWEEP_SPEC, path)  # a built-in's name or a path
    where = f"sweep spec '{shown_name(path) or path}'"
    data = _read(path, where)
    _check_keys(data, TOP_KEYS, where)
    for key in ("scenario", "method", "samples", "outcomes"):
        if key not in data:
            raise LeadSimError(f"{where} lacks '{key}'.")
    for key in ("scenario", "baseline"):
        if not isinstance(data.get(key, ""), str):
            raise LeadSimError(f"'{key}' in {where} must be a scenario's name or a path (a "
                               f"string); got {data[key]!r}.")
    method = str(data["method"])
    if method not in METHODS:
        raise LeadSimError(f"Unknown method '{method}' in {where}.{close_matches(method, METHODS)}"
                           f" Allowed: {', '.join(METHODS)}.")
    raw_options = data.get("options", {})
    if options:
        raw_options = {**(raw_options if isinstance(raw_options, dict) else {}), **options}
    options = _options(raw_options, method,
                       f"{where} with --option {', '.join(options)}" if options else where)
    samples = _whole(samples if samples is not None else data["samples"], "samples", where)
    reps = _whole(reps if reps is not None else data.get("reps", 1), "reps", where)
    seed = data.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise LeadSimError(f"seed in {where} must be a whole number >= 0; got {seed!r}.")
    try:  # replicate r runs with seed + r, and SALib's analysers use seed + 1
        check_seeds(seed, max(reps, 2))
    except LeadSimError as exc:
        raise LeadSimError(f"seed in {where}: {exc}") from None
    population = population if population is not None else data.get("population")
    if population is not None:
        population = _whole(population, "population", where)
    years = years if years is not None else data.get("years")
    if years is not None and (isinstance(years, bool) or not isinstance(years, int | float)
                              or years <= 0):
        raise LeadSimError(f"years in {where} must be a positive number; got {years!r}.")
    opts = dict(years=years, population=population)
    names = {key: _relative(data[key], path) for key in ("scenario", "baseline") if data.get(key)}
    for key, name in names.items():  # an unknown name says which key of which file gave it
        locate_scenario(name, where=f"'{key}' in {where}")
    scenario = prepare(names["scenario"], **opts)
    baseline = prepare(names["baseline"], **opts) if "baseline" in names else None
    factors = _factors(data, where, [s for s in (scenario, baseline) if s])
    check_samples(method, samples, len(factors), options)
    outcomes = _outcomes(data["outcomes"], baseline is not None, where)
    rules = _rules(data.get("discovery", []), method, outcomes, where)
    return SweepSpec(
        name=str(data.get("name", path.stem)), method=method, factors=tuple(factors),
        samples=samples, outcomes=tuple(outcomes), reps=reps, seed=seed, options=options,
        discovery=tuple(rules), scenario=scenario, baseline=baseline, population=population,
        years=years, description=str(data.get("description", "")),
        source=shown_name(path) or str(path),
    )


def _read(path: Path, where: str) -> dict[str, Any]:
    data = read_toml(path, SWEEP_SPEC, hint=missing_hint(SWEEP_SPEC, path))
    check_kind(data, SWEEP_SPEC, path)
    return data


def _relative(name: str, spec_path: Path) -> str:
    """A scenario name, or a .toml path taken relative to the spec file when it exists there."""
    candidate = spec_path.parent / name
    return str(candidate) if name.endswith(".toml") and candidate.is_file() else name


def _check_keys(table: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise LeadSimError(f"Unknown key '{key}' in {where}.{close_matches(key, allowed)} "
                               f"Allowed keys: {', '.join(allowed)}.")


def _whole(value: Any, key: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise LeadSimError(f"{key} in {where} must be a whole number >= 1; got {value!r}.")
    return value


def _options(raw: Any, method: str, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise LeadSimError(f"[options] in {where} must be a table.")
    _check_keys(raw, tuple(OPTIONS[method]), f"[options] of {where} (method '{method}')")
    for key, value in raw.items():
        default = OPTIONS[method][key]
        if type(value) is not type(default):
            raise LeadSimError(f"Option '{key}' in {where} must be a {type(default).__name__}; "
                               f"got {value!r}.")
    if method == "morris" and raw.get("num_levels", 4) not in range(2, 21, 2):
        raise LeadSimError(f"num_levels in {where} must be an even number from 2 to 20.")
    if method in ("fast", "lhs") and raw.get("M", 4) < 1:
        raise LeadSimError(f"M in {where} must be at least 1.")
    return dict(raw)


def _factors(data: dict[str, Any], where: str, scenarios: list[Scenario]) -> list[Factor]:
    groups = data.get("groups", [])
    if not isinstance(groups, list) or any(g not in GROUPS for g in groups):
        raise LeadSimError(f"groups in {where} must be a list of: {', '.join(GROUPS)}; "
                           f"got {groups!r}.")
    raw = data.get("parameters", {})
    if not isinstance(raw, dict):
        raise LeadSimError(f"[parameters] in {where} must be a table of NAME = {{low, high}}.")
    chosen: dict[str, dict[str, Any]] = {
        p.name: {} for p in REGISTRY.values()
        if p.group in groups and p.sweepable and p.kind in ("float", "int")}
    for name, bounds in raw.items():
        if not isinstance(bounds, dict):
            raise LeadSimError(f"Parameter '{name}' in {where} must be a table, e.g. "
                               f"{name} = {{}} (registry bounds) or {{ low = 0.1, high = 0.5 }}.")
        chosen[name] = bounds
    if not chosen:
        raise LeadSimError(f"{where} varies no parameters: add a [parameters] table or groups.")
    return [_factor(name, bounds, where, scenarios) for name, bounds in chosen.items()]


def _factor(name: str, bounds: dict[str, Any], where: str,
            scenarios: list[Scenario]) -> Factor:
    param = check_name(name, where)
    at = f"parameter '{name}' in {where}"
    if param.kind not in ("float", "int") or not param.sweepable:
        raise LeadSimError(f"The {at} cannot be swept (kind {param.kind}, sweepable "
                           f"{param.sweepable}); only sweepable float and int parameters can.")
    _check_keys(bounds, FACTOR_KEYS, at)
    if "scale" in bounds:
        if set(bounds) != {"scale"}:
            raise LeadSimError(f"The {at} gives 'scale' with low/high: use one or the other.")
        low, high = _pair(bounds["scale"], at)
        if low < 0:
            raise LeadSimError(f"The scale range of the {at} must not be negative.")
        _check_scaled(param, low, high, at, scenarios)
        return Factor(name, low, high, "float", "scale")
    low = bounds.get("low", param.low)
    high = bounds.get("high", param.high)
    for value in (low, high):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise LeadSimError(f"Bounds of the {at} must be numbers; got {value!r}.")
    if not param.low <= low < high <= param.high:
        raise LeadSimError(
            f"Bounds {low:g} to {high:g} of the {at} are not allowed: they must satisfy "
            f"{param.low:g} <= low < high <= {param.high:g} {param.unit} (the registry's).")
    if param.kind == "int" and not all(float(v).is_integer() for v in (low, high)):
        raise LeadSimError(
            f"Bounds {low:g} to {high:g} of the {at} are not allowed: the parameter takes whole "
            f"numbers ({param.unit}), so its low and high must be whole numbers too.")
    return Factor(name, float(low), float(high), param.kind, "set")


def _pair(value: Any, at: str) -> tuple[float, float]:
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
            or not value[0] < value[1]):
        raise LeadSimError(f"'scale' of the {at} must be [low, high] with low < high; "
                           f"got {value!r}.")
    return float(value[0]), float(value[1])


def scenario_values(scenario: Scenario, name: str) -> list[Any]:
    """Every value a scenario gives ``name``: its start value and each dated change."""
    values = [scenario.params.get(name, REGISTRY[name].default)]
    values += [e.set[name] for e in scenario.timeline if name in e.set]
    return values


def _check_scaled(param, low: float, high: float, at: str, scenarios: list[Scenario]) -> None:
    for scn in scenarios:
        for value in scenario_values(scn, param.name):
            for factor in (low, high):
                scaled = value * factor
                if not param.low <= scaled <= param.high:
                    raise LeadSimError(
                        f"Scaling the {at} by {factor:g} takes the value {value:g} in "
                        f"scenario '{scn.name}' to {scaled:g}, outside the registry's "
                        f"{param.low:g} to {param.high:g} {param.unit}.")


def _outcomes(raw: Any, has_baseline: bool, where: str) -> list[str]:
    if not isinstance(raw, list) or not raw or not all(isinstance(o, str) for o in raw):
        raise LeadSimError(f"outcomes in {where} must be a non-empty list of names.")
    allowed = outcome_names()
    for name in raw:
        if name.startswith(OLD_DIFF):
            raise LeadSimError(
                f"Outcome '{name}' in {where}: paired outcomes are now named "
                f"'{DIFF}NAME', a name pandas and R take as it is; write "
                f"'{name.replace(OLD_DIFF, DIFF, 1)}' (and the same in [[discovery]]).")
        base = name.removeprefix(DIFF)
        if base not in allowed:
            hint = close_matches(base, allowed, prefix=name[:len(name) - len(base)])
            raise LeadSimError(f"Unknown outcome '{name}' in {where}.{hint} Allowed: "
                               f"{', '.join(allowed)}, each also as diff_NAME (scenario minus "
                               f"baseline).")
        if name.startswith(DIFF) and not has_baseline:
            raise LeadSimError(f"Outcome '{name}' in {where} needs a baseline scenario "
                               f"(baseline = \"system_as_usual\", say).")
    if len(set(raw)) != len(raw):
        raise LeadSimError(f"outcomes in {where} lists a name twice.")
    return list(raw)


def _rules(raw: Any, method: str, outcomes: list[str], where: str) -> list[Rule]:
    if not isinstance(raw, list):
        raise LeadSimError(f"[[discovery]] in {where} must be a list of tables.")
    if raw and method != "lhs":
        raise LeadSimError(f"[[discovery]] in {where} needs method = \"lhs\" (scenario "
                           f"discovery reads a space-filling sample); method is '{method}'.")
    rules = []
    for i, entry in enumerate(raw):
        at = f"[[discovery]] entry {i + 1} of {where}"
        if not isinstance(entry, dict):
            raise LeadSimError(f"{at} must be a table.")
        _check_keys(entry, DISCOVERY_KEYS, at)
        if entry.get("outcome") not in outcomes:
            raise LeadSimError(f"{at}: outcome must be one of the sweep's outcomes "
                               f"({', '.join(outcomes)}); got {entry.get('outcome')!r}.")
        sides = [k for k in ("below", "above") if k in entry]
        if len(sides) != 1 or not isinstance(entry[sides[0]], int | float) \
                or not math.isfinite(entry[sides[0]]):
            raise LeadSimError(f"{at} must give exactly one of below = NUMBER or "
                               f"above = NUMBER.")
        rules.append(Rule(entry["outcome"], float(entry[sides[0]]), sides[0] == "below",
                          str(entry.get("label", ""))))
    if rules:
        require_sklearn()
    return rules


def with_samples(spec: SweepSpec, samples: int) -> SweepSpec:
    """The same spec with another sample size (checked)."""
    check_samples(spec.method, samples, len(spec.factors), spec.options)
    return replace(spec, samples=samples)


def require_sklearn() -> None:
    """Fail early (before any run) if the discovery dependency is missing."""
    try:
        import sklearn  # noqa: F401
    except ImportError:
        raise LeadSimError(
            "Scenario discovery ([[discovery]] in the spec) needs scikit-learn, which is not "
            "installed. In a repository checkout run .venv/bin/pip install -e '.[discovery]' "
            "(or bash scripts/bootstrap.sh --dev); elsewhere pip install 'lead_sim[discovery]'. "
            "Then run the sweep again.") from None
