"""What a declared parameter is, and how it checks a value given for it.

The declarations themselves (defaults, bounds, sources) are in :mod:`lead_sim.params`; this
module holds only the type, so the registry stays a list a reader can scan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from lead_sim.errors import LeadSimError


@dataclass(frozen=True)
class Param:
    """One declared parameter.

    ``kind`` is ``float``, ``int`` or ``choice``; a choice parameter lists its ``choices`` and
    has no bounds. ``sweepable`` marks the parameters a sensitivity analysis may vary.
    ``start_only`` marks those the model reads once, when it sizes the run (arrays, budget
    scaling): a scenario may set them in ``[params]`` but not change them in its timeline.
    ``lead_only`` marks those that act only through LEAD (see :data:`LEAD_ONLY`).
    """

    name: str
    default: Any
    low: float | None
    high: float | None
    unit: str
    description: str
    source: str
    group: str
    kind: str = "float"
    choices: tuple[str, ...] = ()
    sweepable: bool = True
    start_only: bool = False
    lead_only: bool = False

    def validate(self, value: Any, where: str = "") -> Any:
        """Return ``value`` coerced to this parameter's type, or raise a clear error."""
        at = f" (in {where})" if where else ""
        if self.kind == "choice":
            if value not in self.choices:
                raise LeadSimError(
                    f"Parameter '{self.name}'{at} must be one of {', '.join(self.choices)}; "
                    f"got {value!r}."
                )
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise LeadSimError(
                f"Parameter '{self.name}'{at} must be a number ({self.kind}, {self.unit}); "
                f"got {value!r} of type {type(value).__name__}."
            )
        if isinstance(value, float) and not math.isfinite(value):
            raise LeadSimError(
                f"Parameter '{self.name}'{at} must be a finite number from {self.low:g} to "
                f"{self.high:g} {self.unit}; got {value}."
            )
        if self.kind == "int":
            if isinstance(value, float) and not value.is_integer():
                raise LeadSimError(
                    f"Parameter '{self.name}'{at} must be a whole number ({self.unit}); "
                    f"got {value}."
                )
            value = int(value)
        elif self.low <= value <= self.high:  # an int too large for a float stays an int
            value = float(value)
        if not (self.low <= value <= self.high):
            raise LeadSimError(
                f"Parameter '{self.name}'{at} = {value} is out of bounds: allowed "
                f"{self.low:g} to {self.high:g} {self.unit}."
            )
        return value
