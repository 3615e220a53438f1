import datetime as dt

import pytest

from lead_sim import builtin_names, load_scenario, prepare
from lead_sim.errors import LeadSimError
from lead_sim.params import REGISTRY
from lead_sim.viz.levers import LEVER_NAMES

BUILTIN = {"system_as_usual", "pilot_2011", "seattle_citywide", "king_county", "full_capacity"}


def test_all_builtins_load_and_share_a_start_before_launch():
    assert set(builtin_names()) >= BUILTIN
    starts = {load_scenario(n).start_date for n in BUILTIN}
    assert starts == {dt.date(2010, 1, 1)}  # before LEAD's launch on 2011-10-01 (O1)
    for name in BUILTIN:
        assert load_scenario(name).end_date >= dt.date(2021, 12, 31)


def test_builtin_scenarios_are_package_data(monkeypatch):
    """A non-editable install has only the package and its package data: every built-in
    scenario must lie inside lead_sim/ and match pyproject's package-data globs."""
    import tomllib
    from pathlib import Path

    import lead_sim
    from lead_sim.scenarios.loader import builtin_dir

    monkeypatch.delenv("LEAD_SIM_CONFIGS", raising=False)
    package = Path(lead_sim.__file__).resolve().parent
    pyproject = tomllib.loads((package.parent / "pyproject.toml").read_text())
    globs = pyproject["tool"]["setuptools"]["package-data"]["lead_sim"]
    shipped = {p for g in globs for p in package.glob(g)}
    files = sorted(builtin_dir().glob("*.toml"))
    assert {p.stem for p in files} == set(builtin_names()) >= BUILTIN
    assert set(files) <= shipped


def test_extends_stacks_timelines_parent_first():
    kc = load_scenario("king_county")
    covered = [a for e in kc.timeline for a in e.cover]
    assert {"belltown", "skyway", "downtown", "capitol_hill", "burien"} <= set(covered)
    assert [e.date for e in kc.timeline] == sorted(e.date for e in kc.timeline)
    full = load_scenario("full_capacity")
    assert any(e.set.get("staffing") == "demand" for e in full.timeline)


