"""``lead-sim viz``: serve the web visualizer (a Mesa SolaraViz page) on this machine.

Solara and Mesa's visualization package are imported only here, when the verb runs, so the
simulation commands and worker processes do not pay for them.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import socket
import warnings

from lead_sim.commands.common import positive_float, positive_int
from lead_sim.errors import LeadSimError
from lead_sim.scenarios import load_scenario

logger = logging.getLogger(__name__)

DEFAULT_MAX_SESSIONS = 8
DEFAULT_SESSION_TIMEOUT = 120.0


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "viz", help="explore a scenario in the browser",
        description="Serve the web visualizer: a map of the neighbourhoods, charts, policy "
                    "levers and a side-by-side comparison with system as usual. Open the "
                    "address it prints; stop it with Ctrl-C.")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1, this machine only; "
                             "0.0.0.0 exposes the page to the network)")
    parser.add_argument("--scenario", default=None,
                        help="scenario shown first (default seattle_citywide)")
    parser.add_argument("--max-sessions", type=positive_int, default=DEFAULT_MAX_SESSIONS,
                        help="open pages (sessions) served at once; a page beyond them is told "
                             f"the visualizer is full (default {DEFAULT_MAX_SESSIONS}; each "
                             "holds its own model, tens of MB)")
    parser.add_argument("--session-timeout", type=positive_float,
                        default=DEFAULT_SESSION_TIMEOUT, metavar="SECONDS",
                        help="release a session this long after its page lost its connection "
                             f"(default {DEFAULT_SESSION_TIMEOUT:g}); a closed tab is released "
                             "at once")
    parser.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                        help="also answer requests for this host name (repeatable); by "
                             "default only the --host address (and localhost, for a loopback "
                             "or 0.0.0.0 server, plus this machine's names for 0.0.0.0)")
    parser.set_defaults(handler=handle)


def _check_port(host: str, port: int) -> None:
    if not 0 < port < 65536:
        raise LeadSimError(f"--port must be between 1 and 65535; got {port}.")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise LeadSimError(f"Cannot listen on {host}:{port} ({exc.strerror}); choose "
                               "another --port.") from None


def handle(args: argparse.Namespace) -> int:
    from lead_sim.viz.app import PAGE_TITLE, SCENARIO_ENV

    if args.scenario is not None:
        load_scenario(args.scenario)  # fails with the list of scenarios
        os.environ[SCENARIO_ENV] = args.scenario
    _check_port(args.host, args.port)
    from lead_sim.viz import server as guard

    if not guard.is_loopback(args.host):
        logger.warning(
            "The visualizer listens on %s, beyond this machine: anyone who can reach it can "
            "use it (there is no authentication) and run simulations on it. Use --host "
            "127.0.0.1 unless that is what you want.", args.host)
    os.environ.update({
        "SOLARA_APP": "lead_sim.viz.app",
        "SERVER_NAME": args.host,
        "SERVER_PORT": str(args.port),
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",  # the page must work with no internet
        "SOLARA_CHECK_VERSION": "False",
        # the <title> of the HTML served before the app renders (Solara's default is
        # "Solara ☀️"); solara.Title in the page sets the same text once it runs
        "SOLARA_THEME_TITLE": PAGE_TITLE,
        # a page that lost its connection keeps its session this long (Solara's default: 24 h)
        "SOLARA_KERNEL_CULL_TIMEOUT": f"{args.session_timeout:g}s",
    })
    # Solara warns on every page load from a host other than 'localhost' that its session
    # cookie falls back to SameSite=Lax over http: true, harmless for a page not embedded in
    # another site, and 13 lines each time
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    import uvicorn
    from solara.server import settings
    from solara.server.starlette import app

    from lead_sim.viz.assets import serving_dir

    # the page's JavaScript and fonts from the package, not a CDN (lead_sim/viz/assets.py)
    settings.assets.proxy_cache_dir = serving_dir(settings.assets.proxy_cache_dir)
    settings.main.mode = "production"
    settings.telemetry.mixpanel_enable = False
    settings.theme.title = PAGE_TITLE
    settings.kernel.cull_timeout = f"{args.session_timeout:g}s"
    hosts = guard.allowed_hosts(args.host, args.allow_host)
    guard.start_memory_release()
    config = uvicorn.Config(guard.GuardedApp(app, hosts, args.max_sessions), host=args.host,
                            port=args.port, log_level="warning")
    print(f"LEAD visualizer at http://{args.host}:{args.port}/  (Ctrl-C to stop)", flush=True)
    # uvicorn shuts down gracefully on Ctrl-C, then re-raises it: that is the normal way out
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run()
    print("Visualizer stopped.", flush=True)
    return 0
