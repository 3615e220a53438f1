"""Calibration: config errors, distance, recovery of a known parameter from the model's own
output, resume after an interruption, and the calibrated parameter file in ``run``."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest

from lead_sim.calibration import SHIPPED, load_calibrated, shipped
from lead_sim.cli import main
from lead_sim.errors import LeadSimError
from lead_sim.fitting.config import Target, load_config
from lead_sim.fitting.fit import distance, draw_candidates, run_evaluations
from lead_sim.fitting.replay import pilot_scenario, replicate
from lead_sim.fitting.store import EVALUATIONS
from lead_sim.fitting.system import SYSTEM_TARGETS
from lead_sim.params import REGISTRY
from lead_sim.reports.words import num
from lead_sim.runs import checksums
from lead_sim.runs.runner import MAX_SEED, check_seeds
from tests.html_page import Page

# A short pilot (June 2011 to December 2012) keeps each run under a second at the smallest
# population the cohorts allow.
SHORT_PILOT = """
name = "short_pilot"
extends = "pilot_2011"
description = "The pilot's first 15 months, for tests."
start_date = 2011-06-01
end_date = 2012-12-31
"""
# diversion_propensity that makes the synthetic target: near the low edge of the prior (0.05 to
# 0.6), so a calibration that accepted candidates at random would rarely land near it.
TRUTH = 0.1
SEEDS = [11, 12]


def write_config(folder: Path, target: float, candidates: int = 10, reps: int = 2,
                 extra: str = "") -> Path:
    (folder / "short_pilot.toml").write_text(SHORT_PILOT)
    path = folder / "calibration.toml"
    path.write_text(f"""
scenario = "short_pilot.toml"
population = 5000
reps = {reps}
candidates = {candidates}
accept = 0.3
seed = {SEEDS[0]}

[[parameter]]
name = "diversion_propensity"
low = 0.05
high = 0.6

