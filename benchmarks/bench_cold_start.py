"""Cold start: how long the first use on a fresh machine takes, and where the compile time goes.

    .venv/bin/python benchmarks/bench_cold_start.py            # compile, then the bench command
    .venv/bin/python benchmarks/bench_cold_start.py --top 25 --json
    .venv/bin/python benchmarks/bench_cold_start.py --skip-command
    .venv/bin/python benchmarks/bench_cold_start.py --repeat 3    # the median of three

Each measurement runs in a fresh process with an empty temporary ``NUMBA_CACHE_DIR``, so numba
compiles everything, as on a fresh clone:

1. compile: :func:`lead_sim.runs.warmup.warm_up` alone, timed in wall and process CPU seconds
   (CPU seconds are the fair figure on a shared machine: other processes slow the wall clock,
   not the CPU time), with the top functions by compile CPU time. A function's own time
   excludes the functions compiled while it was (its callees), and its count is the number
   of compiles (one per distinction of argument types);
2. command: ``lead-sim bench --population 500 --years 1`` end to end (wall, and the CPU of
   the process), in another empty cache; then the same again with the cache it filled, which
   must compile nothing (a second process loads everything from the cache).

Targets on a quiet two-core machine: compile at most 45 s, the command at most 60 s. On a
shared machine one measurement can swing by several seconds, so ``--repeat N`` measures each N
times (each in its own empty cache) and judges the median.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMAND = ("bench", "--population", "500", "--years", "1", "--json")
COMPILE_TARGET, COMMAND_TARGET = 45.0, 60.0


def child(top: int) -> None:
    """Runs in the fresh process: warm up, timing each compiled function's own CPU time."""
    import collections

    from numba.core import event

    own, count = collections.Counter(), collections.Counter()
    stack: list[list] = []  # [name, start, CPU of callees compiled inside]

    class Timer(event.Listener):
        def on_start(self, ev: event.Event) -> None:
            f = ev.data["dispatcher"].py_func
            stack.append([f"{f.__module__}.{f.__qualname__}", time.process_time(), 0.0])

        def on_end(self, ev: event.Event) -> None:
            name, start, inner = stack.pop()
            spent = time.process_time() - start
            own[name] += spent - inner
            count[name] += 1
            if stack:
                stack[-1][2] += spent

    cpu0, wall0 = time.process_time(), time.perf_counter()
    event.register("numba:compile", Timer())
    from lead_sim.runs.warmup import warm_up

    cpu1, wall1 = time.process_time(), time.perf_counter()
    warm_up()
    cpu2, wall2 = time.process_time(), time.perf_counter()
    ours = {name: n for name, n in count.items() if name.startswith("lead_sim.")}
    print(json.dumps({
        "import_wall_s": round(wall1 - wall0, 1), "import_cpu_s": round(cpu1 - cpu0, 1),
        "compile_wall_s": round(wall2 - wall1, 1), "compile_cpu_s": round(cpu2 - cpu1, 1),
        "lead_sim_compiles": sum(ours.values()), "lead_sim_functions": len(ours),
        "all_compiles": sum(count.values()),
        "top": [[name, round(seconds, 2), count[name]] for name, seconds in own.most_common(top)],
    }))


