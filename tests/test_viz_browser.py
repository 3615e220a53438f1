"""The web visualizer in a real browser: `lead-sim viz` served, opened in headless chromium at
desktop, tablet and phone sizes, stepped, played and paused, a lever moved, a bad seed typed,
the evidence page and the CSV download used. Also checks the server stops on Ctrl-C."""

from __future__ import annotations

import time

from playwright.sync_api import expect, sync_playwright

from lead_sim.calibration import shipped
from lead_sim.params import REGISTRY
from lead_sim.viz.levers import format_value
from tests.viz_browser import launch_browser, viz_server, wait_for_text_change

WARM_UP_MS = 600_000  # a cold compile cache takes minutes; Step is enabled once it is done


def uncovered(page, selector: str) -> bool:
    """Whether the element at ``selector``, scrolled to the middle of the window, is what sits
    at its centre (nothing drawn over it: no drawer, badge, sticky bar or legend). One script,
    so a redraw replacing the element cannot fall between finding it and testing it."""
    return page.evaluate(
        "sel => { const el = document.querySelector(sel);"
        " el.scrollIntoView({block: 'center', behavior: 'instant'});"
        " const r = el.getBoundingClientRect();"
        " const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);"
        " return !!top && !!top.closest(sel); }", selector)


def settled_box(locator, seconds: float = 10.0) -> dict:
    """The element's box once it is on the page: a Step redraws the charts, and an element
    replaced in the moment of asking has no box (None) until the new one is attached."""
    deadline = time.monotonic() + seconds
    while (box := locator.bounding_box()) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert box is not None, "the element did not come back after the redraw"
    return box


def test_viz_page_steps_plays_and_takes_levers(tmp_path):
    with viz_server() as (url, proc), sync_playwright() as pw:
        browser = launch_browser(pw)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        failed: list[str] = []
        page.on("response",
                lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.goto(url)
        step = page.locator(".lead-step")
        page.locator(".lead-chart-jail").wait_for(timeout=60_000)
        page.wait_for_function("!document.querySelector('.lead-step').disabled",
                               timeout=WARM_UP_MS)
        assert page.evaluate("document.documentElement.lang") == "en"
        assert page.get_by_role("heading", name="About this model").is_visible()
        assert page.get_by_role("heading", level=1).count() == 1
        assert page.get_by_text("This website runs on").count() == 0  # no badge on the charts
        date = page.locator(".lead-headline-date")
        assert date.text_content() == "Starts 01 January 2010"

        page.get_by_role("button", name="1 day").click()
        expect(step).to_have_text("Step 1 day")
        step.click()  # the first one-day Step shows the first day
        assert wait_for_text_change(date, "Starts 01 January 2010") == "01 January 2010"
        page.get_by_role("button", name="1 week").click()
        expect(step).to_have_text("Step 7 days")
        step.click()
        assert wait_for_text_change(date, "01 January 2010") == "08 January 2010"
        cost = page.locator(".lead-cost")
        cost_after_step = cost.text_content()

        other = browser.new_context().new_page()  # a second visitor gets a model of their own
        other.goto(url)
        other.locator(".lead-chart-jail").wait_for(timeout=60_000)
        assert other.locator(".lead-headline-date").text_content() == "Starts 01 January 2010"
        other.close()

        page.get_by_role("button", name="Play").click()
        time.sleep(3)
        page.get_by_role("button", name="Pause").click()
        page.get_by_role("button", name="Play").wait_for()  # shown again once paused
        paused_at = date.text_content()
        time.sleep(2)
        assert date.text_content() == paused_at != "08 January 2010"  # no frame after Pause
        assert cost.text_content() != cost_after_step  # money is spent every day

        page.locator(".lead-play").focus()
        page.keyboard.press("Tab")  # keyboard focus is drawn
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("none", "")

        page.locator(".lead-term", has_text="propensity").first.focus()  # glossary by keyboard
        tip = page.evaluate("getComputedStyle(document.activeElement, '::after').content")
        assert "officers divert about 15 of 100" in tip

        lever = page.locator(".lead-lever-diversion_propensity")
        start = shipped().params["diversion_propensity"]  # the run starts from the calibration
        shown = format_value(REGISTRY["diversion_propensity"], start)
        from_scenario = f"now {shown} (from the scenario)"
        assert lever.text_content() == from_scenario  # shown, not pinned by the slider's grid
        control = page.locator(".v-input").filter(has_text="Officer diversion propensity")
        assert control.locator(".v-slider").bounding_box()["width"] > 200
        slider = control.get_by_role("slider")
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
        first_run = ("LEAD across Seattle (2011-2019 expansion), seed 0 to 4, 5,000 people "
                     "simulated")
        wait_for_text_change(run, first_run)
        assert run.text_content() == first_run.replace("seed 0 to 4", "seed 7 to 11")
        assert date.text_content() == "Starts 01 January 2010"  # a new seed starts again

        diffs = page.locator(".lead-diff")  # side by side from the start
        assert diffs.first.text_content() == "Bookings averted so far (county) 0 (range 0 to 0)"
        assert diffs.count() == 5
        assert page.locator(".lead-chart-averted").count() == 1
        step.click()
        assert wait_for_text_change(date, "Starts 01 January 2010") == "07 January 2010"
        page.get_by_role("button", name="Reset").click()
        assert wait_for_text_change(date, "07 January 2010") == "Starts 01 January 2010"

        with page.expect_download() as download:
            page.get_by_role("button", name="Download the series").click()
        csv = download.value.path().read_text()
        assert csv.startswith("# lead_sim") and "# seeds: 7 8 9 10 11" in csv

        page.screenshot(path=tmp_path / "viz.png", full_page=True)
        evidence = browser.new_page()
        evidence.goto(url + "evidence#ev-O12")
        evidence.locator("#ev-O12").wait_for(timeout=30_000)
        assert "Pilot enrolment" in evidence.locator("#ev-O12").text_content()
        print(f"screenshots: {tmp_path}")
        browser.close()
        assert not failed, f"requests failed (missing offline assets?): {failed}"
    assert proc.returncode == 0, "the server did not stop cleanly on Ctrl-C"
    assert "Visualizer stopped." in proc.stdout.read()


def test_viz_page_works_on_a_phone_and_a_tablet(tmp_path):
    with viz_server() as (url, _proc), sync_playwright() as pw:
        browser = launch_browser(pw)
        for width, height in ((390, 844), (1024, 768)):
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(url)
            step = page.locator(".lead-step")
            chart = page.locator(".lead-chart-jail")
            chart.wait_for(timeout=60_000)
            page.wait_for_function("!document.querySelector('.lead-step').disabled",
                                   timeout=WARM_UP_MS)
            page.screenshot(path=tmp_path / f"first_{width}.png")
            assert page.evaluate("document.scrollingElement.scrollWidth") <= width + 1
            assert uncovered(page, ".lead-step"), f"Step covered at {width}px"
            date = page.locator(".lead-headline-date")
            step.click()
            assert wait_for_text_change(date, "Starts 01 January 2010") == "07 January 2010"
            assert uncovered(page, ".lead-chart-jail"), f"jail chart covered at {width}px"
            assert settled_box(chart)["width"] >= min(width - 60, 420)  # legible, not squeezed
            assert uncovered(page, ".lead-map svg")
            assert uncovered(page, ".lead-step")  # the run bar stays in reach after scrolling
            step.click()
            assert wait_for_text_change(date, "07 January 2010") == "14 January 2010"
            page.close()
        browser.close()
