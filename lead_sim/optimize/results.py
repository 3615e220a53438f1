"""What a search found: its candidates (numbers, policy, replicates) and what one invocation did."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Candidate:
    """One candidate: where the search asked for it, its numbers, policy and replicates."""

    generation: int
    index: int
    x: list[float]
    policy: dict[str, Any]
    replicates: list[dict[str, float]] = field(default_factory=list)


@dataclass
class SearchRun:
    """What one invocation did and found."""

    out_dir: Path
    candidates: list[Candidate]
    total: int
    resumed: int
    ran: int
    seconds: float
    cpu_seconds: float  # in evaluations, histories included
    history_cpu_seconds: float  # in simulating the shared histories (once per seed and worker)
    history_name: str
