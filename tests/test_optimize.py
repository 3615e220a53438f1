"""lead-sim optimize: config checks, decisions to scenario, the budget cap, common seeds, exact
forking, resume after a kill (same front), the outputs and the command's exit status.

Searches here are tiny (300 people, 4 candidates, 2 generations, 2 replicates, one year after
the policy start), so every test runs in seconds once the core is compiled.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lead_sim import cli
from lead_sim.errors import LeadSimError
from lead_sim.model import LeadModel
from lead_sim.optimize import search as search_module
from lead_sim.optimize.config import builtin_names, load_config
from lead_sim.optimize.evaluate import Task, evaluate, policy_period, with_marginal_costs
from lead_sim.optimize.policy import candidate_scenario, decode, history_scenario, spending
from lead_sim.optimize.results import Candidate
from lead_sim.optimize.search import run_search, told
from lead_sim.outcomes.measures import summary
from tests.html_page import Page

TINY = """
name = "tiny"
scenario = "king_county"
start = 2022-01-01
years = 1
population = 300
reps = 2
generations = 2
pop_size = 4
seed = 3
budget_cap = 12_000_000

[objectives]
jail_bed_days = "min"
rearrest_12m = "min"
cost_total_marginal = "min"

[[variable]]
name = "budget_usd_per_year"
low = 4_000_000
high = 16_000_000

[[variable]]
name = "case_management_share"
low = 0.3
high = 0.9

[[variable]]
name = "housing_budget_share"
low = 0.0
high = 1.0

[[variable]]
name = "caseload_cap"
low = 15
high = 60

