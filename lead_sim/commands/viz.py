"""``lead-sim viz``: serve the web visualizer (a Mesa SolaraViz page) on this machine.

Solara and Mesa's visualization package are imported only here, when the verb runs, so the
simulation commands and worker processes do not pay for them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket

from lead_sim.errors import LeadSimError
from lead_sim.scenarios import load_scenario


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
    os.environ.update({
        "SOLARA_APP": "lead_sim.viz.app",
        "SERVER_NAME": args.host,
        "SERVER_PORT": str(args.port),
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",  # the page must work with no internet
        "SOLARA_CHECK_VERSION": "False",
        # the <title> of the HTML served before the app renders (Solara's default is
        # "Solara ☀️"); solara.Title in the page sets the same text once it runs
        "SOLARA_THEME_TITLE": PAGE_TITLE,
    })
    import uvicorn
    from solara.server import settings

    from lead_sim.viz.assets import serving_dir

    # the page's JavaScript and fonts from the package, not a CDN (lead_sim/viz/assets.py)
    settings.assets.proxy_cache_dir = serving_dir(settings.assets.proxy_cache_dir)
    settings.main.mode = "production"
    settings.telemetry.mixpanel_enable = False
    settings.theme.title = PAGE_TITLE
    config = uvicorn.Config("solara.server.starlette:app", host=args.host, port=args.port,
                            log_level="warning")
    print(f"LEAD visualizer at http://{args.host}:{args.port}/  (Ctrl-C to stop)", flush=True)
    # uvicorn shuts down gracefully on Ctrl-C, then re-raises it: that is the normal way out
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run()
    print("Visualizer stopped.", flush=True)
    return 0