def run_fresh(args: list[str], cache: str) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run ``args`` with ``cache`` as NUMBA_CACHE_DIR; return it, its wall and CPU seconds."""
    env = {**os.environ, "NUMBA_CACHE_DIR": cache}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode:
        sys.exit(f"bench_cold_start.py: {' '.join(args)} failed:\n{done.stderr}")
    return done, wall, cpu


def lead_sim_command() -> list[str]:
    script = Path(sys.executable).with_name("lead-sim")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from lead_sim.cli import main; sys.exit(main())"]


def measure_compile(top: int) -> dict:
    """warm_up in a fresh process with an empty cache (:func:`child`)."""
    with tempfile.TemporaryDirectory(prefix="cold_compile_") as cache:
        done, wall, cpu = run_fresh([sys.executable, __file__, "--child", "--top", str(top)],
                                    cache)
        return {**json.loads(done.stdout.splitlines()[-1]),
                "process_wall_s": round(wall, 1), "process_cpu_s": round(cpu, 1)}


def measure_command() -> dict:
    """The bench command in an empty cache, then again with the cache it filled."""
    with tempfile.TemporaryDirectory(prefix="cold_command_") as cache:
        command = lead_sim_command() + list(COMMAND)
        done, wall, cpu = run_fresh(command, cache)
        again, wall_again, cpu_again = run_fresh(command, cache)
    return {"args": "lead-sim " + " ".join(COMMAND[:-1]), "wall_s": round(wall, 1),
            "cpu_s": round(cpu, 1), "compiled": "compiling" in done.stderr,
            "again": {"wall_s": round(wall_again, 1), "cpu_s": round(cpu_again, 1),
                      "compiled": "compiling" in again.stderr}}


def median_run(runs: list[dict], key: str) -> dict:
    """The run whose ``key`` is the median (the lower middle one of an even count)."""
    middle = statistics.median_low(run[key] for run in runs)
    return next(run for run in runs if run[key] == middle)


def positive(text: str) -> int:
    """argparse type: a whole number of at least 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return int(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=15, help="functions listed (default 15)")
    parser.add_argument("--skip-command", action="store_true",
                        help="measure the compile only, not the lead-sim bench command")
    parser.add_argument("--repeat", type=positive, default=1, metavar="N",
                        help="measure each N times and judge the median (default 1)")
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.top)
        return 0
    load = os.getloadavg()
    result: dict = {"cores": os.cpu_count(), "load_average_before": [round(x, 1) for x in load]}
    runs = [measure_compile(args.top) for _ in range(args.repeat)]
    result["compile"] = median_run(runs, "compile_wall_s")
    result["compile_wall_runs"] = [run["compile_wall_s"] for run in runs]
    if not args.skip_command:
        runs = [measure_command() for _ in range(args.repeat)]
        median = median_run(runs, "wall_s")
        result["command"], result["command_again"] = median, median.pop("again")
        result["command_wall_runs"] = [run["wall_s"] for run in runs]
    result["load_average_after"] = [round(x, 1) for x in os.getloadavg()]
    if args.json:
        print(json.dumps(result))
    else:
        report(result)
    return 0


def report(result: dict) -> None:
    c = result["compile"]
    print(f"machine: {result['cores']} cores, load average {result['load_average_before'][0]} "
          f"before, {result['load_average_after'][0]} after (above the core count, wall "
          "seconds are inflated by other processes; CPU seconds are not)")
    if len(result["compile_wall_runs"]) > 1:
        print(f"compile, {len(result['compile_wall_runs'])} runs: "
              f"{', '.join(str(s) for s in result['compile_wall_runs'])} s wall; the median run:")
    print(f"compile (warm_up in a fresh process, empty cache): {c['compile_wall_s']} s wall, "
          f"{c['compile_cpu_s']} s CPU in that process (target {COMPILE_TARGET:.0f} s wall); "
          f"imports before it {c['import_wall_s']} s wall, {c['import_cpu_s']} s CPU")
    print(f"  the whole process, helper process included: {c['process_wall_s']} s wall, "
          f"{c['process_cpu_s']} s CPU")
    print(f"  {c['lead_sim_compiles']} compiles of {c['lead_sim_functions']} lead_sim functions "
          f"({c['all_compiles']} compiles in all, numba's own included)")
    print("  own compile CPU s, compiles, function (in that process, not the helper):")
    for name, seconds, n in c["top"]:
        print(f"  {seconds:8.2f}  x{n:<3d} {name}")
    if "command" in result:
        cmd, again = result["command"], result["command_again"]
        if len(result["command_wall_runs"]) > 1:
            print(f"{cmd['args']}, {len(result['command_wall_runs'])} runs: "
                  f"{', '.join(str(s) for s in result['command_wall_runs'])} s wall; the median:")
        print(f"{cmd['args']} (empty cache): {cmd['wall_s']} s wall, {cmd['cpu_s']} s CPU "
              f"(target {COMMAND_TARGET:.0f} s)")
        print(f"the same again (cache filled): {again['wall_s']} s wall, {again['cpu_s']} s CPU, "
              f"{'COMPILED AGAIN' if again['compiled'] else 'nothing compiled'}")


if __name__ == "__main__":
    sys.exit(main())
