"""The visualizer's server in a real browser: a foreign Host header is refused, sessions beyond
--max-sessions get a readable refusal, and closed sessions are released so the server's memory
returns near its level before they opened. Also the pure helpers (Host parsing, allowed names)."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

from lead_sim.viz.server import allowed_hosts, host_of, is_loopback
from tests.viz_browser import launch_browser, viz_server


def test_host_headers_are_parsed_and_matched_to_the_bound_address():
    assert host_of("127.0.0.1:8765") == "127.0.0.1"
    assert host_of("[::1]:8765") == "::1" and host_of("LocalHost") == "localhost"
    assert is_loopback("127.0.0.1") and is_loopback("::1") and not is_loopback("0.0.0.0")
    assert allowed_hosts("127.0.0.1") == {"127.0.0.1", "localhost", "::1"}
    assert "evil.example" not in allowed_hosts("0.0.0.0")
    assert "localhost" in allowed_hosts("0.0.0.0")
    assert "lead.lan" in allowed_hosts("10.0.0.5", ["LEAD.lan"])
    assert "localhost" not in allowed_hosts("10.0.0.5")


def _get(url: str, host: str | None = None, html: bool = True) -> tuple[int, str]:
    headers = {"Accept": "text/html"} if html else {}
    if host:
        headers["Host"] = host
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers),
                                    timeout=20) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _open(browser, url: str, play: float = 0.0):
    """A new visitor's page, loaded; with ``play``, its model played that many seconds."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("!document.querySelector('.lead-step')?.disabled", timeout=90_000)
    if play:
        page.get_by_role("button", name="Play").click()
        time.sleep(play)
        page.get_by_role("button", name="Pause").click()
        page.get_by_role("button", name="Play").wait_for(timeout=30_000)  # shown once paused
    return context


def _wait_until(condition, patience: float, what: str) -> None:
    deadline = time.monotonic() + patience
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {patience:.0f} s")
        time.sleep(1.0)


def test_a_foreign_host_is_refused_and_extra_sessions_are_told_the_page_is_full():
    """Bound to 0.0.0.0 (with the warning that says so), the server still answers only to this
    machine's names; a page beyond --max-sessions is a readable refusal; Solara's cookie
    warning is not logged on every page load."""
    with viz_server("--host", "0.0.0.0", "--max-sessions", "2", "--session-timeout", "5") as (
            url, proc), sync_playwright() as pw:
        port = url.rstrip("/").rsplit(":", 1)[1]
        status, body = _get(url, host=f"rebound.example:{port}")
        assert status == 421 and "does not answer to that host name" in body
        assert _get(url, host=f"localhost:{port}")[0] == 200
        browser = launch_browser(pw)
        first, second = _open(browser, url), _open(browser, url)
        status, body = _get(url)
        assert status == 503 and "already has 2 open session(s)" in body
        first.close()  # its session is released within --session-timeout (or at once)
        _wait_until(lambda: _get(url)[0] == 200, 60, "a closed session was not released")
        second.close()
        browser.close()
    output = proc.stdout.read()
    assert "beyond this machine" in output and "no authentication" in output
    assert "samesite" not in output.lower()


def test_closed_sessions_are_released_and_memory_does_not_pile_up():
    """Three rounds of three visitors who each play the model, with --max-sessions 3: every
    round's pages load (so the last round's sessions were released: with Solara's default
    they were kept 24 hours, and a fourth page was refused), and the server's memory after a
    round has closed stays within 25 MB of its level after the first round (the first
    sessions load the visualizer's libraries and caches for good; kept sessions would add
    their models round after round)."""
    with viz_server("--session-timeout", "5", "--max-sessions", "3") as (url, proc), \
            sync_playwright() as pw:
        browser = launch_browser(pw)
        after: list[float] = []
        peak = 0.0
        for _ in range(3):
            contexts = [_open(browser, url, play=3.0) for _ in range(3)]
            peak = max(peak, _rss_mb(proc.pid))
            assert _get(url)[0] == 503  # full while they are open
            for context in contexts:
                context.close()
            _wait_until(lambda: _get(url)[0] == 200, 60, "closed sessions were not released")
            time.sleep(8)  # the memory release runs every 5 s after a session goes
            after.append(_rss_mb(proc.pid))
        print(f"server RSS after each round closed: {[round(a) for a in after]} MB "
              f"(peak while open {peak:.0f} MB)")
        assert max(after[1:]) <= after[0] + 25
        browser.close()
