"""Calibrated parameter files, and the shipped fit every run starts from by default.

``lead-sim calibrate`` writes a ``calibrated.toml``: the posterior median as ``[params]``, the
accepted parameter sets as ``[[posterior]]`` and, under ``[calibration]``, what it was fitted
to and on (the fingerprint of the model code, :func:`model_fingerprint`). The fit of the current
model ships inside the package (:data:`SHIPPED`): ``run``, ``compare``, ``validate``, ``sweep``,
``viz`` and the Python API start from it unless told otherwise (``--uncalibrated`` for the
registry's defaults, ``--calibrated FILE`` for another fit). ``tests/test_calibration_fresh.py``
re-evaluates the shipped point on the current model, so a change that moves the fit cannot land
unnoticed.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lead_sim.errors import LeadSimError
from lead_sim.inputfiles import CALIBRATED, check_kind, read_toml
from lead_sim.params import Params

_PACKAGE = Path(__file__).resolve().parent
SHIPPED = _PACKAGE / "data" / "calibrated.toml"
#: What a run starts from when nothing else is said: the shipped fit.
DEFAULT = "shipped"
# Code and data that decide the numbers a calibration is fitted on: the compiled model (its
# parameter registry included), what the fit measures, and the built-in scenarios.
_FINGERPRINTED = ("engine", "agents", "justice", "model.py", "params.py",
                  "fitting/validation.py", "fitting/replay.py", "fitting/system.py",
                  "scenarios/builtin")


@dataclass(frozen=True)
class Calibrated:
    """A calibrated parameter file: point estimates and the posterior sample."""

    path: str
    params: dict[str, Any]
    draws: tuple[dict[str, Any], ...]
    fitted_on: str = ""  # the model fingerprint recorded at fitting time ("" if none)
    settings: dict[str, Any] = field(default_factory=dict)  # its [calibration] table

    @property
    def name(self) -> str:
        """How manifests and reports name it: 'shipped' for the package's own fit."""
        return DEFAULT if Path(self.path).resolve() == SHIPPED else self.path

    def draw(self, i: int) -> dict[str, Any]:
        """Parameter set for replicate ``i`` (:func:`replicate_draw`);
        ``draws`` is the posterior resampled by weight (systematic resampling)."""
        return replicate_draw(self.draws, i)


def replicate_draw(draws: Sequence[Mapping[str, Any]], r: int) -> dict[str, Any]:
    """The parameter set replicate ``r`` starts from: posterior draws are used in order, and
    reused from the first when there are fewer draws than replicates.

    A calibrated posterior is resampled by weight, so taking its draws in order gives an
    equally weighted sample. Every command that runs replicates with draws uses this rule.
    """
    return dict(draws[r % len(draws)])


def systematic_resample(weights: np.ndarray, n: int) -> np.ndarray:
    """Indices of ``n`` draws in proportion to ``weights``, without randomness.

    Equal weights give every index once, in order.
    """
    cum = np.cumsum(weights) / np.sum(weights)
    positions = (np.arange(n) + 0.5) / n
    return np.minimum(np.searchsorted(cum, positions), len(weights) - 1)


def model_fingerprint() -> str:
    """A hash of the code and data a calibration's numbers depend on (:data:`_FINGERPRINTED`)."""
    digest = hashlib.sha256()
    for name in _FINGERPRINTED:
        path = _PACKAGE / name
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.suffix in (".py", ".toml"):
                digest.update(file.relative_to(_PACKAGE).as_posix().encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def load_calibrated(path: str | os.PathLike[str]) -> Calibrated:
    """Read a calibrated parameter file, checking every value against the registry."""
    where = f"calibrated parameter file '{path}'"
    data = read_toml(path, CALIBRATED, hint=" Make one with 'lead-sim calibrate CONFIG --out "
                     "DIR': DIR/calibrated.toml.")
    check_kind(data, CALIBRATED, path)
    if not isinstance(data.get("params"), dict) or not data["params"]:
        raise LeadSimError(f"{where} has no [params] table of calibrated values.")
    params = dict(data["params"])
    Params.with_overrides(params, where)
    posterior = data.get("posterior", [])
    if not isinstance(posterior, list) or not all(isinstance(d, dict) for d in posterior):
        raise LeadSimError(f"'posterior' in {where} must be a list of [[posterior]] tables of "
                           "NAME = VALUE (with 'weight' and 'distance').")
    draws, weights = [], []
    for i, draw in enumerate(posterior):
        at = f"[[posterior]] {i + 1} of {where}"
        values = {k: v for k, v in draw.items() if k not in ("distance", "weight")}
        Params.with_overrides(values, at)
        weight = draw.get("weight", 1.0)
        if (isinstance(weight, bool) or not isinstance(weight, int | float)
                or not 0 <= weight <= 1e300):
            raise LeadSimError(f"'weight' in {at} must be a finite number >= 0; got {weight!r}.")
        draws.append(values)
        weights.append(float(weight))
    if draws and not 0 < sum(weights) < math.inf:
        raise LeadSimError(f"The [[posterior]] weights in {where} are all zero, or too large "
                           "to add up; they are relative, so any finite scale will do.")
    if draws:  # a weighted sample becomes an equally weighted one, in a fixed order
        draws = [draws[i] for i in systematic_resample(np.array(weights), len(draws))]
    settings = data.get("calibration", {}) if isinstance(data.get("calibration"), dict) else {}
    return Calibrated(str(path), params, tuple(draws) or (params,),
                      str(settings.get("model", "")), dict(settings))


@functools.cache
def shipped() -> Calibrated:
    """The package's own fit (read once per process)."""
    return load_calibrated(SHIPPED)


def resolve(choice: str | os.PathLike[str] | Calibrated | None) -> Calibrated | None:
    """The calibration a run starts from: ``"shipped"`` (:data:`DEFAULT`), a file, a
    :class:`Calibrated`, or None for the registry's defaults."""
    if choice is None or isinstance(choice, Calibrated):
        return choice
    if str(choice) == DEFAULT:
        return shipped()
    return load_calibrated(choice)
