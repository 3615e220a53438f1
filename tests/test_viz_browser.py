"""The web visualizer in a real browser: `lead-sim viz` served, opened in headless chromium,
stepped, played, a lever moved and a bad seed typed. Also checks the server stops on Ctrl-C."""

from __future__ import annotations

import time

from playwright.sync_api import sync_playwright

from lead_sim.calibration import shipped
from lead_sim.params import REGISTRY
from lead_sim.viz.levers import format_value
from tests.viz_browser import launch_browser, viz_server, wait_for_text_change


def test_viz_page_steps_plays_and_takes_levers(tmp_path):
    with viz_server() as (url, proc), sync_playwright() as pw:
        browser = launch_browser(pw)
        page = browser.new_page(viewport={"width": 1600, "height": 1100})
        failed: list[str] = []
        page.on("response",
                lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.goto(url)
        step = page.get_by_role("button", name="Step")
        step.wait_for(timeout=60_000)
        page.locator(".lead-map svg").wait_for(timeout=30_000)
        page.locator(".lead-chart-jail").wait_for(timeout=30_000)
        date, cost = page.locator(".lead-headline-date"), page.locator(".lead-cost")
        assert date.text_content() == "01 January 2010"
        jail_chart = page.locator(".lead-chart-jail")
        chart_before = jail_chart.inner_html()

        step.click()  # one Step = one frame of 7 days by default
        assert wait_for_text_change(date, "01 January 2010") == "07 January 2010"  # days 1-7
        cost_after_step = cost.text_content()
        assert jail_chart.inner_html() != chart_before  # the chart drew the first week

        other = browser.new_context().new_page()  # a second visitor gets a model of their own
        other.goto(url)
        other.locator(".lead-chart-jail").wait_for(timeout=30_000)
        assert other.locator(".lead-headline-date").text_content() == "01 January 2010"
        other.close()

        page.get_by_role("button", name="▶").click()
        time.sleep(3)
        page.get_by_role("button", name="❚❚").click()
        page.get_by_role("button", name="Step").wait_for()  # shown again once paused
        assert date.text_content() != "07 January 2010"
        assert cost.text_content() != cost_after_step  # money is spent every day

        page.screenshot(path=tmp_path / "viz_playing.png", full_page=True)
        lever = page.locator(".lead-lever-diversion_propensity")
        start = shipped().params["diversion_propensity"]  # the run starts from the calibration
        shown = format_value(REGISTRY["diversion_propensity"], start)
        from_scenario = f"now {shown} (from the scenario)"
        assert lever.text_content() == from_scenario  # shown, not pinned by the slider's grid
        slider = page.locator(".v-input").filter(
            has_text="Officer diversion propensity").get_by_role("slider")
        track = page.locator(".v-input").filter(
            has_text="Officer diversion propensity").locator(".v-slider").bounding_box()
        assert track["width"] > 200  # the label sits above the track, not squeezing it
        slider.focus()
        for _ in range(5):
            slider.press("ArrowRight")
        wait_for_text_change(lever, from_scenario)
        time.sleep(1)  # let the last key press arrive
        old_date = date.text_content()
        step.click()  # a moved lever applies from the next simulated day
        wait_for_text_change(date, old_date)
        moved = round(round(start / 0.01) * 0.01 + 0.05, 2)  # five steps of 0.01 on its grid
        assert lever.text_content() == f"now {moved:g} probability (pinned by you)"

        seed = page.get_by_label("Seed (whole number)")
        seed.fill("seven")
        seed.press("Enter")
        error = page.get_by_text("The seed must be a whole number")
        error.wait_for(timeout=10_000)
        assert "'seven' is not. The run keeps seed 0." in error.text_content()
        seed.fill("7")
        seed.press("Enter")
        run = page.locator(".lead-run")
        wait_for_text_change(run, "seattle_citywide, seed 0, 5,000 people")
        assert run.text_content() == "seattle_citywide, seed 7, 5,000 people"
        assert date.text_content() == "01 January 2010"  # a new seed starts again

        page.get_by_role("button", name="Side by side").click()
        page.locator(".lead-diff").first.wait_for(timeout=20_000)
        assert page.locator(".lead-diff").all_text_contents()[0] == "Bookings averted: 0"
        step.click()
        wait_for_text_change(date, "01 January 2010")
        page.get_by_role("button", name="Reset").click()
        assert wait_for_text_change(date, "07 January 2010") == "01 January 2010"
        assert len(page.locator(".lead-diff").all_text_contents()) == 4  # still side by side

        page.screenshot(path=tmp_path / "viz.png", full_page=True)
        print(f"screenshots: {tmp_path}")
        browser.close()
        assert not failed, f"requests failed (missing offline assets?): {failed}"
    assert proc.returncode == 0, "the server did not stop cleanly on Ctrl-C"
    assert "Visualizer stopped." in proc.stdout.read()
