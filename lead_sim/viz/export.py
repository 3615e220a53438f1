"""The session's daily series and settings as one CSV file a student can download."""

from __future__ import annotations

import io

import pandas as pd

from lead_sim import __version__
from lead_sim.viz.session import VizSession


def session_csv(session: VizSession) -> str:
    """Settings as ``# name: value`` lines, then one row per run and simulated day: the run
    (policy or baseline), its seed, the date and every column of the daily record (counts for
    the simulated people; multiply by ``county_scale`` for the county)."""
    out = io.StringIO()
    out.write(f"# lead_sim {__version__} visualizer session\n")
    for name, value in session.settings.items():
        out.write(f"# {name}: {value}\n")
    out.write(f"# seeds: {' '.join(map(str, session.seeds))}\n")
    out.write(f"# county_scale: {session.county_scale:g}\n")
    frames = []
    runs = [("policy", session.policies), ("baseline", session.baselines)]
    for run, models in runs:
        for seed, model in zip(session.seeds, models, strict=False):
            frame = model.record.frame(model.day)
            start = pd.Timestamp(model.lead_scenario.start_date)
            frame.insert(0, "date", pd.date_range(start, periods=len(frame), freq="D").date)
            frame.insert(0, "seed", seed)
            frame.insert(0, "run", run)
            frames.append(frame)
    pd.concat(frames, ignore_index=True).to_csv(out, index=False)
    return out.getvalue()
