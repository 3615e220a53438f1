"""Sensitivity sweeps: known answers, executor equivalence, resume after SIGKILL, spec errors.

Lead sweeps here are tiny (500 people, half a year around the pilot launch) so the file runs
in a minute or two on a shared 2-core machine; the known-answer checks use the Ishigami
function through the same sampling, store and analysis code as a lead_sim sweep.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from lead_sim.cli import main
from lead_sim.sensitivity import Factor, SweepSpec, load_spec, run_sweep
from lead_sim.sensitivity.figures import fmt
from lead_sim.sensitivity.targets import IshigamiTarget
from tests.html_page import Page

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "lead_sim" / "data" / "sweeps"  # the built-in sweep specs
PI = math.pi


def _page(folder: Path) -> Page:
    """A sweep folder's report.html, parsed (tests/html_page.py)."""
    return Page((folder / "report.html").read_text(encoding="utf-8"))


def ishigami_spec(method: str, samples: int, **kw) -> SweepSpec:
    factors = tuple(Factor(n, -PI, PI) for n in ("x1", "x2", "x3"))
    kw.setdefault("outcomes", ("y",))
    return SweepSpec(name=f"ishigami_{method}", method=method, factors=factors,
                     samples=samples, seed=11, **kw)


def write_spec(path: Path, body: str) -> Path:
    (path.parent / "tiny_pilot.toml").write_text(TINY_SCENARIO)
    path.write_text(body)
    return path


# Half a year around the pilot's launch (2011-10-01), at a fraction of a full run's cost.
TINY_SCENARIO = """
name = "tiny_pilot"
extends = "pilot_2011"
start_date = 2011-09-01
end_date = 2012-02-29
"""
TINY = """
name = "tiny"
scenario = "tiny_pilot.toml"
method = "sobol"
samples = 4
seed = 3
population = 500
outcomes = ["arrests", "jail_bed_days", "cost_total", "lead_enrollments"]

[parameters]
contact_rate = { low = 0.001, high = 0.003 }
diversion_propensity = { low = 0.1, high = 0.9 }
"""

# Long enough (64 runs of 2,000 people) that a signal sent once the first shard is on disk
# lands while runs are still going, even on an idle machine: TINY's 16 runs can all be done
# in the moment between the first shard and the signal.
STOPPABLE = TINY.replace("samples = 4", "samples = 16").replace("population = 500",
                                                                 "population = 2000")
STOPPABLE_RUNS = 64


# ---- known answers through the real sweep path ------------------------------------------------
def test_sobol_recovers_ishigami_indices(tmp_path):
    """Saltelli/Jansen estimates at N=1024 are within 0.06 of the analytic indices.

    0.06 is about twice the bootstrap interval half-width SALib reports at this N; the
    estimates are deterministic for the fixed seed, so this does not flake.
    """
    target = IshigamiTarget()
    run_sweep(ishigami_spec("sobol", 1024), tmp_path, target=target, executor="serial",
              shard_size=1000, progress=False)
    table = pd.read_csv(tmp_path / "indices.csv").set_index("parameter")
    truth = target.analytic()
    for index in ("S1", "ST"):
        for name, value in truth[index].items():
            assert table.loc[name, index] == pytest.approx(value, abs=0.06), (index, name)
    # the intervals are real intervals and the half-sample check was written
    assert (table["ST_conf"] > 0).all()
    conv = pd.read_csv(tmp_path / "convergence.csv")
    assert len(conv) == 3 and conv["difference"].abs().max() < 0.15
    assert _page(tmp_path).headings(2) == ["y", "Manifest"]
    assert (tmp_path / "figures" / "y_indices.png").stat().st_size > 1000


def test_sobol_second_order_indices_are_written_and_recover_ishigami(tmp_path):
    """second_order = true doubles the runs for the pair indices: they must be reported.

    Ishigami's only interaction is x1 with x3: S13 = v13 / v, which is also x3's ST (x3 acts
    only through it); S12 = S23 = 0. At N = 1024 SALib's 95% half-widths for S2 are about
    0.06-0.11, so the estimates must lie within 0.1 of the truth (deterministic for the seed).
    """
    target = IshigamiTarget()
    spec = ishigami_spec("sobol", 1024, options={"second_order": True})
    run_sweep(spec, tmp_path, target=target, executor="serial", shard_size=10_000,
              progress=False)
    pairs = pd.read_csv(tmp_path / "indices_second_order.csv")
    assert list(pairs.columns) == ["outcome", "parameter_1", "parameter_2", "S2", "S2_conf"]
    s2 = pairs.set_index(["parameter_1", "parameter_2"])["S2"]
    assert sorted(s2.index) == [("x1", "x2"), ("x1", "x3"), ("x2", "x3")]  # each pair once
    assert s2[("x1", "x3")] == pytest.approx(target.analytic()["ST"]["x3"], abs=0.1)
    assert s2[("x1", "x2")] == pytest.approx(0, abs=0.1)
    assert s2[("x2", "x3")] == pytest.approx(0, abs=0.1)
    assert (pairs["S2_conf"] > 0).all()
    page = _page(tmp_path)
    assert "second-order indices" in page.text and "indices_second_order.csv" in page.text
    shown = page.section("y").tables()[1]  # after the first-order indices: the largest pairs
    assert shown.header == ["parameter_1", "parameter_2", "S2", "S2_conf"]
    assert shown.rows[0][:3] == ["x1", "x3", fmt(s2[("x1", "x3")])]

    plain = tmp_path / "first_order_only"  # without the option: no such file or section
    run_sweep(ishigami_spec("sobol", 16), plain, target=target, executor="serial",
              progress=False)
    assert not (plain / "indices_second_order.csv").exists()
    assert "second-order" not in _page(plain).text


@pytest.mark.parametrize(("method", "samples", "tolerance"), [("fast", 1025, 0.05),
                                                               ("lhs", 2000, 0.08)])
def test_fast_and_rbd_fast_recover_ishigami_first_order(tmp_path, method, samples, tolerance):
    target = IshigamiTarget()
    run_sweep(ishigami_spec(method, samples), tmp_path, target=target, executor="serial",
              progress=False)
    table = pd.read_csv(tmp_path / "indices.csv").set_index("parameter")
    for name, value in target.analytic()["S1"].items():
        assert table.loc[name, "S1"] == pytest.approx(value, abs=tolerance), name


def test_morris_ranks_ishigami_parameters(tmp_path):
    """x3 alone has no first-order effect but interacts with x1, so sigma(x3) > 0."""
    run_sweep(ishigami_spec("morris", 40), tmp_path, target=IshigamiTarget(),
              executor="serial", progress=False)
    table = pd.read_csv(tmp_path / "indices.csv").set_index("parameter")
    assert {"mu_star", "mu_star_conf", "sigma"} <= set(table.columns)
    assert table.loc["x3", "sigma"] > 0
    assert table["mu_star"].idxmax() in ("x1", "x2")
    assert (tmp_path / "figures" / "y_morris.png").exists()


def test_failed_runs_are_recorded_and_the_sweep_goes_on(tmp_path):
    target = IshigamiTarget(fail_below_x1=-2.0)
    done = run_sweep(ishigami_spec("sobol", 16), tmp_path, target=target, executor="serial",
                     progress=False)
    runs = pd.read_csv(tmp_path / "runs.csv")
    failed = runs[runs["status"] == "failed"]
    assert done.failed == len(failed) > 0 and (runs["status"] == "ok").sum() > 0
    assert failed["error"].str.contains("deliberate failure").all()
    assert not failed["error"].str.contains("\n").any()  # one line per cell
    assert (failed["x1"] < -2.0).all() and failed["y"].isna().all()  # parameters kept
    text = _page(tmp_path).text
    rows = runs["row"].max() + 1
    assert (f"y not analysed: {failed['row'].nunique()} of {rows} sample rows have no "
            f"successful run ({len(failed)} runs failed; the error column of runs.csv says "
            "why). A sobol design needs every one of its rows, so this outcome has no "
            "indices.") in text
    assert ("--retry-failed helps only if the failures were transient (a killed worker, say); "
            "if the same runs fail again, the parameter values of the failed rows") in text


