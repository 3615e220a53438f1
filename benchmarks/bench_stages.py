"""Where a simulated day's time goes: CPU cycles per day in each stage of the compiled step.

    .venv/bin/python benchmarks/bench_stages.py            # seattle_citywide, 3,000 people
    .venv/bin/python benchmarks/bench_stages.py --population 300 --runs 10

Runs whole scenarios as ``LeadModel.run`` does (dated changes in Python, the days between them
compiled), but through a copy of :func:`lead_sim.model.simulate_days` that reads the CPU's cycle
counter between its stages. The counter is read in compiled code, so the figures include no
Python overhead; a first, untimed run loads the compiled core and this harness (compiled on
each start, a few seconds). Cycles are the time-stamp counter's, which ticks at a fixed rate.
"""

from __future__ import annotations

import argparse
import time

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from lead_sim.agents import case_management, services
from lead_sim.agents.police import police_contacts
from lead_sim.agents.population import redraw_marked
from lead_sim.justice import court, custody, supervision
from lead_sim.model import LeadModel, account, turnover
from lead_sim.runs.runner import prepare

STAGES = ("release", "court", "violations", "contacts", "programme", "services", "turnover",
          "redraw", "account")


@intrinsic
def _cycles(typingctx):
    def codegen(context, builder, signature, args):
        counter = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.IntType(64), []), "llvm.readcyclecounter")
        return builder.call(counter, [])
    return types.int64(), codegen


@numba.njit
def _timed_days(w, p, first, end, spent):
    """simulate_days' stages for days first to end - 1, adding each one's cycles to spent."""
    for day in range(first, end):
        c0 = _cycles()
        custody.release(w, p, day)
        c1 = _cycles()
        court.dispose(w, p, day)
        c2 = _cycles()
        supervision.violations(w, p, day)
        c3 = _cycles()
        police_contacts(w, p, day)
        c4 = _cycles()
        case_management.step(w, p, day)
        c5 = _cycles()
        services.step(w, p, day)
        c6 = _cycles()
        turnover(w, p, day)
        c7 = _cycles()
        redraw_marked(w, p, day)
        c8 = _cycles()
        account(w, p, day)
        c9 = _cycles()
        for k, (a, b) in enumerate(((c0, c1), (c1, c2), (c2, c3), (c3, c4), (c4, c5),
                                    (c5, c6), (c6, c7), (c7, c8), (c8, c9))):
            spent[k] += b - a


def _run(model: LeadModel, spent: np.ndarray) -> None:
    """The model's run, as LeadModel.simulate_until does it, through the timed day."""
    while model.day < model.days:
        model._apply_policy(model.day)
        stop = next((d for d in model._change_days if d > model.day), model.days)
        _timed_days(model.world, model.values, model.day, stop, spent)
        model.day = stop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="seattle_citywide")
    parser.add_argument("--population", type=int, default=3000)
    parser.add_argument("--years", type=float, default=12.0)
    parser.add_argument("--runs", type=int, default=5, help="seeds 0 to RUNS - 1 (default 5)")
    args = parser.parse_args()
    scenario = prepare(args.scenario, years=args.years, population=args.population)
    spent = np.zeros(len(STAGES), np.int64)
    _run(LeadModel(prepare(args.scenario, years=0.1, population=100), 0, keep_events=False),
         spent)
    spent[:] = 0
    start = time.perf_counter()
    for seed in range(args.runs):
        _run(LeadModel(scenario, seed, keep_events=False), spent)
    seconds = time.perf_counter() - start
    days = scenario.days * args.runs
    print(f"{scenario.name}, {args.population:,} people, {args.years:g} years, "
          f"{args.runs} runs without event logs")
    for name, cycles in zip(STAGES, spent, strict=True):
        print(f"  {name:>10}: {cycles / days:9,.0f} cycles/day  ({cycles / spent.sum():5.1%})")
    print(f"  {'total':>10}: {spent.sum() / days:9,.0f} cycles/day; "
          f"{seconds / days * 1e6:.1f} µs/day of wall time, model set-up included")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
