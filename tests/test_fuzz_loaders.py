"""Fuzzing the TOML loaders: any document, or any bytes, give a checked object or a
LeadSimError, never another exception (issue 19). Deterministic (derandomize) for CI."""

import datetime as dt
import json
import math
import tempfile
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lead_sim.calibration import load_calibrated
from lead_sim.errors import LeadSimError
from lead_sim.fitting.config import load_config
from lead_sim.scenarios import load_scenario
from lead_sim.sensitivity.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
FUZZ = settings(max_examples=120, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])


def _base(path: Path) -> dict:
    data = tomllib.loads(path.read_text())
    if "posterior" in data:
        data["posterior"] = data["posterior"][:3]
    return data


BASES = {
    "scenario": {"extends": "pilot_2011", "name": "fuzz", "params": {"caseload_cap": 20},
                 "timeline": [{"date": dt.date(2013, 1, 1), "cover": ["downtown"],
                               "set": {"caseload_cap": 25}, "note": "n"}]},
    "calibrated": _base(ROOT / "lead_sim" / "data" / "calibrated.toml"),
    "sweep": _base(ROOT / "lead_sim" / "data" / "sweeps" / "lhs_savings.toml"),
    "config": _base(ROOT / "lead_sim" / "data" / "calibration" / "pilot.toml"),
}
LOADERS = {"scenario": load_scenario, "calibrated": load_calibrated, "sweep": load_spec,
           "config": load_config}

scalars = st.one_of(
    st.text(max_size=12), st.integers(), st.integers(min_value=-2**70, max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.dates(),
    st.datetimes(), st.times(), st.sampled_from(["pilot_2011", "downtown", "caseload_cap",
                                                  "uniform", "morris", "", "."]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12)


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")) if not math.isfinite(
            v) else repr(v)
    if isinstance(v, dt.date | dt.datetime | dt.time):
        return v.isoformat()
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)} = {toml_value(x)}"
                           for k, x in v.items()) + "}"


def toml_document(data: dict) -> str:
    return "".join(f"{json.dumps(k, ensure_ascii=False)} = {toml_value(v)}\n"
                   for k, v in data.items())


@st.composite
def mutated(draw, base: dict) -> dict:
    """The base document with keys deleted, replaced by random values or added, one level
    into its tables and lists of tables too."""
    def mutate(table: dict, depth: int) -> dict:
        out = {}
        for key, value in table.items():
            action = draw(st.sampled_from(["keep", "keep", "drop", "replace", "descend"]))
            if action == "replace":
                value = draw(values)
            elif action == "descend" and depth < 2 and isinstance(value, dict):
                value = mutate(value, depth + 1)
            elif action == "descend" and depth < 2 and isinstance(value, list) and value \
                    and all(isinstance(v, dict) for v in value):
                value = [mutate(v, depth + 1) for v in value]
            if action != "drop":
                out[key] = value
        if draw(st.booleans()):
            out[draw(st.text(max_size=8))] = draw(values)
        return out
    return mutate(base, 0)


def load(kind: str, content: bytes):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{kind}.toml"
        path.write_bytes(content)
        try:
            return LOADERS[kind](path)
        except LeadSimError:
            return None


@pytest.mark.parametrize("kind", sorted(LOADERS))
@FUZZ
@given(data=st.data())
def test_any_toml_document_is_loaded_or_refused_clearly(kind, data):
    document = data.draw(st.one_of(mutated(BASES[kind]),
                                   st.dictionaries(st.text(max_size=10), values, max_size=6)))
    load(kind, toml_document(document).encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("kind", sorted(LOADERS))
@FUZZ
@given(data=st.data())
def test_any_bytes_are_loaded_or_refused_clearly(kind, data):
    valid = toml_document(BASES[kind]).encode()
    content = data.draw(st.one_of(
        st.binary(max_size=200),
        st.tuples(st.integers(0, len(valid)), st.binary(min_size=1, max_size=8)).map(
            lambda cut: valid[:cut[0]] + cut[1] + valid[cut[0]:])))
    load(kind, content)