def test_an_lhs_is_analysed_on_the_rows_that_succeeded(tmp_path):
    """RBD-FAST and discovery need no particular rows: a failed run costs its row, not the
    outcome, and the report says how many rows were left out."""
    import numpy as np
    from SALib.analyze import rbd_fast

    from lead_sim.sensitivity.spec import Rule

    spec = ishigami_spec("lhs", 200, discovery=(Rule("y", 5.0, False),))
    run_sweep(spec, tmp_path, target=IshigamiTarget(fail_below_x1=-2.0), executor="serial",
              progress=False)
    runs = pd.read_csv(tmp_path / "runs.csv")
    ok = runs[runs["status"] == "ok"].sort_values("row")
    left_out = len(runs) - len(ok)
    assert 0 < left_out < len(runs)
    table = pd.read_csv(tmp_path / "indices.csv").set_index("parameter")
    x = ok[["x1", "x2", "x3"]].to_numpy()
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-PI, PI]] * 3}
    expected = rbd_fast.analyze(problem, x, ok["y"].to_numpy(), M=10, seed=spec.seed + 1)
    assert np.allclose(table["S1"], expected["S1"])  # SALib's own, on the rows that succeeded
    assert len(pd.read_csv(tmp_path / "convergence.csv")) == 3  # the half check ran too
    page = _page(tmp_path)
    assert "not analysed" not in page.text
    assert page.section("y").text.startswith(
        f"Analysed on part of the sample: {left_out} of 200 sample rows have no successful "
        f"run ({left_out} runs failed;")
    assert f"the indices rest on the other {200 - left_out}, so a region" in page.text
    manifest = (tmp_path / "manifest.json").read_text()
    assert '"rows_left_out": {' in manifest and '"y":' in manifest
    assert (pd.read_csv(tmp_path / "discovery.csv")["sample_rows"] == 200 - left_out).all()
    discovery = page.section("Scenario discovery")
    assert f"y > 5 rests on {200 - left_out} of 200 sample rows" in discovery.text
    assert discovery.tables()[0].column("sample_rows")[0] == str(200 - left_out)


def test_an_lhs_with_too_few_rows_left_is_not_analysed_nor_called_constant(tmp_path):
    """Nearly every run failing leaves a handful of rows, which could look constant: the
    outcome is reported as not analysed, with how many rows ran and how many are needed."""
    spec = ishigami_spec("lhs", 200)
    run_sweep(spec, tmp_path, target=IshigamiTarget(fail_below_x1=3.0), executor="serial",
              progress=False)
    ran = int((pd.read_csv(tmp_path / "runs.csv")["status"] == "ok").sum())
    assert 0 < ran < 20
    text = _page(tmp_path).text
    assert f"only {ran} rows ran, fewer than the 20 an analysis needs" in text
    assert "Did not vary" not in text and pd.read_csv(tmp_path / "indices.csv").empty


def test_an_undefined_outcome_is_not_blamed_on_failed_runs(tmp_path):
    """Runs that succeed but leave the outcome undefined cannot be repaired by a rerun."""
    ishigami = IshigamiTarget()

    def sometimes_undefined(values, seed):
        return {"y": math.nan if values["x1"] < -2.0 else ishigami(values, seed)["y"]}

    run_sweep(ishigami_spec("sobol", 16), tmp_path, target=sometimes_undefined,
              executor="serial", progress=False)
    runs = pd.read_csv(tmp_path / "runs.csv")
    assert (runs["status"] == "ok").all()
    text = _page(tmp_path).text
    undefined = runs.loc[runs["y"].isna(), "row"].nunique()
    assert f"{undefined} of {runs['row'].max() + 1} sample rows ran but leave" in text
    assert "--retry-failed" not in text and "failed" not in text.split("Runs:")[1]


def test_an_outcome_that_never_varies_has_no_indices_and_no_verdict(tmp_path):
    """LEAD outcomes of a run that ends before LEAD starts are the same in every run: every
    index is 0 and the half-sample check agrees perfectly, which must not read as "stable".
    'nearly' varies by 1e-13 of its size: floating-point rounding, not an effect."""
    ishigami = IshigamiTarget()

    def three(values, seed):
        return {"y": ishigami(values, seed)["y"], "never": 0.0,
                "nearly": 1e6 * (1 + 1e-13 * values["x1"])}

    spec = ishigami_spec("sobol", 16, outcomes=("never", "y", "nearly"))
    run_sweep(spec, tmp_path, target=three, executor="serial", progress=False)
    assert set(pd.read_csv(tmp_path / "indices.csv")["outcome"]) == {"y"}
    assert set(pd.read_csv(tmp_path / "convergence.csv")["outcome"]) == {"y"}
    page = _page(tmp_path)
    assert page.headings(2) == ["never", "y", "nearly", "Manifest"]
    for name in ("never", "nearly"):
        text = page.section(name).text
        assert text.startswith("Did not vary across runs: no sensitivity to report")
        assert not page.section(name).tables() and "Convergence:" not in text
    assert "Every sample row gave 1,000,000" in page.section("nearly").text
    assert page.section("y").text.count("Convergence:") == 1
    assert not (tmp_path / "figures" / "never_indices.png").exists()
    assert '"constant_outcomes": {' in (tmp_path / "manifest.json").read_text()


@dataclass(frozen=True)
class BlockIshigami(IshigamiTarget):
    """Runs a block of rows together, and fails the whole block if one row fails."""

    def run_rows(self, rows, seed):
        return [self(values, seed) for values in rows]


