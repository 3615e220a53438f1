"""The server behind ``lead-sim viz``: Solara's Starlette app with the guards a local tool needs.

Solara serves every browser tab its own kernel (a session: the model, the page's state), keeps a
closed tab's kernel for a day by default, accepts any ``Host`` header and takes any number of
sessions. Wrapped here:

- the ``Host`` header must name the address the server is bound to (for 127.0.0.1: also
  ``localhost``; for 0.0.0.0: this machine's names and addresses, and ``--allow-host`` ones).
  A web page elsewhere cannot then reach a loopback server through a DNS name it controls that
  points at 127.0.0.1 (DNS rebinding); a foreign Host gets 421 Misdirected Request;
- at most ``max_sessions`` live sessions: a new page beyond them gets a short page saying so
  (503), a new kernel's websocket is closed (1013, try again later);
- a session whose tab has gone (closed, or disconnected for ``--session-timeout``) is released
  (Solara's kernel cull), and memory is handed back to the system once it is (a garbage
  collection and glibc's ``malloc_trim``), so the server's memory returns near its idle level.

Nothing of lead_sim.viz (the pages) is touched: these are server concerns.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import html
import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

logger = logging.getLogger(__name__)

Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
WILDCARDS = ("0.0.0.0", "::", "")
# Requests that load the page itself (a session), as opposed to its assets and websocket.
NOT_PAGES = ("/_solara", "/static", "/jupyter", "/readyz", "/resourcez")
RELEASE_CHECK_SECONDS = 5.0


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def allowed_hosts(bound: str, extra: Iterable[str] = ()) -> set[str]:
    """The Host names a server bound to ``bound`` answers to."""
    names = {bound.strip("[]").lower(), *(e.lower() for e in extra)}
    if is_loopback(bound) or bound in WILDCARDS:
        names.update(LOOPBACK_NAMES)
    if bound in WILDCARDS:
        names.update(_machine_names())
    return names - {""}


def _machine_names() -> set[str]:
    """This machine's host names and the addresses they resolve to (for a 0.0.0.0 server)."""
    names = {socket.gethostname().lower(), socket.getfqdn().lower()}
    for name in list(names):
        with contextlib.suppress(OSError):
            names.update(info[4][0] for info in socket.getaddrinfo(name, None))
    return names


def host_of(header: str) -> str:
    """The host part of a Host header (``[::1]:8765`` -> ``::1``, ``a:80`` -> ``a``)."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def live_sessions() -> int:
    """Kernels (one per open page) that Solara still holds."""
    from solara.server import kernel_context

    return sum(1 for c in list(kernel_context.contexts.values()) if not c.closed_event.is_set())


class GuardedApp:
    """An ASGI app that checks the Host header and the session cap, then hands over to Solara."""

    def __init__(self, app: ASGIApp, hosts: set[str] | None, max_sessions: int) -> None:
        self.app = app
        self.hosts = hosts
        self.max_sessions = max_sessions

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        if self.hosts is not None and host_of(headers.get("host", "")) not in self.hosts:
            logger.warning("Refused a request for Host %r (this server answers to %s).",
                           headers.get("host", ""), ", ".join(sorted(self.hosts)))
            return await self._refuse(kind, send, 421, "Misdirected request",
                                      "This server does not answer to that host name.")
        if self._new_session(scope, headers) and live_sessions() >= self.max_sessions:
            logger.warning("Refused a new session: %d open, the most allowed (--max-sessions).",
                           self.max_sessions)
            return await self._refuse(
                kind, send, 503, "The LEAD visualizer is full",
                f"It already has {self.max_sessions} open session(s), the most it allows "
                "(lead-sim viz --max-sessions). Close a tab that shows it, or try again in a "
                "few minutes: a closed tab's session is released within minutes.")
        return await self.app(scope, receive, send)

    @staticmethod
    def _new_session(scope: Scope, headers: dict[str, str]) -> bool:
        path = scope.get("path", "")
        if scope["type"] == "websocket":
            if not path.startswith("/jupyter/api/kernels/"):
                return False
            from solara.server import kernel_context

            kernel_id = path.split("/")[4] if len(path.split("/")) > 4 else ""
            return kernel_id not in kernel_context.contexts  # a reconnect is not new
        return (scope.get("method") == "GET" and not path.startswith(NOT_PAGES)
                and "text/html" in headers.get("accept", ""))

    @staticmethod
    async def _refuse(kind: str, send: Any, status: int, title: str, text: str) -> None:
        if kind == "websocket":
            await send({"type": "websocket.close", "code": 1013 if status == 503 else 1008})
            return
        body = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
                f"</title></head><body style='font-family: sans-serif; max-width: 40em; "
                f"margin: 3em auto'><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>"
                "</body></html>").encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"text/html; charset=utf-8"),
                                (b"content-length", str(len(body)).encode()),
                                (b"retry-after", b"60")]})
        await send({"type": "http.response.body", "body": body})


def start_memory_release(interval: float = RELEASE_CHECK_SECONDS) -> threading.Thread:
    """Watch the sessions; when one has been released, collect garbage and hand freed memory
    back to the system, so a server whose tabs have closed shrinks back near its idle size."""
    def watch() -> None:
        before = live_sessions()
        while True:
            time.sleep(interval)
            now = live_sessions()
            if now < before:
                gc.collect()
                _malloc_trim()
            before = now

    thread = threading.Thread(target=watch, daemon=True, name="viz-memory-release")
    thread.start()
    return thread


def _malloc_trim() -> None:
    """glibc keeps freed memory for reuse; ``malloc_trim(0)`` returns what it can."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
