"""A sweep store that heals: every shard carries a checksum in its name, and a shard that is
altered, zero-byte, truncated, bit-flipped or unsigned is set aside, named, and its runs are
run again, so a resumed sweep ends with the numbers of an uninterrupted one."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lead_sim.runs import checksums
from lead_sim.sensitivity import Factor, SweepSpec, run_sweep
from lead_sim.sensitivity.engine import open_store
from lead_sim.sensitivity.targets import IshigamiTarget

SPEC = SweepSpec(name="ishigami_heal", method="sobol", samples=8, seed=11, outcomes=("y",),
                 factors=tuple(Factor(n, -math.pi, math.pi) for n in ("x1", "x2", "x3")))
TARGET = IshigamiTarget()


def _sweep(out, **kw):
    return run_sweep(SPEC, out, target=TARGET, executor="serial", progress=False, **kw)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    out = tmp_path_factory.mktemp("whole")
    _sweep(out, shard_size=10_000)
    return out


def _finished(out, shard_size=8):
    """A finished sweep folder of several shards (the last analysis left out)."""
    _sweep(out, shard_size=shard_size, report=False)
    return sorted((out / "shards").glob("part-*.parquet"))


def _same_results(out, whole):
    pd.testing.assert_frame_equal(open_store(SPEC, out, TARGET).results(),
                                  open_store(SPEC, whole, TARGET).results())
    pd.testing.assert_frame_equal(pd.read_csv(out / "indices.csv"),
                                  pd.read_csv(whole / "indices.csv"))


def test_every_shard_is_named_with_the_digest_of_its_bytes(tmp_path):
    shards = _finished(tmp_path)
    assert len(shards) > 1
    assert all(checksums.matches_name(p) for p in shards)


def _altered(path):
    frame = pd.read_parquet(path)
    frame["y"] = frame["y"] + 1.0  # still valid Parquet, plausible numbers
    frame.to_parquet(path, index=False)


def _zero_bytes(path):
    path.write_bytes(b"")


def _truncated(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _unsigned(path):  # as written by a lead_sim older than the checksums
    path.rename(path.with_name(path.name.rsplit("-", 1)[0] + ".parquet"))


@pytest.mark.parametrize("damage", [_altered, _zero_bytes, _truncated, _unsigned])
def test_a_damaged_shard_is_set_aside_named_and_rerun(tmp_path, uninterrupted, damage, caplog):
    shards = _finished(tmp_path)
    victim = shards[1]
    runs = len(pd.read_parquet(victim))
    damage(victim)
    with caplog.at_level("WARNING"):
        done = _sweep(tmp_path)
    assert done.ran == runs and done.failed == 0  # exactly the damaged shard's runs, again
    assert victim.name.rsplit("-", 1)[0] in caplog.text and "run again" in caplog.text
    kept = [p for p in (tmp_path / "shards" / "set_aside").iterdir()
            if not p.name.endswith(".why.txt")]
    assert len(kept) == 1
    _same_results(tmp_path, uninterrupted)


def test_random_bit_flips_are_all_detected(tmp_path):
    """400 single-bit flips anywhere in a shard (21 of 400 changed values silently before):
    every one fails the check and is set aside."""
    shard = _finished(tmp_path, shard_size=10_000)[0]
    data = bytearray(shard.read_bytes())
    store = open_store(SPEC, tmp_path, TARGET)
    rng = np.random.default_rng(2026)
    for flip in rng.integers(0, len(data) * 8, size=400):
        damaged = bytearray(data)
        damaged[flip // 8] ^= 1 << (flip % 8)
        shard.write_bytes(bytes(damaged))
        assert len(store.verify()) == 1, f"bit {flip} was not detected"
        assert not shard.exists()
    assert len(list((tmp_path / "shards" / "set_aside").glob("*.parquet"))) == 400


def test_a_bit_flipped_shard_resumes_to_the_uninterrupted_results(tmp_path, uninterrupted):
    shard = _finished(tmp_path)[0]
    data = bytearray(shard.read_bytes())
    data[len(data) // 3] ^= 0x10
    shard.write_bytes(bytes(data))
    _sweep(tmp_path)
    _same_results(tmp_path, uninterrupted)


def test_a_shard_damaged_during_the_sweep_is_rerun_before_the_analysis(tmp_path, uninterrupted,
                                                                       monkeypatch):
    """Shards are checked again before the analysis reads them; what fails then runs again."""
    from lead_sim.sensitivity.store import SweepStore

    original = SweepStore.write_shard
    damaged: list = []

    def write_then_damage_the_first(self, records):
        original(self, records)
        if not damaged:
            damaged.extend(self.shard_files())
            damaged.append(len(pd.read_parquet(damaged[0])))
            damaged[0].write_bytes(b"")

    monkeypatch.setattr(SweepStore, "write_shard", write_then_damage_the_first)
    done = _sweep(tmp_path, shard_size=8)
    assert done.ran == done.total + damaged[1] and done.failed == 0
    _same_results(tmp_path, uninterrupted)