[[variable]]
name = "cover:kent"
low = 0
high = 2
"""


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY, encoding="utf-8")
    return path


def _with(tmp_path: Path, old: str, new: str) -> Path:
    assert old in TINY
    path = tmp_path / "bad.toml"
    path.write_text(TINY.replace(old, new), encoding="utf-8")
    return path


# ---- the config --------------------------------------------------------------------------------
def test_budget_mix_is_built_in_and_valid():
    config = load_config("budget_mix")
    assert "budget_mix" in builtin_names()
    assert (config.generations, config.pop_size, config.reps) == (40, 24, 5)
    assert config.objectives == {"jail_bed_days": "min", "rearrest_12m": "min",
                                 "cost_total_marginal": "min"}
    assert history_scenario(config).end_date.isoformat() == "2023-12-31"


@pytest.mark.parametrize("old, new, message", [
    ('rearrest_12m = "min"', 'rearrest_12m = "lowest"', "must be \"min\" or \"max\""),
    ('rearrest_12m = "min"', 'rearest_12m = "min"', "Unknown objective 'rearest_12m'"),
    ("low = 15\nhigh = 60", "low = 1\nhigh = 60", "leave the parameter's allowed range"),
    ("low = 0.3\nhigh = 0.9", "low = 0.9\nhigh = 0.3", "low < high"),
    ('name = "cover:kent"', 'name = "cover:kentt"', "Unknown area 'kentt'"),
    ('name = "cover:kent"', 'name = "staffing"', "cannot be a decision variable"),
    ('name = "cover:kent"', 'name = "population"', "cannot be a decision variable"),
    ("budget_cap = 12_000_000", "budget_cap = -5", "'budget_cap'"),
    ("years = 1", "years = 0", "'years'"),
    ("pop_size = 4", "pop_size = 3", "at least 4"),
    ("start = 2022-01-01", "start = \"soon\"", "must be a date"),
    ("seed = 3", "sede = 3", "Unknown key 'sede'"),
    ("budget_cap = 12_000_000", "", "has no 'budget_cap'"),
])
def test_bad_configs_are_refused_clearly(tmp_path, old, new, message):
    with pytest.raises(LeadSimError, match=message):
        load_config(str(_with(tmp_path, old, new)))


def test_unknown_name_lists_the_built_in_configs():
    with pytest.raises(LeadSimError, match="budget_mix"):
        load_config("budget_mixx")


def test_options_replace_the_config_values(tiny):
    config = load_config(str(tiny), generations=5, reps=3, seed=9, population=None, years=0.5)
    assert (config.generations, config.reps, config.seed, config.population) == (5, 3, 9, 300)
    assert config.years == 0.5
    with pytest.raises(LeadSimError, match="--pop-size"):
        load_config(str(tiny), pop_size=2)


def test_a_later_change_of_a_searched_parameter_is_refused(tmp_path):
    path = _with(tmp_path, "start = 2022-01-01", "start = 2019-07-01")  # king_county funds later
    with pytest.raises(LeadSimError, match="sets budget_usd_per_year on 2020-01-01"):
        history_scenario(load_config(str(path)))


# ---- decisions to scenario ---------------------------------------------------------------------
def test_decisions_become_a_timeline_entry_on_the_start(tiny):
    config = load_config(str(tiny))
    history = history_scenario(config)
    policy = decode(config, history, [8e6, 0.6, 0.25, 30.4, 0.5])
    assert policy["caseload_cap"] == 30 and isinstance(policy["caseload_cap"], int)
    assert policy["treatment_budget_share"] == pytest.approx(0.75)  # housing takes 0.25
    scenario = candidate_scenario(config, history, policy, "p")
    added = [e for e in scenario.timeline if e.date >= config.start and e not in history.timeline]
    on_start = next(e for e in added if e.date == config.start)
    assert on_start.set == {"budget_usd_per_year": 8e6, "case_management_share": 0.6,
                            "housing_budget_share": 0.25, "treatment_budget_share": 0.75,
                            "caseload_cap": 30}
    kent = next(e for e in added if e.cover)
    assert kent.cover == ("kent",) and (kent.date - config.start).days == round(0.5 * 365.25)
    assert spending(policy) == pytest.approx({"case_managers": 4.8e6, "treatment": 2.4e6,
                                              "housing": 0.8e6})
    never = candidate_scenario(config, history, decode(config, history, [8e6, 0.6, 0.2, 30, 1.5]),
                               "q")  # 1.5 years after the start is past the one-year horizon
    assert not any(e.cover for e in never.timeline if e.date >= config.start)


def test_the_budget_cap_is_a_constraint(tiny):
    config = load_config(str(tiny))
    history = history_scenario(config)
    reps = [{"jail_bed_days": 1.0, "rearrest_12m": 0.4, "cost_total_marginal": 5.0}] * 2
    within = Candidate(0, 0, [], decode(config, history, [11e6, 0.6, 0.5, 30, 1]), reps)
    over = Candidate(0, 1, [], decode(config, history, [13e6, 0.6, 0.5, 30, 1]), reps)
    _, g = told(config, [within, over])
    assert g[0, 0] < 0 < g[1, 0]


# ---- evaluation: common seeds and exact forking -----------------------------------------------
def test_a_forked_evaluation_equals_a_run_from_the_first_day(tiny):
    config = load_config(str(tiny))
    history = history_scenario(config)
    start_day = (config.start - history.start_date).days
    scenario = candidate_scenario(config, history,
                                  decode(config, history, [9e6, 0.5, 0.7, 20, 0.2]), "p")
    got = evaluate(Task(0, 0, 1, 4, history, start_day, scenario))["outcomes"]
    whole = LeadModel(scenario, 4)
    whole.run()
    whole.finish()
    before = LeadModel(history, 4)
    before.simulate_until(start_day)
    expected = policy_period(with_marginal_costs(summary(whole), whole),
                             with_marginal_costs(summary(before), before), history, start_day)
    assert got.keys() == expected.keys()
    assert pd.Series(got).equals(pd.Series(expected))  # exactly, NaN where both have none
    assert got["jail_bed_days"] > 0 and 0 <= got["rearrest_12m"] <= 1


@pytest.fixture
def recorded(monkeypatch):
    """Every task evaluated in this process, in order (workers=1 runs them here)."""
    tasks: list[Task] = []

    def spy(task: Task):
        tasks.append(task)
        return evaluate(task)

    monkeypatch.setattr(search_module, "_evaluate_task", lambda: spy)
    return tasks


def test_every_candidate_runs_on_the_same_seeds(tiny, tmp_path, recorded):
    config = load_config(str(tiny))
    run_search(config, tmp_path / "out", progress=False)
    assert len(recorded) == config.evaluations
    by_candidate: dict[tuple[int, int], list[int]] = {}
    for t in recorded:
        by_candidate.setdefault((t.generation, t.index), []).append(t.seed)
    assert all(sorted(s) == [3, 4] for s in by_candidate.values())


# ---- resume -----------------------------------------------------------------------------------
def test_a_killed_search_resumes_to_the_same_front(tiny, tmp_path, monkeypatch):
    config = load_config(str(tiny))
    whole = tmp_path / "whole"
    run_search(config, whole, progress=False)

    calls = {"n": 0}

    def killed_after_five(task: Task):
        calls["n"] += 1
        if calls["n"] > 5:
            raise KeyboardInterrupt
        return evaluate(task)

    monkeypatch.setattr(search_module, "_evaluate_task", lambda: killed_after_five)
    parts = tmp_path / "parts"
    with pytest.raises(KeyboardInterrupt):
        run_search(config, parts, progress=False)
    log = parts / "store" / "evaluations.jsonl"
    lines = log.read_text().splitlines()
    assert len(lines) == 5 and not (parts / "pareto.csv").exists()
    # damage the store as a kill mid-write and a hand edit would: a cut line, a changed number
    edited = json.loads(lines[1])
    edited["outcomes"]["jail_bed_days"] += 1.0
    log.write_text("\n".join([lines[0], json.dumps(edited), *lines[2:4], lines[4][:30]]))
    monkeypatch.undo()
    again = run_search(config, parts, progress=False)
    assert again.resumed == 3 and again.ran == config.evaluations - 3
    assert any((parts / "store" / "set_aside").glob("*evaluations.jsonl"))
    for name in ("pareto.csv", "evaluations.csv"):
        assert (parts / name).read_bytes() == (whole / name).read_bytes(), name


def test_another_search_in_the_folder_is_refused(tiny, tmp_path):
    config = load_config(str(tiny))
    out = tmp_path / "out"
    run_search(config, out, progress=False)
    with pytest.raises(LeadSimError, match=r"different search.*seed"):
        run_search(dataclasses.replace(config, seed=4), out, progress=False)


# ---- outputs and the command ------------------------------------------------------------------
def test_outputs_hold_the_front_every_candidate_and_the_manifest(tiny, tmp_path):
    config = load_config(str(tiny))
    out = tmp_path / "out"
    assert cli.main(["optimize", str(tiny), "--out", str(out), "--workers", "1"]) == 0
    pareto = pd.read_csv(out / "pareto.csv")
    evaluations = pd.read_csv(out / "evaluations.csv")
    assert len(evaluations) == config.generations * config.pop_size
    for name in ("budget_usd_per_year", "case_management_share", "housing_budget_share",
                 "treatment_budget_share", "caseload_cap", "cover:kent", "clear_of_noise",
                 "noise_note", *(f"{o}{s}" for o in config.objectives
                                 for s in ("", "_low", "_high"))):
        assert name in pareto.columns, name
    assert len(pareto) >= 1 and (pareto["budget_usd_per_year"] <= config.budget_cap).all()
    # no policy on the front is beaten on every objective by another evaluated within the cap
    ok = evaluations[evaluations["within_budget_cap"]]
    objectives = ok[list(config.objectives)].to_numpy()
    for row in pareto[list(config.objectives)].to_numpy():
        assert not ((objectives <= row).all(axis=1) & (objectives < row).any(axis=1)).any()
    assert (pareto["jail_bed_days_low"] <= pareto["jail_bed_days"]).all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["objectives"] == config.objectives
    assert manifest["budget_cap"] == config.budget_cap
    assert set(manifest["variables"]) == {v.name for v in config.variables}
    assert manifest["seeds"] == [3, 4] and manifest["git_commit"] and manifest["command"]
    page = Page((out / "report.html").read_text(encoding="utf-8"))
    assert "The Pareto front" in page.headings()
    assert page.manifest["objectives"] == config.objectives
    clear = int(pareto["clear_of_noise"].sum())
    assert f"{clear} of {len(pareto)} policies are clear of the noise" in page.text
    assert np.isfinite(pareto["jail_bed_days"]).all()


def test_a_bad_config_exits_2_and_writes_nothing(tmp_path, capsys):
    bad = _with(tmp_path, 'rearrest_12m = "min"', 'rearrest_12m = "down"')
    out = tmp_path / "out"
    assert cli.main(["optimize", str(bad), "--out", str(out)]) == 2
    assert "must be \"min\" or \"max\"" in capsys.readouterr().err
    assert not out.exists()


# ---- the noise verdict and the trade-offs in words: known answers -----------------------------
def test_an_advantage_is_clear_only_beyond_the_paired_noise(tiny):
    from lead_sim.optimize.front import advantage

    config = load_config(str(tiny))

    def candidate(jail: list[float]) -> Candidate:
        return Candidate(0, 0, [], {}, [{"jail_bed_days": j, "rearrest_12m": 0.4,
                                         "cost_total_marginal": 1.0} for j in jail])

    base = candidate([100.0, 200.0, 300.0])
    steady = candidate([90.0, 191.0, 289.0])  # 9-11 fewer with every seed: clear
    lucky = candidate([60.0, 230.0, 280.0])  # fewer on average, but not seed by seed
    assert advantage(config, steady, base)["clearly"] == ["jail_bed_days"]
    verdict = advantage(config, lucky, base)
    assert verdict["better"] == ["jail_bed_days"] and not verdict["clear"]
    assert advantage(config, base, steady)["better"] == []


def test_moving_money_is_read_off_a_linear_fit(tiny):
    from lead_sim.optimize.tradeoffs import money_sentences

    config = load_config(str(tiny))
    history = history_scenario(config)
    rng = np.random.default_rng(0)
    rows = []
    for _ in range(30):
        x = [rng.uniform(v.low, v.high) for v in config.variables]
        policy = decode(config, history, x)
        money = {k: v / 1e6 for k, v in spending(policy).items()}
        rows.append({**policy, "within_budget_cap": True,
                     "jail_bed_days": 5000 - 10 * money["case_managers"]
                     - 100 * money["housing"] - 40 * money["treatment"],
                     "rearrest_12m": 0.4 - 0.001 * money["case_managers"],
                     "cost_total_marginal": 1e6 * sum(money.values())})
    sentences = money_sentences(config, pd.DataFrame(rows))
    housing = next(s for s in sentences if "on housing instead of case managers" in s)
    assert "jail bed-days down 90 a year" in housing  # -100 - (-10)
    assert "re-arrest within 12 months up 0.1 percentage points" in housing
    assert "jail bed-days down 60 a year" in next(
        s for s in sentences if "on housing instead of treatment" in s)
