"""The visualizer's views by race/ethnicity group show what lead_sim.outcomes.equity gives for
the same runs (not browser tests: the SVG text and the numbers behind it)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from lead_sim.groups import GROUPS, LABELS
from lead_sim.neighbourhoods import AREA_KEYS, AREAS
from lead_sim.outcomes import equity
from lead_sim.viz.groupchart import CAVEAT, GROUP_OUTCOMES, group_chart, group_rates
from lead_sim.viz.mapview import map_svg
from lead_sim.viz.measures import GROUP_MEASURES, MEASURES, group_share, measure_for
from lead_sim.viz.session import VizSession


@pytest.fixture(scope="module")
def session() -> VizSession:
    session = VizSession(population=2_000, runs=2, compare=True, seed=7)
    session.advance(240)
    return session


def test_the_map_and_the_chart_offer_views_by_group():
    assert not set(GROUP_MEASURES) & set(MEASURES)
    assert {"bookings", "arrests"} <= {g.outcome for g in GROUP_MEASURES.values()}
    assert "bookings" in GROUP_OUTCOMES
    assert "where people live" in CAVEAT and "off" in CAVEAT


def test_the_map_share_by_group_is_the_equity_tallys(session):
    model = session.policy
    table = equity.by_area(model)
    bookings = table[table.outcome == "bookings"].pivot(index="area", columns="group",
                                                        values="value")
    bookings = bookings.reindex(index=list(AREA_KEYS), columns=list(GROUPS))
    total = bookings.sum(axis=1).to_numpy()
    assert total.sum() > 0  # a test of something: there were bookings
    expected = np.where(total > 0, 100 * bookings["black"].to_numpy() / np.maximum(total, 1), 0)
    share, counted = group_share(model, "bookings", "black")
    np.testing.assert_allclose(share, expected)
    np.testing.assert_array_equal(counted, total)
    title, measure = measure_for("bookings: a group's share", "black")
    assert title == "Black share of bookings (%)"
    assert measure.top(model.p["population"]) == 100.0  # a fixed scale, whatever the run


def test_the_map_by_group_draws_and_explains_each_area(session):
    svg = map_svg(session.policy, "bookings: a group's share", group="hispanic")
    titles = re.findall(r'<circle class="lead-area".*?<title>(.*?)</title>', svg)
    assert len(titles) == len(AREAS)
    assert all("Hispanic/Latino people, who lived" in t for t in titles)
    assert "Hispanic/Latino share of bookings (%)" in svg
    assert ">100<" in svg and ">100+<" not in svg  # the colour bar's fixed top: 100%


def test_the_chart_by_group_shows_equitys_rates_for_policy_and_baseline(session):
    for models in (session.policies, session.baselines):
        per_run = []
        for model in models:
            wide = equity.wide(model)
            per_run.append(wide["bookings"] / (wide["person_days"] / 365.25) * 1000)
        expected = np.nanmean(np.vstack([r.to_numpy() for r in per_run]), axis=0)
        np.testing.assert_allclose(group_rates(models, "bookings"), expected)
    svg = group_chart(session, "bookings")
    black = group_rates(session.policies, "bookings")[GROUPS.index("black")]
    assert f"{LABELS['black']}, policy: {black:.1f} bookings per 1,000" in svg
    assert "system as usual" in svg
    assert "Bookings per 1,000 person-years at risk, by group" in svg