def test_user_file_overrides_defaults_and_adds_changes(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(
        'name = "mine"\nextends = "pilot_2011"\n[params]\ncaseload_cap = 25\n'
        '[[timeline]]\ndate = 2013-01-01\ncover = ["south_county"]\n'
    )
    scn = load_scenario(str(path))
    assert scn.params["caseload_cap"] == 25
    assert "burien" in scn.timeline[-1].cover or any("burien" in e.cover for e in scn.timeline)


@pytest.mark.parametrize("text, message", [
    ('name = "x"\nstart_date = 2010-01-01\nend_date = 2012-01-01\n[params]\nfoo = 1\n',
     "Unknown parameter 'foo'"),
    ('name = "x"\nstart_date = 2010-01-01\nend_date = 2012-01-01\ntimelin = []\n',
     "Did you mean: timeline"),
    ('name = "x"\nstart_date = 2010-01-01\nend_date = 2012-01-01\n'
     '[[timeline]]\ndate = 2011-01-01\ncover = ["belltwn"]\n', "Did you mean: belltown"),
    ('name = "x"\nstart_date = 2010-01-01\nend_date = 2012-01-01\n'
     '[[timeline]]\ndate = "soon"\n', "must be a date"),
    ('name = "x"\nstart_date = 2010-01-01\nend_date = 2009-01-01\n', "must come after"),
    ('name = "x"\nstart_date = 2010-01-01\nend_date = 2012-01-01\n'
     '[params]\ncaseload_cap = 1000\n', "out of bounds"),
    ('name = "x\nstart_date = 2010-01-01\n', "not valid TOML"),
    ('extends = "pilot_201"\n',
     r"'extends' in '.*bad.toml': Unknown scenario 'pilot_201'. Did you mean: pilot_2011"),
    ('name = "x"\nstart_date = 2010-01-01\nend_date = 2012-01-01\n'
     '[[timeline]]\ndate = 2011-01-01\nset = { population = 9000 }\n',
     "entry 1 .* sets 'population', which can only be set at the start"),
    ('name = "x"\nstart_date = 2010-01-01\nend_date = 2012-01-01\n'
     '[[timeline]]\ndate = 2011-01-01\nset = { reference_population = 9000 }\n',
     "'reference_population', which can only be set at the start"),
    ('name = "x"\nstart_date = 2010-01-01\nend_date = 2012-01-01\n'
     '[[timeline]]\ndate = 2011-01-01\nset = { caseload_cap = 30 }\n'
     '[[timeline]]\ndate = 2011-01-01\nset = { caseload_cap = 40 }\n',
     r"entries 1 and 2 of .* both set 'caseload_cap' on 2011-01-01 \(30 and 40\)"),
])
def test_bad_files_fail_with_where_and_what(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(LeadSimError, match=message) as info:
        load_scenario(str(path))
    assert "bad.toml" in str(info.value) or "TOML" in str(info.value)


def test_only_start_only_parameters_are_refused_in_timelines():
    """Population and reference population size the run once, and the force's posting by
    area (presence_concentration) and the group shares people are drawn with
    (place_segregation) are set with the population; other parameters (staffing, a
    visualizer lever, included) may change mid-run."""
    assert {p.name for p in REGISTRY.values() if p.start_only} == {
        "population", "reference_population", "presence_concentration", "place_segregation"}
    assert not any(REGISTRY[lever].start_only for lever in LEVER_NAMES)


def test_timeline_errors_count_entries_in_the_file_that_holds_them(tmp_path):
    """pilot_2011 (which the child extends) has timeline entries of its own; they must not
    shift the number of the child's bad entry, and the message must name the child file."""
    child = tmp_path / "child.toml"
    child.write_text('name = "child"\nextends = "pilot_2011"\n'
                     '[[timeline]]\ndate = 2013-01-01\ncover = ["east"]\n'
                     '[[timeline]]\ndate = 2014-01-01\ncover = ["belltwn"]\n')
    with pytest.raises(LeadSimError, match=r"entry 2 of '.*child\.toml'"):
        load_scenario(str(child))
    parent = tmp_path / "parent.toml"
    parent.write_text('name = "parent"\nstart_date = 2010-01-01\nend_date = 2012-01-01\n'
                      '[[timeline]]\ndate = 2011-01-01\ncovr = ["east"]\n')
    child.write_text('name = "child"\nextends = "parent.toml"\n'
                     '[[timeline]]\ndate = 2011-06-01\ncover = ["east"]\n')
    with pytest.raises(LeadSimError, match=r"entry 1 of '.*parent\.toml'"):
        load_scenario(str(child))


def test_unknown_and_missing_scenarios():
    with pytest.raises(LeadSimError, match="Did you mean: king_county"):
        load_scenario("king_conty")
    with pytest.raises(LeadSimError, match="does not exist"):
        load_scenario("/no/such/file.toml")


def test_run_options_are_checked():
    with pytest.raises(LeadSimError, match="positive"):
        prepare("pilot_2011", years=0)
    with pytest.raises(LeadSimError, match="positive"):
        prepare("pilot_2011", population=-5)
    assert prepare("pilot_2011", years=2).days == 730  # 2 x 365.25 days, rounded to even
    assert prepare("pilot_2011", years=10).days == 3652


def test_a_scenario_file_without_a_name_is_named_after_the_file(tmp_path):
    path = tmp_path / "my_variant.toml"
    path.write_text('extends = "pilot_2011"\n[params]\ncaseload_cap = 30\n')
    scenario = load_scenario(path)
    assert scenario.name == "my_variant"  # not the parent's name, which would clash in compare
    assert scenario.params["caseload_cap"] == 30


def test_entries_on_a_parents_date_merge_and_the_childs_settings_win():
    scenario = load_scenario("king_county")
    on_2020 = [e for e in scenario.timeline if e.date == dt.date(2020, 1, 1)]
    assert len(on_2020) == 1  # seattle_citywide's budget for that day and king_county's, merged
    assert on_2020[0].set["budget_usd_per_year"] == 7_650_000
    assert "Council adds" in on_2020[0].note and "county funding" in on_2020[0].note
    dates = [e.date for e in scenario.timeline]
    assert dates == sorted(set(dates))


def test_first_difference_between_scenarios():
    base, pilot = load_scenario("system_as_usual"), load_scenario("pilot_2011")
    assert pilot.first_difference(base) == dt.date(2011, 10, 1)  # LEAD's launch
    assert base.first_difference(base) is None
    assert pilot.with_params({"caseload_cap": 30}).first_difference(pilot) == pilot.start_date


@pytest.mark.parametrize(("years", "end"), [
    (1, dt.date(2010, 12, 31)), (6, dt.date(2015, 12, 31)), (12, dt.date(2021, 12, 31)),
    (14, dt.date(2023, 12, 31)), (0.5, dt.date(2010, 7, 2))])
def test_whole_years_end_on_the_eve_of_the_anniversary(years, end):
    """6 x 365.25 days rounds to 2,192 and would end on 1 January 2016."""
    assert load_scenario("pilot_2011").with_horizon(years).end_date == end


def test_a_child_without_a_description_does_not_borrow_its_parents(tmp_path):
    child = tmp_path / "kid.toml"
    child.write_text('extends = "pilot_2011"\n[params]\ncaseload_cap = 30\n')
    description = load_scenario(str(child)).description
    assert description.startswith("pilot_2011, changed by kid.toml: LEAD pilot")
    child.write_text('extends = "pilot_2011"\ndescription = "Mine."\n')
    assert load_scenario(str(child)).description == "Mine."
