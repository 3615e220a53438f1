import pytest

from lead_sim.commands.common import parse_assignment
from lead_sim.errors import LeadSimError
from lead_sim.params import GROUPS, PAYERS, REGISTRY, Params


def test_every_parameter_is_fully_declared():
    for p in REGISTRY.values():
        assert p.description and p.source and p.group in GROUPS, p.name
        if p.kind == "choice":
            assert p.default in p.choices, p.name
        else:
            assert p.unit, p.name
            assert p.low <= p.default <= p.high, p.name


def test_defaults_validate_against_their_own_declarations():
    assert Params.with_overrides(dict(Params())) == Params()


def test_unknown_name_suggests_close_matches():
    with pytest.raises(LeadSimError, match="Did you mean: caseload_cap"):
        Params.with_overrides({"caseload_cpa": 30})


def test_out_of_bounds_names_range_and_unit():
    with pytest.raises(LeadSimError, match=r"allowed 5 to 200 participants"):
        Params.with_overrides({"caseload_cap": 500})


def test_wrong_type_and_non_integer_are_refused():
    with pytest.raises(LeadSimError, match="must be a number"):
        Params.with_overrides({"contact_rate": "fast"})
    with pytest.raises(LeadSimError, match="whole number"):
        Params.with_overrides({"caseload_cap": 30.5})
    with pytest.raises(LeadSimError, match="must be one of"):
        Params.with_overrides({"staffing": "magic"})


def test_command_line_assignment_is_parsed_and_checked():
    assert parse_assignment("caseload_cap=30") == ("caseload_cap", 30)
    assert parse_assignment("staffing=demand") == ("staffing", "demand")
    with pytest.raises(LeadSimError, match="not a number"):
        parse_assignment("contact_rate=abc")
    with pytest.raises(LeadSimError, match="NAME=VALUE"):
        parse_assignment("contact_rate")


# The word that names each payer's cost parameters (a new payer must be added here).
PAYER_WORDS = {
    "police": "police", "jail": "jail", "prosecution": "prosecution",
    "public_defense": "defense", "courts": "court", "prison": "prison",
    "supervision": "supervision", "lead_case_management": "case_manager",
    "treatment": "treatment", "housing": "housing",
}


def test_every_payer_has_a_cost_parameter():
    assert tuple(PAYER_WORDS) == PAYERS
    cost_params = [n for n, p in REGISTRY.items() if p.group == "cost"]
    for payer, word in PAYER_WORDS.items():
        assert any(word in name for name in cost_params), payer


def test_police_arrest_hours_say_they_cover_referrals_in_lieu_of_booking():
    """The model charges police_hours_per_arrest for every arrest not diverted, including those
    referred to assessment in lieu of booking under ESB 5476, and the description must say so."""
    assert "in lieu of booking" in REGISTRY["police_hours_per_arrest"].description


def test_every_cited_evidence_row_exists_in_the_evidence_file():
    """Sources name rows of evidence/lead_evidence.md (#16, #3a, C6, O10): each must be there,
    and a source that is not an assumption must cite at least one row."""
    import re
    from pathlib import Path

    text = (Path(__file__).parents[1] / "evidence" / "lead_evidence.md").read_text("utf-8")
    rows = set(re.findall(r"^\| *([0-9]+[a-z]?|[A-Z][0-9]+[a-z]?) *\|", text, re.M))
    assert {"1", "3a", "C6", "O10", "J14", "E1"} <= rows
    for p in REGISTRY.values():
        row = r"(?<![\w#])#([0-9]+[a-z]?)\b|\b([COJE][0-9]+[a-z]?)\b"
        cited = [a or b for a, b in re.findall(row, p.source)]
        assert set(cited) <= rows, (p.name, sorted(set(cited) - rows))
        own_reason = p.source.startswith(("assumption", "scenario design", "same basis as"))
        assert cited or own_reason, p.name