[[target]]
name = "n_lead_reference"
value = {target}
scale = 20
source = "synthetic: the model at diversion_propensity = {TRUTH}"
{extra}""")
    return path


@pytest.fixture(scope="module")
def synthetic_target(tmp_path_factory) -> float:
    """The LEAD cohort the model itself forms at the true value, mean over the seeds."""
    folder = tmp_path_factory.mktemp("truth")
    (folder / "short_pilot.toml").write_text(SHORT_PILOT)
    scn = pilot_scenario(str(folder / "short_pilot.toml"), population=5000,
                         overrides={"diversion_propensity": TRUTH})
    return sum(replicate((scn, s, False))["n_lead_reference"] for s in SEEDS) / len(SEEDS)


def test_calibration_recovers_a_known_parameter(tmp_path, synthetic_target, capsys):
    config = write_config(tmp_path, synthetic_target)
    assert main(["calibrate", str(config), "--out", str(tmp_path / "out")]) == 0
    cal = load_calibrated(tmp_path / "out" / "calibrated.toml")
    # Candidates use the same seeds as the synthetic target, so the cohort size rises
    # monotonically with the propensity. The 10 Latin-hypercube candidates sit one in each
    # 0.055-wide stratum of the prior (0.05 to 0.6); the truth, 0.1, lies in the lowest, so the
    # 3 closest to the target are the 3 lowest candidates (accepting 3 of 10 at random picks
    # exactly those 1 time in 120). Tolerances: the closest one lies in the lowest stratum,
    # within 0.055 of the truth; the median (the middle one) in the next, within 0.06. Before,
    # the truth was 0.3, the prior's middle, with 0.1, which random acceptance met about half
    # the time.
    candidates = pd.read_csv(tmp_path / "out" / "candidates.csv")
    posterior = pd.read_csv(tmp_path / "out" / "posterior.csv")
    lowest = sorted(candidates["diversion_propensity"])[:3]
    assert sorted(posterior["diversion_propensity"]) == pytest.approx(lowest)
    assert posterior["diversion_propensity"].iloc[0] == pytest.approx(TRUTH, abs=0.055)
    assert cal.params["diversion_propensity"] == pytest.approx(TRUTH, abs=0.06)
    assert len(cal.draws) == 3
    assert posterior["distance"].is_monotonic_increasing
    page = Page((tmp_path / "out" / "fit_report.html").read_text(encoding="utf-8"))
    assert len(page.figures()) == 2
    calibrated = page.section("Parameters").tables()[0].row("diversion_propensity")[2]
    assert calibrated == num(cal.params["diversion_propensity"])


def test_resume_gives_the_same_result_as_an_uninterrupted_run(tmp_path, synthetic_target):
    config = write_config(tmp_path, synthetic_target, candidates=6, reps=1)
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    assert main(["calibrate", str(config), "--out", str(whole)]) == 0
    assert main(["calibrate", str(config), "--out", str(parts), "--stop-after", "3"]) == 0
    assert not (parts / "posterior.csv").exists()
    with (parts / EVALUATIONS).open("a") as handle:  # a write cut off by a kill
        handle.write('{"candidate": 5, "values": {"diversion_propen')
    assert main(["calibrate", str(config), "--out", str(parts)]) == 0
    records = [json.loads(line) for line in (parts / EVALUATIONS).read_text().splitlines()]
    assert sorted(r["candidate"] for r in records) == list(range(6))  # none evaluated twice
    pd.testing.assert_frame_equal(pd.read_csv(whole / "candidates.csv"),
                                  pd.read_csv(parts / "candidates.csv"))
    assert ((whole / "calibrated.toml").read_text().split("[params]")[1]
            == (parts / "calibrated.toml").read_text().split("[params]")[1])


def test_a_changed_config_does_not_mix_with_old_evaluations(tmp_path, synthetic_target):
    config = load_config(write_config(tmp_path, synthetic_target, candidates=2, reps=1))
    run_evaluations(config, tmp_path / "out", limit=1)
    changed = load_config(write_config(tmp_path, synthetic_target + 1, candidates=2, reps=1))
    with pytest.raises(LeadSimError, match="different calibration"):
        run_evaluations(changed, tmp_path / "out")


def test_an_edited_scenario_file_is_refused_on_resume(tmp_path, capsys):
    """Same config, scenario file edited between two sessions: the second session must refuse
    the folder, not add candidates of the edited model to those of the old one."""
    config = write_config(tmp_path, 200.0, candidates=2, reps=1)
    out = tmp_path / "out"
    assert main(["calibrate", str(config), "--out", str(out), "--stop-after", "1"]) == 0
    before = (out / EVALUATIONS).read_text()
    scenario = tmp_path / "short_pilot.toml"
    scenario.write_text(scenario.read_text() + "\n[params]\ncontact_rate = 0.002\n")
    capsys.readouterr()
    assert main(["calibrate", str(config), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "holds evaluations of a different calibration" in err
    assert "scenario's definition" in err
    assert (out / EVALUATIONS).read_text() == before  # nothing added to the old evaluations


def test_key_follows_the_scenario_definition_and_registry_defaults_not_paths(tmp_path,
                                                                             monkeypatch):
    config = write_config(tmp_path, 200.0)
    key = load_config(config).key()
    moved = tmp_path / "moved"  # the same files elsewhere (another checkout, a copied folder)
    moved.mkdir()
    for name in ("calibration.toml", "short_pilot.toml"):
        (moved / name).write_text((tmp_path / name).read_text())
    assert load_config(moved / "calibration.toml").key() == key
    more = moved / "more.toml"  # more generations keep generation 0's evaluations
    more.write_text(config.read_text().replace("accept = 0.3", "accept = 0.3\ngenerations = 3"))
    assert load_config(more).key() == key
    # A registry default the runs start from (not a calibrated one) changes the key.
    changed = dataclasses.replace(REGISTRY["contact_rate"], default=0.002)
    monkeypatch.setitem(REGISTRY, "contact_rate", changed)
    assert load_config(config).key() != key
    monkeypatch.undo()
    calibrated = dataclasses.replace(REGISTRY["diversion_propensity"], default=0.2)
    monkeypatch.setitem(REGISTRY, "diversion_propensity", calibrated)
    assert load_config(config).key() == key  # every candidate sets its own value


def test_an_evaluation_line_lacking_fields_names_the_file_and_line(tmp_path, capsys):
    """Valid JSON of the right calibration, with a valid checksum, but not a whole record (a
    KeyError traceback before): only a bug could write one, so it is refused with its line."""
    config = write_config(tmp_path, 200.0, candidates=2, reps=1)
    out = tmp_path / "out"
    assert main(["calibrate", str(config), "--out", str(out), "--stop-after", "1"]) == 0
    good = json.loads((out / EVALUATIONS).read_text())
    damaged = [
        ({k: v for k, v in good.items() if k != "candidate"}, "'candidate' must be a whole"),
        ({**good, "candidate": 1, "values": None}, "'values'"),
        ({**good, "candidate": 1, "reps": [{"seed": 11}]}, "a replicate lacks arrest_or_6m"),
    ]
    for record, problem in damaged:
        signed = checksums.sign_record(record)
        (out / EVALUATIONS).write_text(json.dumps(good) + "\n" + json.dumps(signed) + "\n")
        capsys.readouterr()
        assert main(["calibrate", str(config), "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert f"Line 2 of {out / EVALUATIONS} is not a complete evaluation" in err
        assert problem in err
        assert "Traceback" not in err


def test_damaged_evaluation_lines_are_set_aside_and_evaluated_again(tmp_path, synthetic_target,
                                                                    caplog):
    """A changed value, a line without a checksum (an older lead_sim) and a cut-off line are
    moved to set_aside/, named in a warning, and their candidates evaluated again: the result
    equals an uninterrupted run's."""
    config = write_config(tmp_path, synthetic_target, candidates=5, reps=1)
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    assert main(["calibrate", str(config), "--out", str(whole)]) == 0
    assert main(["calibrate", str(config), "--out", str(parts), "--stop-after", "4"]) == 0
    lines = (parts / EVALUATIONS).read_text().splitlines()
    altered = json.loads(lines[0])
    altered["reps"][0]["n_lead_reference"] += 1  # a plausible number, silently wrong before
    unsigned = {k: v for k, v in json.loads(lines[2]).items() if k != "sha"}
    lines[0], lines[2] = json.dumps(altered), json.dumps(unsigned)
    lines[3] = lines[3][: len(lines[3]) // 2]
    (parts / EVALUATIONS).write_text("\n".join(lines) + "\n")
    with caplog.at_level("WARNING"):
        assert main(["calibrate", str(config), "--out", str(parts)]) == 0
    assert "3 line(s) failed their check" in caplog.text and "line 1:" in caplog.text
    assert "line 3: no checksum" in caplog.text and "line 4: not a whole JSON" in caplog.text
    kept = list((parts / "set_aside").glob("*-evaluations-damaged-lines.jsonl"))
    assert len(kept) == 1 and len(kept[0].read_text().splitlines()) == 3
    records = [json.loads(line) for line in (parts / EVALUATIONS).read_text().splitlines()]
    assert sorted(r["candidate"] for r in records) == list(range(5))
    assert all(checksums.record_intact(r) for r in records)
    pd.testing.assert_frame_equal(pd.read_csv(whole / "candidates.csv"),
                                  pd.read_csv(parts / "candidates.csv"))
    assert ((whole / "calibrated.toml").read_text().split("[params]")[1]
            == (parts / "calibrated.toml").read_text().split("[params]")[1])


def test_manifest_has_kind_and_scenario_and_files_are_utf8_in_any_locale(tmp_path,
                                                                          monkeypatch):
    """The manifest is labelled and records the scenario run; calibrated.toml and the report
    are UTF-8 even where the locale's encoding is not (ASCII here, as a stand-in for a
    Windows code page): the config's folder name and the report's spaces are not ASCII.
    Files are named relative to the working folder, so the folder's name is in both."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "kalibrierung_ü"
    folder.mkdir()
    config = write_config(folder, 200.0, candidates=2, reps=1)
    write_text = Path.write_text

    def locale_ascii(self, data, encoding=None, errors=None, newline=None):
        return write_text(self, data, encoding or "ascii", errors, newline)

    monkeypatch.setattr(Path, "write_text", locale_ascii)
    out = tmp_path / "out"
    assert main(["calibrate", str(config), "--out", str(out)]) == 0
    monkeypatch.undo()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "lead-sim calibrate"
    assert manifest["scenario"]["name"] == "short_pilot"
    assert manifest["scenario"]["start_date"] == "2011-06-01"
    assert manifest["scenario"]["params"]["population"] == 5000
    assert manifest["params"]["population"] == 5000
    assert "kalibrierung_ü" in (out / "calibrated.toml").read_text(encoding="utf-8")
    page = Page((out / "fit_report.html").read_text(encoding="utf-8"))
    assert len(page.figures()) == 2 and "kalibrierung_ü" in page.manifest["config"]


@pytest.mark.parametrize("extra, message", [
    ('[[parameter]]\nname = "diversion_propensty"\nlow = 0.1\nhigh = 0.2\n',
     "Did you mean: diversion_propensity"),
    ('[[parameter]]\nname = "hr_lead_engaged"\nlow = 0.05\nhigh = 0.9\n', "registry bounds"),
    ('[[target]]\nname = "felony_charge_or"\nvalue = 0.5\nscale = 0.1\nsource = "guess"\n',
     "held out"),
    ('[[target]]\nname = "rearrest_12m"\nvalue = 0.44\nscale = 0.04\n', "needs 'source'"),
])
def test_bad_config_exits_2_and_says_what_is_wrong(tmp_path, capsys, extra, message):
    config = write_config(tmp_path, 200.0, extra=extra)
    assert main(["calibrate", str(config), "--out", str(tmp_path / "out")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_misspelt_scenario_or_bad_seed_leaves_no_out_folder(tmp_path, capsys):
    config = write_config(tmp_path, 200.0)
    config.write_text(config.read_text().replace('"short_pilot.toml"', '"pilot_2101"'))
    assert main(["calibrate", str(config), "--out", str(tmp_path / "out")]) == 2
    assert "pilot_2101" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    config = write_config(tmp_path, 200.0)
    config.write_text(config.read_text().replace(f"seed = {SEEDS[0]}", "seed = -1"))
    assert main(["calibrate", str(config), "--out", str(tmp_path / "out")]) == 2
    assert "'seed' in calibration config" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("seed, message", [
    ("1.5", "'seed' in calibration config"),
    ("true", "'seed' in calibration config"),
    (str(MAX_SEED), "'seed' = 4294967295 with 'reps' = 2 in calibration config"),
])
def test_seeds_follow_the_rule_of_run_and_validate(tmp_path, seed, message):
    """The seed is checked by runner.check_seeds, and the error names the config keys."""
    config = write_config(tmp_path, 200.0, reps=2)
    config.write_text(config.read_text().replace(f"seed = {SEEDS[0]}", f"seed = {seed}"))
    with pytest.raises(LeadSimError, match=message) as caught:
        load_config(config)
    with pytest.raises(LeadSimError) as rule:
        check_seeds(json.loads(seed), 2)
    assert str(rule.value) in str(caught.value)  # the project's own words, not a copy


def test_an_out_folder_holding_other_files_is_refused(tmp_path, capsys):
    config = write_config(tmp_path, 200.0)
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    assert main(["calibrate", str(config), "--out", str(foreign)]) == 2
    assert "holds no lead-sim calibration" in capsys.readouterr().err
    assert [p.name for p in foreign.iterdir()] == ["notes.txt"]
    (foreign / "manifest.json").write_text(json.dumps({"key": "another"}))
    assert main(["calibrate", str(config), "--out", str(foreign)]) == 2
    assert "holds a different calibration" in capsys.readouterr().err
    assert sorted(p.name for p in foreign.iterdir()) == ["manifest.json", "notes.txt"]


@pytest.mark.parametrize("settings, extra, message", [
    ("candidates = 2\naccept = 0.3", "", "accepts only 1 set(s) per generation. ABC-SMC needs "
     "at least 2 (one more than the 1 calibrated parameter(s))"),
    ("candidates = 4\naccept = 0.5", '[[parameter]]\nname = "hr_lead_engaged"\nlow = 0.2\n'
     'high = 0.9\n', "accepts only 2 set(s) per generation. ABC-SMC needs at least 3"),
])
def test_smc_with_too_few_accepted_sets_is_refused_before_anything_runs(tmp_path, capsys,
                                                                        settings, extra,
                                                                        message):
    """One accepted set has no covariance to propose from (a traceback before this check);
    fewer than parameters + 1 leave the kernel flat along some parameter."""
    config = write_config(tmp_path, 200.0, extra=extra)
    text = config.read_text().replace("candidates = 10\naccept = 0.3", settings)
    config.write_text(text.replace("seed =", "generations = 2\nseed ="))
    assert main(["calibrate", str(config), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert message in err and str(config) in err and "generations = 1" in err
    assert not (tmp_path / "out").exists()
    config.write_text(text)  # the same sets in a rejection calibration are fine
    assert load_config(config).generations == 1


def test_a_failed_smc_proposal_is_an_input_error_not_a_traceback(tmp_path):
    config = dataclasses.replace(load_config(write_config(tmp_path, 200.0)), generations=2)
    one = pd.DataFrame({"diversion_propensity": [0.3], "weight": [1.0]})
    with pytest.raises(LeadSimError, match="Cannot draw generation 1 of calibration config"):
        draw_candidates(config, 1, one)


def test_config_without_targets_is_refused(tmp_path):
    path = write_config(tmp_path, 200.0)
    text = path.read_text()
    path.write_text(text[:text.index("[[target]]")])
    with pytest.raises(LeadSimError, match="no \\[\\[target\\]\\]"):
        load_config(path)


def test_distance_is_a_scaled_root_mean_square():
    targets = (Target("a", 1.0, 0.5, "x"), Target("b", 10.0, 2.0, "y", weight=3.0))
    # z = (2 - 1) / 0.5 = 2 with weight 1; z = (9 - 10) / 2 = -0.5 with weight 3
    assert distance({"a": 2.0, "b": 9.0}, targets) == pytest.approx(((4 + 3 * 0.25) / 4) ** 0.5)


def test_calibrated_file_errors(tmp_path):
    with pytest.raises(LeadSimError, match="does not exist"):
        load_calibrated(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[params]\nhr_lead_engaged = 7.0\n")
    with pytest.raises(LeadSimError, match="out of bounds"):
        load_calibrated(bad)
    bad.write_text("[calibration]\n")
    with pytest.raises(LeadSimError, match="no \\[params\\]"):
        load_calibrated(bad)


def test_posterior_draws_follow_their_weights(tmp_path):
    cal = tmp_path / "cal.toml"
    cal.write_text("[params]\nhr_lead_engaged = 0.5\n\n[[posterior]]\nweight = 0.0\n"
                   "hr_lead_engaged = 0.4\n\n[[posterior]]\nweight = 2.0\n"
                   "hr_lead_engaged = 0.6\n")
    loaded = load_calibrated(cal)
    assert [loaded.draw(i)["hr_lead_engaged"] for i in range(3)] == [0.6, 0.6, 0.6]


def test_run_with_posterior_draws_uses_one_draw_per_replicate(tmp_path):
    cal = tmp_path / "cal.toml"
    cal.write_text("[params]\nhr_lead_engaged = 0.5\n\n[[posterior]]\ndistance = 0.1\n"
                   "hr_lead_engaged = 0.4\n\n[[posterior]]\ndistance = 0.2\n"
                   "hr_lead_engaged = 0.6\n")
    out = tmp_path / "run"
    assert main(["run", "pilot_2011", "--population", "300", "--years", "0.5", "--reps", "2",
                 "--calibrated", str(cal), "--posterior-draws", "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["params"]["pilot_2011"]["hr_lead_engaged"] == 0.5  # the point estimate
    assert [d["hr_lead_engaged"] for d in manifest["posterior_draws"]] == [0.4, 0.6]


def test_the_shipped_calibration_fits_the_shipped_config():
    config = load_config("pilot")  # the built-in config, by name
    assert {t.name for t in config.targets} >= {"arrest_or_6m", "arrest_or_long",
                                                *SYSTEM_TARGETS}
    cal = shipped()
    assert cal.name == "shipped" and cal.path == str(SHIPPED)
    assert set(cal.params) == {p.name for p in config.priors} and len(cal.draws) > 1
    assert cal.settings["key"] == config.key() and cal.fitted_on


def test_smc_generation_is_drawn_weighted_and_can_be_added_later(tmp_path, synthetic_target):
    one = write_config(tmp_path, synthetic_target, candidates=4, reps=1)
    two = tmp_path / "two.toml"
    two.write_text(one.read_text().replace("accept = 0.3", "accept = 0.5\ngenerations = 2"))
    one.write_text(one.read_text().replace("accept = 0.3", "accept = 0.5"))
    later, straight = tmp_path / "later", tmp_path / "straight"
    assert main(["calibrate", str(one), "--out", str(later)]) == 0
    first = (later / EVALUATIONS).read_text()
    assert main(["calibrate", str(two), "--out", str(later)]) == 0  # adds generation 1 only
    assert (later / EVALUATIONS).read_text().startswith(first)
    assert main(["calibrate", str(two), "--out", str(straight)]) == 0
    candidates = pd.read_csv(straight / "candidates.csv")
    assert candidates.groupby("generation").size().to_dict() == {0: 4, 1: 4}
    posterior = pd.read_csv(straight / "posterior.csv")
    assert (posterior["generation"] == 1).all() and posterior["weight"].sum() == pytest.approx(1)
    assert posterior["diversion_propensity"].between(0.05, 0.6).all()
    pd.testing.assert_frame_equal(candidates, pd.read_csv(later / "candidates.csv"))


def test_the_calibrated_file_reads_back_to_the_same_values(tmp_path, monkeypatch):
    """calibrated.toml is written by tomli-w: every number, name and path reads back exactly,
    quotes, backslashes and non-ASCII included, and the config is named as typed."""
    import tomllib

    import pandas as pd

    from lead_sim.fitting.fit import Posterior, calibrated_toml

    odd = tmp_path / 'kalibrierung "ü" \\ a'
    odd.mkdir()
    monkeypatch.chdir(tmp_path)
    config = load_config(write_config(odd, 200.0))
    values = [0.1 + 1e-17, 1 / 3, 0.5999999999999999]
    candidates = pd.DataFrame({"generation": 0, "candidate": range(3), "accepted": True,
                               "diversion_propensity": values, "distance": [0.25, 0.5, 1e-9],
                               "weight": [1 / 3] * 3})
    post = Posterior(config, candidates)
    text = calibrated_toml(post, 'lead-sim calibrate "a\nb" --out x')
    data = tomllib.loads(text)
    assert data["calibration"]["config"] == f"{odd.name}/calibration.toml"
    assert data["params"] == post.point()
    assert [p["diversion_propensity"] for p in data["posterior"]] == [
        values[2], values[0], values[1]]  # closest first
    assert [p["distance"] for p in data["posterior"]] == [1e-9, 0.25, 0.5]
    assert text.startswith("# Calibrated parameters")
    assert '# Produced by: lead-sim calibrate "a b"' in text  # one comment line
    (tmp_path / "calibrated.toml").write_text(text, encoding="utf-8")
    assert load_calibrated(tmp_path / "calibrated.toml").params == post.point()
