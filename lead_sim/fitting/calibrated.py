"""A calibrated parameter file: the point estimate and the posterior sample it carries."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lead_sim.errors import LeadSimError
from lead_sim.fitting import abc_smc
from lead_sim.params import Params, replicate_draw


# ---- reading a calibrated file ------------------------------------------------------------------
@dataclass(frozen=True)
class Calibrated:
    """A calibrated parameter file: point estimates and the posterior sample."""

    path: str
    params: dict[str, Any]
    draws: tuple[dict[str, Any], ...]

    def draw(self, i: int) -> dict[str, Any]:
        """Parameter set for replicate ``i`` (:func:`lead_sim.params.replicate_draw`);
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
