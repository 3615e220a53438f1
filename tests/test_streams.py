import numpy as np
import pytest

from lead_sim.engine.streams import Streams, unit, wait


def test_a_persons_draw_does_not_depend_on_who_else_is_drawn():
    s = Streams(7)
    alone = s.uniform("contact", 12, np.array([42]))
    crowd = s.uniform("contact", 12, np.arange(1000))
    assert alone[0] == crowd[42]


def test_draws_differ_by_seed_kind_day_and_person():
    ids = np.arange(5000)
    base = Streams(1).uniform("a", 0, ids)
    for other in (Streams(2).uniform("a", 0, ids), Streams(1).uniform("b", 0, ids),
                  Streams(1).uniform("a", 1, ids)):
        assert abs(np.corrcoef(base, other)[0, 1]) < 0.05  # independent: |r| ~ 1/sqrt(5000)
    assert len(np.unique(base)) == len(base)


def test_uniforms_are_uniform():
    u = Streams(3).uniform("x", 5, np.arange(200_000))
    assert u.min() > 0 and u.max() < 1
    counts, _ = np.histogram(u, bins=10, range=(0, 1))
    # each decile holds 20,000 +- 3 sd (sd = sqrt(200000 * 0.1 * 0.9) ~ 134)
    assert np.all(np.abs(counts - 20_000) < 3 * 134)


def test_waits_match_the_daily_hazard():
    rate = 0.01
    waits = Streams(4).waits("w", 0, np.arange(100_000), rate)
    assert waits.min() >= 1
    # mean of ceil(Exp(rate)) is 1 / (1 - exp(-rate)) ~ 100.5; sd of the mean ~ 0.32
    assert abs(waits.mean() - 1 / (1 - np.exp(-rate))) < 1.5


def test_waits_and_columns_do_not_depend_on_who_else_is_drawn():
    s, crowd = Streams(9), np.arange(0, 50_000, 37)
    rates = np.geomspace(1e-6, 2.0, len(crowd))
    many_waits = s.waits("w", 3, crowd, rates)
    many_columns = s.uniform_columns("c", 3, crowd, 4)
    for i in (0, 1, 500, len(crowd) - 1):
        few = crowd[[i, i - 1]]
        assert np.array_equal(s.waits("w", 3, few, rates[[i, i - 1]]), many_waits[[i, i - 1]])
        assert np.array_equal(s.uniform_columns("c", 3, few, 4), many_columns[[i, i - 1]])
    assert s.waits("w", 3, crowd[:1], 0.0)[0] == s.waits("w", 3, crowd[:20], 0.0)[0]


def test_compiled_single_draws_match_the_array_draws():
    # compiled stages draw one person at a time with unit() and wait(); the model's Python
    # code draws arrays: a person must get the same number either way
    s, ids = Streams(11), np.array([0, 3, 999_999])
    key = s.kind_key("k")
    from lead_sim.engine.streams import day_key

    assert [unit(day_key(key, 8), i) for i in ids] == s.uniform("k", 8, ids).tolist()
    assert [wait(day_key(key, 8), i, 0.02) for i in ids] == s.waits("k", 8, ids, 0.02).tolist()


def test_waits_refuse_a_rate_list_of_the_wrong_length():
    with pytest.raises(ValueError, match="2 rates for 3 ids"):
        Streams(1).waits("w", 0, np.arange(3), np.array([0.1, 0.2]))
