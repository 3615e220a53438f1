"""How fast Play advances the web visualizer, measured in a real browser.

Starts ``lead-sim viz`` on a free port, opens it in headless chromium (Playwright), presses
Play with the default view (seattle_citywide, 5,000 people, five paired seeds side by side: ten
runs, a week per redraw, the seeds' bands drawn) and reads the date shown in the page as it
changes. Also times the server-side work of one frame (a week of simulation in all ten runs plus
drawing the map and the charts) without a browser, in wall-clock and CPU seconds. Target: at
least 10 simulated days per second in the browser.

    .venv/bin/python benchmarks/viz_play.py [--seconds 15] [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root

from playwright.sync_api import sync_playwright

from lead_sim.outcomes.explain import explain_month
from lead_sim.viz.figures import charts_svg
from lead_sim.viz.mapview import map_svg
from lead_sim.viz.measures import MEASURES
from lead_sim.viz.session import VizSession
from tests.viz_browser import launch_browser, viz_server


def browser_days_per_second(seconds: float) -> dict:
    with viz_server() as (url, _proc), sync_playwright() as pw:
        browser = launch_browser(pw)
        page = browser.new_page(viewport={"width": 1600, "height": 1100})
        page.goto(url)
        page.locator(".lead-chart-jail").wait_for(timeout=60_000)
        page.wait_for_function("!document.querySelector('.lead-step').disabled",
                               timeout=600_000)  # the compiled core is ready
        date = page.locator(".lead-headline-date")
        start_text = date.text_content()
        page.get_by_role("button", name="Play").click()
        time.sleep(2.0)  # let Play settle into its rhythm
        first, t0 = date.text_content(), time.perf_counter()
        time.sleep(seconds)
        last, t1 = date.text_content(), time.perf_counter()
        page.get_by_role("button", name="Pause").click()
        browser.close()

    def parse(text: str) -> dt.date:
        return dt.datetime.strptime(text.removeprefix("Starts "), "%d %B %Y").date()

    days = (parse(last) - parse(first)).days
    return {"start": start_text, "from": first, "to": last, "seconds": round(t1 - t0, 2),
            "browser_days_per_s": round(days / (t1 - t0), 1)}


def server_frame_seconds(frames: int = 30, days_per_frame: int = 7) -> dict:
    session = VizSession()  # the page's default: five paired seeds, side by side
    measure = next(iter(MEASURES))
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(frames):
        session.advance(days_per_frame)
        map_svg(session.policy, measure)
        charts_svg(session)
        explain_month(session.policy)
    seconds = (time.perf_counter() - start) / frames
    cpu_seconds = (time.process_time() - cpu) / frames
    return {"runs": len(session.models),
            "server_seconds_per_frame": round(seconds, 4),
            "server_cpu_seconds_per_frame": round(cpu_seconds, 4),
            "server_days_per_s": round(days_per_frame / seconds, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    result = {"load_average": round(load, 1), **server_frame_seconds(),
              **browser_days_per_second(args.seconds)}
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>26}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
