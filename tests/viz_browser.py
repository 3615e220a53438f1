"""Start ``lead-sim viz`` and drive it with Debian's chromium (shared by the browser test and
the responsiveness benchmark)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
# No sandbox (CI runs as root), no GPU, and none of the background traffic a fresh profile
# starts (component updates, sync, metrics): the page must load with no internet.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-default-apps", "--disable-sync",
    "--disable-extensions", "--no-first-run", "--metrics-recording-only",
    "--disable-dev-shm-usage",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def lead_sim_command() -> list[str]:
    script = Path(sys.executable).with_name("lead-sim")
    return [str(script)] if script.exists() else [sys.executable, "-m", "lead_sim.cli"]


@contextlib.contextmanager
def viz_server(*extra: str, timeout: float = 90.0) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run ``lead-sim viz --port <free port>`` until the page answers; stop it with Ctrl-C
    (SIGINT to the server's own PID), killing it only if it does not stop."""
    port = free_port()
    proc = subprocess.Popen([*lead_sim_command(), "viz", "--port", str(port), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + timeout
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"lead-sim viz exited early:\n{proc.stdout.read()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"lead-sim viz did not answer on {url} in {timeout:.0f} s")
            time.sleep(0.3)
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def launch_browser(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def wait_for_text_change(locator, old: str, timeout: float = 20.0) -> str:
    """Poll ``locator`` until its text differs from ``old``; return the new text."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = locator.text_content()
        if text != old:
            return text
        time.sleep(0.1)
    raise AssertionError(f"text stayed {old!r} for {timeout:.0f} s")
