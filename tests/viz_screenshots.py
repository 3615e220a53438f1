"""Take the screenshots in docs/img/ for docs/visualizer.md with headless chromium.

    .venv/bin/python -m tests.viz_screenshots [--out docs/img] [--cold]

The first screen at 1366x768 (laptop) and 390x844 (phone), and the whole page at 1366 wide
after stepping to 2016. ``--cold`` instead points the compile cache at an empty folder and
captures the "Preparing the simulation" screen (then stops: the compile is not waited for).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.viz_browser import launch_browser, viz_server


def ready_page(browser, url: str, width: int, height: int):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(url)
    page.locator(".lead-chart-jail").wait_for(timeout=600_000)
    page.wait_for_function("!document.querySelector('.lead-step').disabled", timeout=600_000)
    time.sleep(1)
    return page


def screenshots(out: Path) -> None:
    with viz_server() as (url, _proc), sync_playwright() as pw:
        browser = launch_browser(pw)
        for width, height in ((1366, 768), (390, 844)):
            page = ready_page(browser, url, width, height)
            page.screenshot(path=out / f"visualizer_{width}.png")
            page.close()
        page = ready_page(browser, url, 1366, 768)
        page.get_by_role("button", name="90 days").click()
        date = page.locator(".lead-headline-date")
        while not date.text_content().endswith("2016"):
            page.get_by_role("button", name="Step 90 days").click()
            time.sleep(1.5)
        time.sleep(2)
        page.screenshot(path=out / "visualizer_2016_full.png", full_page=True)
        browser.close()


def cold_screenshot(out: Path) -> None:
    with tempfile.TemporaryDirectory() as empty:
        os.environ["NUMBA_CACHE_DIR"] = empty  # the server inherits it: nothing compiled yet
        with viz_server(timeout=300) as (url, _proc), sync_playwright() as pw:
            browser = launch_browser(pw)
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(url)
            page.locator(".lead-warmup").wait_for(timeout=300_000)
            time.sleep(6)
            page.screenshot(path=out / "visualizer_preparing.png")
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/img"))
    parser.add_argument("--cold", action="store_true")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    (cold_screenshot if args.cold else screenshots)(args.out)
    print(f"screenshots in {args.out}")


if __name__ == "__main__":
    main()