def test_a_failing_row_fails_alone_when_its_block_runs_together(tmp_path):
    target = BlockIshigami(fail_below_x1=-2.0)
    run_sweep(ishigami_spec("sobol", 16), tmp_path, target=target, executor="serial",
              progress=False)
    runs = pd.read_csv(tmp_path / "runs.csv")
    failed = runs["status"] == "failed"
    assert (runs.loc[failed, "x1"] < -2.0).all() and (runs.loc[~failed, "x1"] >= -2.0).all()
    blocks = runs.groupby(runs["row"] // 5)["status"].nunique()  # Sobol blocks of D + 2 rows
    assert (blocks == 2).any()  # some blocks hold both: their other rows were run alone


def test_a_block_run_together_gives_each_row_the_numbers_of_its_own_runs(tmp_path):
    """Rows of a Sobol block share a seed; run together, the days they share are simulated
    once (LEAD-only values deferred to LEAD's start, one baseline for rows that differ only
    in them). Each row must still get exactly what its own separate runs give."""
    from lead_sim.runs.runner import simulate
    from lead_sim.sensitivity.sampling import applied_values, design
    from lead_sim.sensitivity.targets import LeadTarget, apply_factors

    (tmp_path / "tiny_usual.toml").write_text(TINY_USUAL)
    spec = load_spec(write_spec(tmp_path / "tiny.toml", TINY_PAIRED))
    target = LeadTarget.from_spec(spec)
    block = design(spec).query("row < 5")  # A, AB_1, AB_2, AB_3, B
    rows = [applied_values(spec, dict(zip(spec.names, r, strict=True)))
            for r in block[spec.names].itertuples(index=False)]
    assert all(isinstance(r["caseload_cap"], int) for r in rows)
    together = target.run_rows(rows, spec.seed)
    for values, got in zip(rows, together, strict=True):
        row = simulate(apply_factors(spec.scenario, spec.factors, values), spec.seed).summary
        base = simulate(apply_factors(spec.baseline, spec.factors, values), spec.seed).summary
        assert {k: got[k] for k in spec.outcomes} == {
            "diff_cost_total": row["cost_total"] - base["cost_total"],
            "diff_arrests": row["arrests"] - base["arrests"],
            "lead_enrollments": float(row["lead_enrollments"])}
    assert together[2] != together[0]  # AB_2 (a LEAD-only value) forked from A and acted


TINY_USUAL = TINY_SCENARIO.replace("tiny_pilot", "tiny_usual").replace("pilot_2011",
                                                                       "system_as_usual")
TINY_PAIRED = """
name = "tiny_paired"
scenario = "tiny_pilot.toml"
baseline = "tiny_usual.toml"
method = "sobol"
samples = 4
seed = 3
population = 3000
outcomes = ["diff_cost_total", "diff_arrests", "lead_enrollments"]

[parameters]
contact_rate = { low = 0.001, high = 0.003 }
social_referral_propensity = { low = 0.05, high = 0.9 }
caseload_cap = { low = 5, high = 40 }
"""


def test_progress_counts_every_failed_run(tmp_path, capsys, monkeypatch):
    from lead_sim.runs import progress

    now = [0.0]  # every run seems to take a second, so progress lines are printed

    def clock() -> float:
        now[0] += 1.0
        return now[0]

    monkeypatch.setattr(progress.time, "monotonic", clock)
    target = IshigamiTarget(fail_below_x1=-2.0)
    done = run_sweep(ishigami_spec("sobol", 16), tmp_path, target=target, executor="serial")
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert done.failed > 0 and last.endswith(f"failed {done.failed}")


def test_report_is_one_readable_file(tmp_path):
    """report.html embeds its figures (it can be mailed alone), prints large numbers with
    thousands separators rather than 2e+06, and says what the indices mean."""
    ishigami = IshigamiTarget()

    def millions(values, seed):
        return {"y": 1e6 * ishigami(values, seed)["y"]}

    run_sweep(ishigami_spec("morris", 20), tmp_path, target=millions, executor="serial",
              progress=False)
    page = _page(tmp_path)
    figures = page.figures()  # embedded (Page.figures checks), and also written beside it
    assert [f.png for f in figures] == [(tmp_path / "figures" / f"y_{kind}.png").read_bytes()
                                        for kind in ("indices", "morris")]
    assert "e+0" not in page.text and "e-0" not in page.text
    table = page.section("y").tables()[0]
    indices = pd.read_csv(tmp_path / "indices.csv").set_index("parameter")
    top = indices["mu_star"].idxmax()
    assert table.row(top)[1] == fmt(indices.loc[top, "mu_star"])  # e.g. 2,000,000, not 2e+06
    assert "mean absolute elementary effect" in page.text and "95% bootstrap" in page.text
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert page.manifest == page.manifest_shown == manifest
    assert manifest["bootstrap_seed"] == manifest["seed"] + 1  # docs/sweeps.md, the seeds
    for figure in figures:  # a figure copied out of the report still says what produced it
        assert json.loads(Image.open(io.BytesIO(figure.png)).text["lead_sim_manifest"]) == manifest
    assert [fmt(v) for v in (2e6, -612345.0, 0.61234, 99.96, 0.0, float("nan"))] == [
        "2,000,000", "-612,000", "0.612", "100", "0", "n/a"]
    # small non-zero values stay visible, with 3 significant figures, and never as 1.2e-07
    assert [fmt(v) for v in (1.2e-7, -3.456e-5, 1e-4)] == ["1.2×10⁻⁷", "-3.46×10⁻⁵", "0.0001"]
    assert "20 trajectories" in page.text and "base samples" not in page.text


def test_each_outcome_shows_only_its_own_figures(tmp_path):
    """'y' is a prefix of 'y_twice' (as rearrest_12m is of rearrest_12m_booked)."""
    ishigami = IshigamiTarget()

    def two(values, seed):
        y = ishigami(values, seed)["y"]
        return {"y": y, "y_twice": 2 * y}

    spec = ishigami_spec("morris", 20, outcomes=("y", "y_twice"))
    run_sweep(spec, tmp_path, target=two, executor="serial", progress=False)
    page = _page(tmp_path)
    assert len(page.figures()) == 4
    for name in ("y", "y_twice"):
        assert [f.caption for f in page.section(name).figures()] == [
            f"figures/{name}_{kind}.png" for kind in ("indices", "morris")]


@dataclass(frozen=True)
class TwoIshigami(IshigamiTarget):
    """Stores y and 2y in every run, so a spec can analyse either without running again."""

    outcomes: tuple[str, ...] = ("y", "y_twice")

    def __call__(self, values, seed):
        y = super().__call__(values, seed)["y"]
        return {"y": y, "y_twice": 2 * y}


def test_a_re_analysis_removes_the_outputs_it_no_longer_writes(tmp_path):
    """Dropping an outcome or the [[discovery]] questions from a finished sweep's spec
    re-analyses it: the old figures and discovery.csv must go, and nothing that is not a
    sweep output may be touched."""
    from dataclasses import replace

    from lead_sim.sensitivity.spec import Rule

    spec = ishigami_spec("lhs", 40, outcomes=("y", "y_twice"), options={"M": 2},
                         discovery=(Rule("y", 5.0, False),))
    run_sweep(spec, tmp_path, target=TwoIshigami(), executor="serial", progress=False)
    figures = tmp_path / "figures"
    assert {p.name for p in figures.iterdir()} == {"y_indices.png", "y_twice_indices.png"}
    assert (tmp_path / "discovery.csv").exists()
    (tmp_path / "notes.txt").write_text("mine")
    (figures / "sketch.png").write_bytes(b"mine")

    done = run_sweep(replace(spec, outcomes=("y",), discovery=()), tmp_path,
                     target=TwoIshigami(), executor="serial", progress=False)
    assert done.ran == 0  # a re-analysis only
    assert {p.name for p in figures.iterdir()} == {"y_indices.png", "sketch.png"}
    assert not (tmp_path / "discovery.csv").exists()
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert set(pd.read_csv(tmp_path / "indices.csv")["outcome"]) == {"y"}


def test_progress_without_a_terminal_is_plain_lines(tmp_path, capsys, monkeypatch):
    """Captured stderr is not a TTY: the sweep reports progress one line at a time, a line
    per tenth of the runs, and none at all for a sweep that ends within seconds."""
    spec = ishigami_spec("sobol", 16)  # 16 x (3 + 2) = 80 runs, well under a second
    run_sweep(spec, tmp_path / "short", target=IshigamiTarget(), executor="serial",
              progress=True)
    assert not [line for line in capsys.readouterr().err.splitlines() if "sweep:" in line]
    from lead_sim.runs import progress  # the same sweep, with every run taking a second
    now = [0.0]

    def clock() -> float:
        now[0] += 1.0
        return now[0]

    monkeypatch.setattr(progress.time, "monotonic", clock)
    run_sweep(spec, tmp_path / "slow", target=IshigamiTarget(), executor="serial",
              progress=True)
    err = capsys.readouterr().err
    assert "\r" not in err
    lines = [line for line in err.splitlines() if line.startswith("sweep: ")]
    assert 9 <= len(lines) <= 11  # about one every 10% (of runs finishing in blocks of 5)
    assert lines[-1].startswith("sweep: 80/80 runs (100%)") and "ETA" in lines[-1]


def test_line_progress_prints_every_half_minute_when_runs_are_slow():
    import io

    from lead_sim.runs.progress import LineProgress

    now = [0.0]
    out = io.StringIO()
    bar = LineProgress(1000, "sweep", "run", out, clock=lambda: now[0])
    for _ in range(3):
        now[0] += 31.0
        bar.update(1)
    bar.set_postfix(failed=1)
    now[0] += 1.0
    bar.update(1)  # neither 10% more nor 30 s later: no line
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    assert lines[-1] == "sweep: 3/1,000 runs (0%), 0.03 runs/s, elapsed 01:33, ETA 8:35:07"


# ---- lead_sim sweeps ----------------------------------------------------------------------------
def test_executors_give_identical_results(tmp_path):
    spec = load_spec(write_spec(tmp_path / "tiny.toml", TINY))
    outs = {}
    for executor, workers in (("serial", 1), ("local", 2), ("dask", 2)):
        out = tmp_path / executor
        run_sweep(spec, out, executor=executor, workers=workers, shard_size=3, progress=False)
        outs[executor] = out
    ref_runs = pd.read_csv(outs["serial"] / "runs.csv")
    ref_idx = pd.read_csv(outs["serial"] / "indices.csv")
    assert len(ref_runs) == 16 and (ref_runs["status"] == "ok").all()
    assert ref_runs["arrests"].nunique() > 1  # the parameters do act
    assert ref_runs["lead_enrollments"].sum() > 0  # and LEAD is running
    for executor in ("local", "dask"):
        pd.testing.assert_frame_equal(pd.read_csv(outs[executor] / "runs.csv"), ref_runs)
        pd.testing.assert_frame_equal(pd.read_csv(outs[executor] / "indices.csv"), ref_idx)


def _sweep_cmd(spec: Path, out: Path, executor: str = "local") -> list[str]:
    return [sys.executable, "-m", "lead_sim.cli", "sweep", str(spec), "--out", str(out),
            "--executor", executor, "--workers", "2", "--shard-size", "2"]


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _assert_group_ends(pgid: int, seconds: float, message: str) -> None:
    """Wait until no process of the group is left, failing with ``message`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while _group_alive(pgid):
        assert time.monotonic() < deadline, message
        time.sleep(0.1)


def _start_sweep_until_a_shard(spec, out, stderr, executor="local") -> subprocess.Popen:
    """Start a real sweep in its own session and return once its first shard is on disk."""
    proc = subprocess.Popen(_sweep_cmd(spec, out, executor), stdout=subprocess.DEVNULL,
                            stderr=stderr, text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while not list((out / "shards").glob("part-*.parquet")):
        if proc.poll() is not None or time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail("the sweep ended, or wrote no shard within 120 s")
        time.sleep(0.05)
    return proc


def test_resume_after_sigkill_matches_uninterrupted(tmp_path):
    spec = write_spec(tmp_path / "resume.toml", STOPPABLE)
    out = tmp_path / "killed"
    proc = _start_sweep_until_a_shard(spec, out, stderr=subprocess.DEVNULL)
    try:
        proc.send_signal(signal.SIGKILL)  # the coordinator only, as `kill -9 PID` does
        proc.wait(timeout=30)
        # its pool workers notice and exit by themselves (none left in the session)
        _assert_group_ends(proc.pid, 15, "worker processes outlived the killed sweep")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # worker processes left behind by the kill
    assert proc.returncode == -signal.SIGKILL
    done_before = sum(len(pd.read_parquet(f)) for f in (out / "shards").glob("part-*.parquet"))
    assert 0 < done_before < STOPPABLE_RUNS and not (out / "indices.csv").exists()

    resumed = subprocess.run(_sweep_cmd(spec, out), capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"Resumed: {done_before} of {STOPPABLE_RUNS}" in resumed.stdout

    whole = tmp_path / "whole"
    run_sweep(load_spec(spec), whole, executor="local", workers=2, progress=False)
    for name in ("runs.csv", "indices.csv", "convergence.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(out / name), pd.read_csv(whole / name))
    # every run exactly once across the shards of the interrupted-and-resumed sweep
    ids = pd.concat([pd.read_parquet(f) for f in (out / "shards").glob("part-*.parquet")])
    assert sorted(ids["run_id"]) == list(range(STOPPABLE_RUNS))


@pytest.mark.parametrize(("signals", "to_group", "executor"), [
    ((signal.SIGINT, signal.SIGINT), True, "local"),  # Ctrl-C pressed twice in a terminal
    ((signal.SIGTERM,), False, "local"),  # `kill PID`
    ((signal.SIGINT,), True, "dask"),  # Ctrl-C with a local Dask cluster
], ids=["ctrl-c-twice", "sigterm", "dask-ctrl-c"])
def test_interrupted_sweep_stops_promptly_and_resumes(tmp_path, signals, to_group, executor):
    """Ctrl-C (to the whole foreground group, workers included) or SIGTERM stops a sweep
    within seconds, quietly, with every finished run kept; the same command then finishes."""
    spec = write_spec(tmp_path / "stop.toml", STOPPABLE)
    out = tmp_path / "stopped"
    proc = _start_sweep_until_a_shard(spec, out, subprocess.PIPE, executor)
    try:
        for sig in signals:
            (os.killpg if to_group else os.kill)(proc.pid, sig)
            time.sleep(0.2)
        _, stderr = proc.communicate(timeout=10)
        # workers are terminated, not left to finish their runs
        _assert_group_ends(proc.pid, 5, "worker processes outlived the stopped sweep")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode in (130, 143), stderr
    assert "interrupted; finished runs are kept" in stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    assert "leaked" not in stderr and "CancelledError" not in stderr, stderr
    kept = sum(len(pd.read_parquet(f)) for f in (out / "shards").glob("part-*.parquet"))

    resumed = subprocess.run(_sweep_cmd(spec, out), capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"Resumed: {kept} of {STOPPABLE_RUNS}" in resumed.stdout
    runs = pd.read_csv(out / "runs.csv")
    assert sorted(runs["run_id"]) == list(range(STOPPABLE_RUNS)) and (runs["status"] == "ok").all()


@pytest.mark.parametrize("terminal", [False, True], ids=["piped", "terminal"])
def test_ctrl_c_while_the_dask_cluster_starts_is_quiet(tmp_path, terminal):
    """Ctrl-C while a local Dask cluster's workers are still starting reaches none of them
    (each used to print a KeyboardInterrupt traceback mid-import): it waits until the cluster
    is up, then stops the sweep as usual. On a terminal the progress bar runs a thread of its
    own, which may take the signal: that case is held back too."""
    import psutil

    spec = write_spec(tmp_path / "early.toml", TINY)
    out = tmp_path / "early"
    main_fd, stderr_fd = os.openpty() if terminal else (None, subprocess.PIPE)
    proc = subprocess.Popen(_sweep_cmd(spec, out, "dask"), stdout=subprocess.DEVNULL,
                            stderr=stderr_fd, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while not _starting_workers(psutil.Process(proc.pid)):
            assert proc.poll() is None and time.monotonic() < deadline, "no worker started"
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: workers included
        proc.wait(timeout=60)
        _assert_group_ends(proc.pid, 10, "worker processes outlived the stopped sweep")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    if terminal:
        os.close(stderr_fd)
        stderr = _read_all(main_fd)
    else:
        stderr = proc.stderr.read().decode()
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr


def _starting_workers(sweep) -> bool:
    """True once a Dask worker process (spawned, not yet necessarily imported) exists."""
    with contextlib.suppress(psutil_errors()):
        return any("spawn_main" in " ".join(child.cmdline())
                   for child in sweep.children(recursive=True))
    return False


def psutil_errors() -> tuple[type[Exception], ...]:
    import psutil

    return (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess)


def _read_all(fd: int) -> str:
    """Everything written to a pseudo-terminal whose other end is closed."""
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the writer is gone and the buffer is empty
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode(errors="replace")


def test_folder_of_another_sweep_is_refused(tmp_path, capsys):
    spec = write_spec(tmp_path / "a.toml", TINY.replace("population = 500",
                                                        "population = 500\nyears = 0.2"))
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--out", str(out), "--executor", "serial"]) == 0
    capsys.readouterr()
    assert main(["sweep", str(spec), "--out", str(out), "--executor", "serial",
                 "--samples", "8"]) == 2
    captured = capsys.readouterr()
    assert "holds a different sweep (it differs in: samples)" in captured.err
    assert "Sweep 'tiny'" not in captured.out  # refused before the header
    # the same command again finds nothing to do and rewrites identical outputs
    before = (out / "indices.csv").read_text()
    assert main(["sweep", str(spec), "--out", str(out), "--executor", "serial"]) == 0
    assert "nothing left to run" in capsys.readouterr().out
    assert (out / "indices.csv").read_text() == before


def test_resuming_with_other_code_warns_and_a_busy_folder_is_refused_first(tmp_path, capsys):
    import fcntl
    import json

    spec = write_spec(tmp_path / "a.toml", TINY.replace("population = 500",
                                                        "population = 500\nyears = 0.2"))
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--out", str(out), "--executor", "serial"]) == 0
    assert "warning" not in capsys.readouterr().err  # a new folder: nothing to compare with
    assert main(["sweep", str(spec), "--out", str(out), "--executor", "serial"]) == 0
    clean = not json.loads((out / "sweep.json").read_text())["code"]["git_commit"].endswith(
        "-dirty")
    assert ("warning" in capsys.readouterr().err) != clean  # the same clean code: no warning
    meta = json.loads((out / "sweep.json").read_text())
    meta["code"] = {"lead_sim": "0.0.1", "git_commit": "0123456789abcdef"}
    (out / "sweep.json").write_text(json.dumps(meta))
    assert main(["sweep", str(spec), "--out", str(out), "--executor", "serial"]) == 0
    err = capsys.readouterr().err
    assert "was started with lead_sim 0.0.1 at commit 0123456789abcdef;" in err
    assert "results mix runs of both" in err
    with (out / ".lock").open("a") as held:  # another process writing into the folder
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert main(["sweep", str(spec), "--out", str(out), "--executor", "serial"]) == 2
    captured = capsys.readouterr()
    assert "Another sweep process is writing" in captured.err
    assert "Sweep 'tiny'" not in captured.out  # refused before the header


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:9", "localhost:abc", "bogus://host:1"])
def test_an_unreachable_scheduler_is_one_line_before_anything(tmp_path, address):
    spec = write_spec(tmp_path / "s.toml", TINY)
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "lead_sim.cli", "sweep", str(spec), "--out",
                           str(out), "--executor", "dask", "--scheduler", address],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == "", done.stdout
    assert done.stderr.count("\n") == 1 and "Cannot reach the Dask scheduler" in done.stderr
    assert not out.exists()


# ---- bad specs: exit 2 before anything runs or is written ---------------------------------------
@pytest.mark.parametrize(("change", "message"), [
    (("contact_rate = {", "contact_rat = {"), "Unknown parameter 'contact_rat'"),
    (("high = 0.003", "high = 0.5"), "not allowed"),
    (("samples = 4", "samples = 6"), "power of 2"),
    (('"lead_enrollments"', '"lead_enrolments"'), "Unknown outcome 'lead_enrolments'"),
    (('"cost_total"', '"diff_cost_total"'), "needs a baseline"),
    (('"cost_total"', '"diff_cost_totl"'), "Did you mean: diff_cost_total"),
    (('"lead_enrollments"', '"diff:lead_enrollments"'),
     "paired outcomes are now named 'diff_NAME', a name pandas and R take as it is; write "
     "'diff_lead_enrollments'"),
    (('method = "sobol"', 'method = "sobel"'), "Unknown method 'sobel'"),
    (('scenario = "tiny_pilot.toml"', 'scenario = "pilot_201"'),
     "bad.toml': Unknown scenario 'pilot_201'. Did you mean: pilot_2011"),
    (("[parameters]", "[parameters]\npopulation = {}"), "cannot be swept"),
    (("[parameters]", "[parameters]\ncaseload_cap = { low = 5.5, high = 40 }"),
     "takes whole numbers (participants), so its low and high must be whole numbers too"),
])
def test_bad_specs_fail_before_any_run(tmp_path, capsys, change, message):
    spec = write_spec(tmp_path / "bad.toml", TINY.replace(*change))
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()


def test_discovery_without_scikit_learn_says_how_to_install_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # import sklearn now fails
    out = tmp_path / "out"
    spec = SPECS / "lhs_savings.toml"
    assert main(["sweep", str(spec), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert ".venv/bin/pip install -e '.[discovery]'" in err
    assert len(err.strip().splitlines()) == 1 and not out.exists()


@pytest.mark.parametrize(("value", "message"), [("0", "must be at least 1"),
                                                 ("3", "power of 2")])
def test_bench_sweep_refuses_a_bad_sample_size_without_a_traceback(value, message):
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_sweep.py"),
                           "--samples", value], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and message in done.stderr
    assert "Traceback" not in done.stderr and not done.stdout


def test_shipped_specs_are_valid():
    for name, runs in (("sobol_core", 2560), ("morris_screen", None), ("lhs_savings", 200)):
        spec = load_spec(SPECS / f"{name}.toml")
        from lead_sim.sensitivity.spec import runs_per_sample

        total = runs_per_sample(spec.method, spec.samples, len(spec.factors), spec.options)
        if runs is not None:
            assert total == runs
    morris = load_spec(SPECS / "morris_screen.toml")
    assert {"diversion_propensity", "hr_lead_engaged", "contact_rate"} <= set(morris.names)


def test_set_holds_everywhere_and_scale_keeps_the_timeline_shape():
    from lead_sim import load_scenario
    from lead_sim.sensitivity.spec import scenario_values
    from lead_sim.sensitivity.targets import apply_factors

    scn = load_scenario("seattle_citywide")
    factors = (Factor("green_light_share", 0.0, 1.0), Factor("caseload_cap", 15, 80, "int"),
               Factor("budget_usd_per_year", 0.5, 2.0, how="scale"))
    out = apply_factors(scn, factors, {"green_light_share": 0.4, "caseload_cap": 30,
                                       "budget_usd_per_year": 2.0})
    assert set(scenario_values(out, "green_light_share")) == {0.4}
    assert out.params["caseload_cap"] == 30
    budgets = scenario_values(scn, "budget_usd_per_year")
    assert scenario_values(out, "budget_usd_per_year") == [2.0 * b for b in budgets]
    assert [e.date for e in out.timeline] == [e.date for e in scn.timeline]  # dates untouched
    assert scenario_values(scn, "green_light_share") != [0.4]  # the original is not changed


def test_integer_factors_take_every_whole_number_equally_often_within_their_bounds():
    """A fine even grid over [low, high] (what a uniform sample approaches) gives each whole
    number in the bounds the same share, the end values included (rounding gave them half);
    values on or just past the edges (Morris grids, floating-point noise) stay inside."""
    from collections import Counter

    import numpy as np

    from lead_sim.sensitivity.sampling import applied_values

    factors = (Factor("caseload_cap", 15, 80, "int"), Factor("uneven", 5.2, 9.7, "int"),
               Factor("budget", 0.5, 2.0, how="scale"), Factor("x", -1.0, 1.0))
    spec = SweepSpec(name="ints", method="lhs", factors=factors, samples=40, outcomes=("y",))
    counts: dict[str, Counter] = {"caseload_cap": Counter(), "uneven": Counter()}
    for share in np.linspace(0.0, 1.0, 65_001):
        raw = {f.name: f.low + share * (f.high - f.low) for f in factors}
        applied = applied_values(spec, raw)
        for name, counter in counts.items():
            assert isinstance(applied[name], int)
            counter[applied[name]] += 1
        assert applied["budget"] == raw["budget"] and applied["x"] == raw["x"]  # as sampled
    for name, whole in (("caseload_cap", range(15, 81)), ("uneven", range(6, 10))):
        assert sorted(counts[name]) == list(whole), name
        assert max(counts[name].values()) - min(counts[name].values()) <= 2, name
    edges = {"caseload_cap": (15 - 1e-9, 80 + 1e-9), "uneven": (5.2 - 1e-9, 9.7 + 1e-9),
             "budget": (1.0, 1.0), "x": (0.0, 0.0)}
    assert applied_values(spec, {n: v[0] for n, v in edges.items()})["caseload_cap"] == 15
    assert applied_values(spec, {n: v[1] for n, v in edges.items()})["caseload_cap"] == 80
    assert applied_values(spec, {n: v[0] for n, v in edges.items()})["uneven"] == 6
    assert applied_values(spec, {n: v[1] for n, v in edges.items()})["uneven"] == 9


def test_a_folder_whose_integer_parameters_were_rounded_the_old_way_is_refused(tmp_path):
    """Runs of such a folder rounded integer parameters (end values half as likely); finishing
    it with runs mapped the new way would mix two samples. Sweeps without integer parameters
    keep their fingerprint, so their folders still resume."""
    import json

    from lead_sim.errors import LeadSimError
    from lead_sim.sensitivity.store import fingerprint

    factors = (Factor("x1", -3, 3, "int"), Factor("x2", -PI, PI), Factor("x3", -PI, PI))
    spec = SweepSpec(name="ints", method="sobol", factors=factors, samples=4, seed=11,
                     outcomes=("y",))
    run_sweep(spec, tmp_path, target=IshigamiTarget(), executor="serial", progress=False,
              report=False)
    meta_path = tmp_path / "sweep.json"
    meta = json.loads(meta_path.read_text())
    del meta["settings"]["whole_numbers"]  # as written before the mapping was recorded
    meta["fingerprint"] = fingerprint(meta["settings"])
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(LeadSimError, match="older lead_sim, which rounded sampled integer"):
        run_sweep(spec, tmp_path, target=IshigamiTarget(), executor="serial", progress=False,
                  report=False)
    meta["settings"]["seed"] = 12  # differing in more than the rounding: all of it is named
    meta["fingerprint"] = fingerprint(meta["settings"])
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(LeadSimError, match="mapped the new way; it also differs in: seed"):
        run_sweep(spec, tmp_path, target=IshigamiTarget(), executor="serial", progress=False,
                  report=False)
    assert "whole_numbers" not in ishigami_spec("sobol", 4).fingerprint_data()


def test_scale_that_leaves_the_registry_bounds_is_refused(tmp_path, capsys):
    spec = write_spec(tmp_path / "s.toml", TINY.replace(
        "[parameters]", "[parameters]\nbudget_usd_per_year = { scale = [0.5, 500.0] }"))
    assert main(["sweep", str(spec), "--out", str(tmp_path / "o")]) == 2
    assert "outside the registry" in capsys.readouterr().err


def test_line_progress_of_a_resumed_run_counts_only_new_work_in_its_rate():
    """Resumed at 600 of 1,000 with 10 done in 20 s: 0.5 a second and 13:00 to go, not the
    600-at-once rate that would promise the rest in no time."""
    import io

    from lead_sim.runs.progress import LineProgress

    now = [0.0]
    out = io.StringIO()
    bar = LineProgress(1000, "calibrate", "candidate", out, initial=600, clock=lambda: now[0])
    for _ in range(10):
        now[0] += 2.0
        bar.update(1)
    assert bar.line(now[0]).startswith(
        "calibrate: 610/1,000 candidates (61%), 0.50 candidates/s, elapsed 00:20, ETA 13:00")


@pytest.mark.parametrize(("spec_name", "reps"), [("sobol_core", 1), ("morris_screen", 2)])
def test_groups_are_blocks_of_one_seed_and_cover_every_pending_run(spec_name, reps):
    """Runs go to workers in groups: one Sobol block or a part of one Morris trajectory, one
    replicate, at most MAX_GROUP_RUNS runs; a resumed sweep groups only what is missing."""
    import numpy as np

    from lead_sim.sensitivity.engine import MAX_GROUP_RUNS, TaskGroups, block_size
    from lead_sim.sensitivity.sampling import design

    spec = load_spec(SPECS / f"{spec_name}.toml", samples=4, reps=reps)
    table = design(spec)
    pending = table["run_id"].to_numpy()[table["run_id"] % 7 != 3]  # as if some had finished
    groups = TaskGroups(spec, table, pending)
    assert groups.runs == len(pending)
    seen = []
    for group in groups:
        rows = table.set_index("run_id").loc[[run_id for run_id, _, _ in group]]
        assert 1 <= len(group) <= MAX_GROUP_RUNS
        assert rows["seed"].nunique() == 1 and (rows["row"] // block_size(spec)).nunique() == 1
        seen += [run_id for run_id, _, _ in group]
    assert sorted(seen) == sorted(pending.tolist())
    assert np.mean([len(g) for g in groups]) > 5  # the missing runs still go in blocks
    whole = TaskGroups(spec, table, table["run_id"].to_numpy())
    assert {len(g) for g in whole} == {min(block_size(spec), MAX_GROUP_RUNS)}  # 10; 24 halved


# ---- what the report says its numbers stand for ------------------------------------------------
def _empty_analysis(spec):
    from lead_sim.sensitivity.analysis import COLUMNS, Analysis

    return Analysis(pd.DataFrame(columns=["outcome", "parameter", *COLUMNS[spec.method]]),
                    pd.DataFrame(columns=["outcome", "parameter", "index", "full", "half",
                                          "difference"]))


def test_report_header_gives_dates_missed_changes_units_signs_and_seeds():
    """--years 4 on seattle_citywide stops on 2013-12-31: the downtown and citywide phases
    are not simulated, and the report says so and how many changes that is."""
    from lead_sim.outcomes.tables import units_note
    from lead_sim.params import Params
    from lead_sim.sensitivity.report import render_html

    spec = load_spec(SPECS / "sobol_core.toml", samples=4,
                     population=1000, years=4.0)
    page = Page(render_html(spec, _empty_analysis(spec), None, {}, {})).text
    assert "Simulated dates: 2010-01-01 to 2013-12-31 (4 years, from years = 4)" in page
    assert "4.0" not in page
    after = [e for e in spec.scenario.timeline if "2013-12-31" < str(e.date) <= "2021-12-31"]
    assert len(after) == 9  # downtown (2014) to State v. Blake (2021), not SB 5536 (2023)
    assert (f"{len(after)} of its {len(spec.scenario.timeline)} timeline changes are not "
            "simulated") in page
    assert "2014-05-01: All of downtown" in page and "2019-01-01: Citywide" in page
    assert "2023-07-01" not in page  # after the scenario's own end: never simulated
    assert "years = 12" in page  # the last change, 2021-02-25, is in the 12th year
    params = Params.with_overrides(spec.scenario.params)
    assert units_note(1000, params["reference_population"]) in page
    assert "seattle_citywide minus system_as_usual" in page and "costs less" in page
    assert "same seed 20240602 (common random numbers)" in page and "--reps" in page
    assert "4 base samples" in page and "budget_usd_per_year_scale" in page

    whole = load_spec(SPECS / "sobol_core.toml", samples=4)  # as shipped
    page = Page(render_html(whole, _empty_analysis(whole), None, {}, {})).text
    assert "not simulated" not in page and "Warning" not in page
    assert "Simulated dates: 2010-01-01 to 2021-12-31 (12 years, from years = 12)." in page


@pytest.mark.parametrize(("population", "named"), [(1000, True), (20_000, False)])
def test_no_effect_in_a_small_sample_names_rounded_service_places(population, named):
    """At 500-1,000 people the budget can buy no whole treatment or housing place, so
    hr_treatment has nothing to act on: the report must name that possible cause, and only
    for a sample smaller than the county's reference population (20,000)."""
    from lead_sim.sensitivity.analysis import Analysis
    from lead_sim.sensitivity.report import render_html

    spec = load_spec(SPECS / "sobol_core.toml", samples=4,
                     population=population, years=4.0)
    zero = pd.DataFrame({"outcome": "diff_cost_total", "parameter": spec.names,
                         "S1": 0.0, "S1_conf": 0.0, "ST": 0.0, "ST_conf": 0.0})
    zero.loc[zero["parameter"] == "contact_rate", ["S1", "ST"]] = 0.9
    page = Page(render_html(spec, Analysis(zero, _empty_analysis(spec).convergence),
                            None, {}, {})).section("Parameters with no effect").text
    assert "hr_treatment" in page.split(":")[0] and "contact_rate" not in page
    sentence = (f"With {population:,} people (a sample of the county's 20,000), the "
                "programme's budget may round its treatment and housing places to none")
    assert (sentence in page) is named
    assert ("rerun with a larger --population" in page) is named


def test_report_uses_each_methods_own_word_for_its_sample_size():
    """In the header, and in the advice when the half-sample check says the indices still
    move (ST at half the sample is 0.5 below the full sample's 0.6)."""
    from lead_sim.sensitivity.analysis import COLUMNS, MAIN, Analysis
    from lead_sim.sensitivity.report import render_html

    for method, samples, word in (("sobol", 16, "16 base samples"),
                                  ("morris", 20, "20 trajectories"),
                                  ("fast", 300, "300 points per search curve"),
                                  ("lhs", 200, "200 rows")):
        spec = ishigami_spec(method, samples, reps=3)
        indices = pd.DataFrame({"outcome": "y", "parameter": ["x1", "x2", "x3"],
                                **{c: [0.6, 0.3, 0.0] for c in COLUMNS[method]}})
        moving = pd.DataFrame({"outcome": ["y"], "parameter": ["x1"], "index": [MAIN[method]],
                               "full": [0.6], "half": [0.1], "difference": [0.5]})
        page = Page(render_html(spec, Analysis(indices, moving), None, {}, {}))
        assert f"{word}, 3 replicates per sample row" in page.text, method
        assert "seeds 11 to 13" in page.text
        advice = page.section("y").text
        assert f"{MAIN[method]} still moves when the sample is halved" in advice, method
        assert (f"Run the sweep again with more {word.split(' ', 1)[1]}, e.g. --samples "
                f"{4 * samples:,} (now {samples}; ") in advice, method


def test_small_fast_sample_is_flagged_and_missing_intervals_are_named(tmp_path):
    """At N = 100 (< 16 M^2 = 256) FAST's bootstrap resamples are shifted copies of one
    search curve: for x1 they all give the same S1, a half-width of 0 up to rounding. The
    report must not call that a 95% interval, and must call the sample too small."""
    from lead_sim.sensitivity.figures import bars_title

    spec = ishigami_spec("fast", 100)
    run_sweep(spec, tmp_path, target=IshigamiTarget(), executor="serial", progress=False)
    table = pd.read_csv(tmp_path / "indices.csv").set_index("parameter")
    assert table.loc["x1", "S1_conf"] < 1e-12 < table.loc["x1", "S1"]  # no interval
    assert (table.loc[["x2", "x3"], "S1_conf"] > 0.01).all()  # real intervals
    page = _page(tmp_path)
    section = page.section("y").text
    assert "No usable 95% interval for x1:" in section
    assert "fewer than 256 points per search curve" in section
    assert "more points per search curve, e.g. --samples 400" in section
    assert "indicative only" in page.text
    shown = page.section("y").tables()[0]  # x1's half-widths read n/a, not 0
    assert shown.header == ["parameter", "S1", "S1_conf", "ST", "ST_conf"]
    assert shown.row("x1")[2] == "n/a" and shown.row("x2")[2] == fmt(table.loc["x2", "S1_conf"])
    frame = table.reset_index()
    assert bars_title(spec, "y", frame) == "y: fast indices (95% intervals where available)"
    shown = frame.assign(S1_conf=0.05, ST_conf=0.05)
    assert bars_title(spec, "y", shown) == "y: fast indices (95% intervals)"
    none = frame.assign(S1_conf=math.nan, ST_conf=math.nan)
    assert bars_title(spec, "y", none) == "y: fast indices (no intervals available)"


def test_a_large_fast_sample_is_not_flagged(tmp_path):
    run_sweep(ishigami_spec("fast", 300), tmp_path, target=IshigamiTarget(), executor="serial",
              progress=False)
    page = _page(tmp_path).text
    assert "300 points per search curve" in page  # the sample size is reported
    assert "points per search curve (16" not in page  # but not flagged: the small test is
    assert "quick look only" not in page  # the default M


@pytest.mark.parametrize(("method", "samples"), [("fast", 40), ("lhs", 1000)])
def test_an_m_below_the_default_is_a_quick_look_only(tmp_path, method, samples):
    """With M = 1, FAST and RBD-FAST miss x2's non-monotone effect (sin² x2, S1 = 0.44) even
    on 1,000 rows: the report must say so up front, and M = 1 must not lower FAST's
    small-sample bar (16 M² would be 16, below these 40 points)."""
    spec = ishigami_spec(method, samples, options={"M": 1})
    run_sweep(spec, tmp_path, target=IshigamiTarget(), executor="serial", progress=False)
    table = pd.read_csv(tmp_path / "indices.csv").set_index("parameter")
    assert table.loc["x2", "S1"] < 0.2  # the bias the warning is about
    page = _page(tmp_path).text
    default = {"fast": 4, "lhs": 10}[method]
    assert (f"Warning: M = 1 is below {'FAST' if method == 'fast' else 'RBD-FAST'}'s default "
            f"of {default}, so these indices are a quick look only") in page
    assert page.index("quick look only") < page.index("Seeds:")  # before what follows
    assert "not monotone" in page
    if method == "fast":
        assert ("fewer than 256 points per search curve (16 × M², the default M = 4, not "
                "this sweep's 1)") in page
        assert "at least 256 points per search curve" in page
    else:
        assert "at least 160 rows" in page


def test_discovery_reports_only_boxes_denser_than_the_base_rate():
    """The question holds in 90% of rows; the left half holds it in only 80% (every 5th row
    misses). A tree leaf there is 'mostly yes' but less so than a random pick: not a box."""
    import numpy as np

    from lead_sim.sensitivity.discovery import NO_BOX, discover, small_sample_note
    from lead_sim.sensitivity.spec import Rule

    n = 100
    x = pd.DataFrame({"a": np.linspace(0, 1, n),
                      "b": np.random.default_rng(0).uniform(size=n)})
    y = np.where((x["a"] < 0.5) & (np.arange(n) % 5 == 0), 1.0, -1.0)
    boxes = discover(Rule("y", 0.0), x, y)
    assert (boxes["base_rate"] == 0.9).all() and (boxes["sample_rows"] == n).all()
    assert len(boxes) == 1 and boxes["density"].iloc[0] == 1.0
    assert boxes["box"].iloc[0].startswith("a > 0.4")  # the right half, where it always holds
    assert small_sample_note(n, 90) == ""

    # 8 rows, 6 yes: too few to split, and the whole space is only the base rate
    few = discover(Rule("y", 0.0), x.head(8), np.array([-1.0] * 6 + [1.0] * 2))
    assert list(few["box"]) == [NO_BOX] and few["density"].iloc[0] == 0.75
    note = small_sample_note(8, 6)
    assert "only 8 rows were sampled" in note and "no in only 2 of 8 rows" in note


def test_discovery_boxes_of_an_integer_parameter_have_whole_number_edges():
    """A tree cut between 37 and 38 falls at 37.5: the box says caseload_cap <= 37 (or >= 38),
    the values the runs could have, not a fraction no run used."""
    import numpy as np

    from lead_sim.sensitivity.discovery import discover
    from lead_sim.sensitivity.spec import Rule

    cap = np.tile(np.arange(15, 81), 3).astype(float)
    x = pd.DataFrame({"caseload_cap": cap, "b": np.linspace(0, 1, len(cap))})
    whole = frozenset({"caseload_cap"})
    below = discover(Rule("y", 0.0), x, np.where(cap <= 37, -1.0, 1.0), whole_numbers=whole)
    assert list(below["box"]) == ["caseload_cap <= 37"] and below["density"].iloc[0] == 1.0
    above = discover(Rule("y", 0.0), x, np.where(cap >= 38, -1.0, 1.0), whole_numbers=whole)
    assert list(above["box"]) == ["caseload_cap >= 38"]
    middle = discover(Rule("y", 0.0), x, np.where((cap >= 30) & (cap <= 50), -1.0, 1.0),
                      whole_numbers=whole)
    assert list(middle["box"]) == ["30 <= caseload_cap <= 50"]


def test_scale_factors_are_labelled_as_scales_in_every_export(tmp_path):
    """x1 applied with scale = [a, b] holds a multiplier: exports say x1_scale, while the
    design and the resume fingerprint keep the bare name."""
    import json

    from lead_sim.sensitivity.spec import Rule

    factors = (Factor("x1", -PI, PI, how="scale"), Factor("x2", -PI, PI), Factor("x3", -PI, PI))
    spec = SweepSpec(name="scaled", method="lhs", factors=factors, samples=40, seed=11,
                     outcomes=("y",), options={"M": 2}, discovery=(Rule("y", 5.0, False),))
    run_sweep(spec, tmp_path, target=IshigamiTarget(), executor="serial", progress=False)
    runs = pd.read_csv(tmp_path / "runs.csv")
    assert "x1_scale" in runs.columns and "x1" not in runs.columns
    for name in ("indices.csv", "convergence.csv"):
        assert set(pd.read_csv(tmp_path / name)["parameter"]) == {"x1_scale", "x2", "x3"}
    boxes = pd.read_csv(tmp_path / "discovery.csv")["box"]
    assert boxes.str.contains("x1").any() and not boxes.str.contains(r"x1(?!_scale)").any()
    assert (boxes != "(no box: nowhere denser than the whole sample)").all()
    page = _page(tmp_path)
    assert "Scaled parameters: x1_scale multiplies every value" in page.text
    shown = [c for t in page.tables() for c in t.cells()]
    assert "x1_scale" in shown and "x1" not in shown
    assert "Too few rows to trust the boxes" in page.text and "only 40 rows" in page.text
    assert "x1" in pd.read_parquet(tmp_path / "design.parquet").columns
    settings = json.loads((tmp_path / "sweep.json").read_text())["settings"]
    assert "x1_scale" not in json.dumps(settings)


def test_an_outcome_added_to_a_finished_sweep_is_analysed_without_running_again(tmp_path,
                                                                               capsys):
    """Runs store every outcome, so adding one to the spec only re-analyses; asking for a
    diff_ outcome in an unpaired sweep is a different sweep (its baseline never ran)."""
    spec = write_spec(tmp_path / "a.toml", TINY.replace("population = 500",
                                                        "population = 500\nyears = 0.2"))
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--out", str(out), "--executor", "serial"]) == 0
    assert "bookings" not in pd.read_csv(out / "runs.csv").columns  # only what was asked
    spec.write_text(spec.read_text().replace('"lead_enrollments"]',
                                             '"lead_enrollments", "bookings"]'))
    capsys.readouterr()
    assert main(["sweep", str(spec), "--out", str(out), "--executor", "serial"]) == 0
    assert "Resumed: 16 of 16" in capsys.readouterr().out
    runs = pd.read_csv(out / "runs.csv")
    assert runs["bookings"].notna().all() and runs["bookings"].nunique() > 1
    assert set(pd.read_csv(out / "indices.csv")["outcome"]) >= {"bookings", "arrests"}

    spec.write_text(spec.read_text().replace('scenario = "tiny_pilot.toml"',
                                             'scenario = "tiny_pilot.toml"\n'
                                             'baseline = "system_as_usual"')
                    .replace('"bookings"]', '"diff_bookings"]'))
    assert main(["sweep", str(spec), "--out", str(out), "--executor", "serial"]) == 2
    assert "it differs in: baseline, paired" in capsys.readouterr().err


def test_option_overrides_the_specs_method_options(tmp_path, capsys):
    """--option M=1 makes a 20-row look at lhs_savings possible (M=10 needs 160 rows); a
    malformed or unknown option is refused before anything runs."""
    lhs = SPECS / "lhs_savings.toml"
    with pytest.raises(Exception, match="at least 160 rows"):
        load_spec(lhs, samples=20)
    assert load_spec(lhs, samples=20, options={"M": 1}).option("M") == 1
    out = tmp_path / "out"
    assert main(["sweep", str(lhs), "--out", str(out), "--option", "K=1"]) == 2
    assert "Unknown key 'K'" in capsys.readouterr().err and not out.exists()
    for bad, message in (("M=x", "not a whole number or true/false"),
                         ("M", "expected KEY=VALUE")):
        with pytest.raises(SystemExit) as stop:  # argparse's own exit for a malformed value
            main(["sweep", str(lhs), "--out", str(out), "--option", bad])
        assert stop.value.code == 2
        assert message in capsys.readouterr().err and not out.exists()


def test_a_folder_from_a_version_that_stores_other_outcomes_is_refused(tmp_path, capsys,
                                                                       monkeypatch):
    """The outcomes each run stores come from the code; a sweep folder written when that list
    was different is refused (not resumed into a store with missing columns)."""
    from lead_sim.sensitivity import spec as spec_module

    spec = write_spec(tmp_path / "a.toml", TINY.replace("population = 500",
                                                        "population = 500\nyears = 0.2"))
    out = tmp_path / "out"
    fewer = [n for n in spec_module.outcome_names() if n != "cost_housing"]
    monkeypatch.setattr("lead_sim.sensitivity.targets.outcome_names", lambda: fewer)
    assert main(["sweep", str(spec), "--out", str(out), "--executor", "serial"]) == 0
    monkeypatch.undo()
    capsys.readouterr()
    assert main(["sweep", str(spec), "--out", str(out), "--executor", "serial"]) == 2
    assert "written by another version of lead_sim" in capsys.readouterr().err


def test_slow_groups_are_written_as_they_come_and_fast_ones_batched(tmp_path, monkeypatch):
    """A group finishing a second or more after the previous one goes to disk at once (a
    kill -9 then loses only what is still running); quick groups wait for shard_size."""
    from lead_sim.sensitivity.store import SweepStore

    now = [0.0]
    monkeypatch.setattr("lead_sim.sensitivity.store.time.monotonic", lambda: now[0])
    store = SweepStore(tmp_path, {"test": 1}, ("y",), ["x1"])
    store.open(pd.DataFrame({"run_id": [0], "row": [0], "rep": [0], "seed": [0], "x1": [0.0]}))

    def group(first: int, size: int = 2) -> list[dict]:
        return [{"run_id": i, "status": "ok", "error": "", "seconds": 1.0, "cpu_seconds": 1.0,
                 "x1": 0.5, "y": float(i)} for i in range(first, first + size)]

    def shards() -> int:
        return len(list((tmp_path / "shards").glob("part-*.parquet")))

    with store.writer(shard_size=50, flush_seconds=20.0) as writer:
        for i, at in enumerate((0.01, 0.02, 0.03)):  # quick: kept in the buffer
            now[0] = at
            writer.add(group(2 * i))
        assert shards() == 0
        now[0] = 4.0  # slow: written with what was waiting
        writer.add(group(6))
        assert shards() == 1 and len(store.records()) == 8
        now[0] = 9.0
        writer.add(group(8))
        assert shards() == 2
    store.close()


def _ok_or_failed(run_id: int, ok: bool, y: float = math.nan, error: str = "") -> dict:
    return {"run_id": run_id, "status": "ok" if ok else "failed", "error": error,
            "seconds": 1.0, "cpu_seconds": 1.0, "x1": 0.5, "y": y}


def test_records_keep_a_success_over_any_failure_of_the_same_run(tmp_path):
    """--retry-failed appends a new record for a rerun failure: whatever order the shards
    hold them in, a run that succeeded once counts as done, and one that only failed keeps
    its latest error."""
    from lead_sim.sensitivity.store import SweepStore

    store = SweepStore(tmp_path, {"test": 1}, ("y",), ["x1"])
    table = pd.DataFrame({"run_id": range(4), "row": range(4), "rep": 0, "seed": 0,
                          "x1": 0.5})
    store.open(table)
    store.write_shard([_ok_or_failed(0, True, 1.0), _ok_or_failed(1, False, error="first"),
                       _ok_or_failed(2, False, error="first")])
    store.write_shard([_ok_or_failed(0, False, error="later"), _ok_or_failed(1, True, 2.0),
                       _ok_or_failed(2, False, error="second")])
    records = store.records().set_index("run_id")
    assert list(records.index) == [0, 1, 2]
    assert list(records["status"]) == ["ok", "ok", "failed"]
    assert list(records["y"].iloc[:2]) == [1.0, 2.0] and records.loc[2, "error"] == "second"
    assert list(store.pending(table)) == [3]
    assert list(store.pending(table, retry_failed=True)) == [2, 3]
    store.close()


@pytest.mark.parametrize("missing", ["design.parquet", "sweep.json"])
def test_a_start_killed_while_writing_its_first_files_is_finished_next_time(tmp_path, missing):
    """A start killed between writing sweep.json and the design leaves a folder holding only
    one of them (the reverse order was written before): the next start completes the sweep
    as if nothing had happened. A folder with anything else is still refused."""
    from lead_sim.errors import LeadSimError
    from lead_sim.sensitivity.engine import open_store
    from lead_sim.sensitivity.sampling import design

    spec, target = ishigami_spec("sobol", 4), IshigamiTarget()
    whole = tmp_path / "whole"
    run_sweep(spec, whole, target=target, executor="serial", progress=False, report=False)
    out = tmp_path / "killed"
    store = open_store(spec, out, target)
    store.open(design(spec))
    store.close()
    (out / missing).unlink()
    (out / f".tmp-0123-{missing}").write_text("half written")
    done = run_sweep(spec, out, target=target, executor="serial", progress=False, report=False)
    assert done.ran == done.total == 20 and done.failed == 0
    pd.testing.assert_frame_equal(open_store(spec, out, target).results(),
                                  open_store(spec, whole, target).results())
    assert not list(out.glob(".tmp-*"))

    (out / "sweep.json").unlink()  # finished runs without a fingerprint: not ours to reuse
    with pytest.raises(LeadSimError, match="is not a sweep folder"):
        open_store(spec, out, target)


def test_morris_labels_of_nearby_points_do_not_overlap():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from lead_sim.sensitivity.figures import _morris

    names = ["eligible_max_grams", "hr_severe_sud", "hr_homeless", "contact_rate"]
    frame = pd.DataFrame({"parameter": names, "mu_star": [1.0, 1.02, 1.01, 5.0],
                          "sigma": [2.0, 2.03, 2.01, 6.0], "mu_star_conf": 0.1})
    fig = _morris("y", frame)
    renderer = FigureCanvasAgg(fig).get_renderer()
    boxes = [t.get_window_extent(renderer) for t in fig.axes[0].texts]
    assert len(boxes) == 4
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


@dataclass(frozen=True)
class OddSeedFails(IshigamiTarget):
    """Fails rows with x1 < 0 on odd seeds only: those rows keep one of two replicates."""

    def __call__(self, values, seed):
        if seed % 2 and values["x1"] < 0:
            raise RuntimeError("deliberate failure")
        return super().__call__(values, seed)


def test_rows_that_lost_some_replicates_are_named_in_the_report(tmp_path):
    spec = ishigami_spec("sobol", 16, reps=2)  # seeds 11 and 12
    run_sweep(spec, tmp_path, target=OddSeedFails(), executor="serial", progress=False)
    runs = pd.read_csv(tmp_path / "runs.csv")
    thinned = runs[runs["status"] == "failed"]["row"].nunique()
    assert thinned == (runs.query("rep == 0")["x1"] < 0).sum() > 0
    page = _page(tmp_path).text
    assert f"{thinned} sample rows are averaged over fewer than their 2 replicates" in page
    assert "not analysed" not in page  # every row still has a successful run


def test_a_folder_of_the_old_outcome_names_is_refused_with_what_to_do(tmp_path):
    """Sweeps before identifier-safe names stored paired outcomes as 'diff:NAME'; resuming or
    re-analysing such a folder is refused, saying how to read its tables."""
    from lead_sim.errors import LeadSimError

    spec = ishigami_spec("morris", 4)
    run_sweep(spec, tmp_path, target=IshigamiTarget(), executor="serial", progress=False)
    meta = json.loads((tmp_path / "sweep.json").read_text())
    meta["settings"]["stored_outcomes"] = ["diff:y"]  # as an older lead_sim wrote it
    (tmp_path / "sweep.json").write_text(json.dumps(meta))
    before = (tmp_path / "indices.csv").read_text()
    with pytest.raises(LeadSimError, match=r"older lead_sim.*'diff:NAME'.*now 'diff_NAME'.*"
                                           r"new --out folder.*df\.rename"):
        run_sweep(spec, tmp_path, target=IshigamiTarget(), executor="serial", progress=False)
    assert (tmp_path / "indices.csv").read_text() == before
