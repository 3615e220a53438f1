"""The web page's front-end files (JavaScript, style sheets, fonts), served with no internet.

A Solara page loads its bundle, require.js and fonts through the server's ``/_solara/cdn/``
proxy, which fetches them from a public CDN at first use and caches them in
``<venv>/share/solara/cdn``. A machine that reaches no CDN would serve a blank page (404s on
``/_solara/cdn/...``), so lead_sim ships the files it needs as package data
(``lead_sim/data/solara_cdn``, refreshed by ``scripts/vendor_viz_assets.py``) and points the
proxy there. They are the exact npm versions solara pins in its page template;
``tests/test_viz_assets.py`` fails when a solara upgrade asks for others.
"""

from __future__ import annotations

from pathlib import Path

from lead_sim.errors import LeadSimError

PACKAGED = Path(__file__).resolve().parents[1] / "data" / "solara_cdn"

#: What the page loads when it first renders (solara 1.64 in production mode, ipywidgets 8).
PAGE_FILES = (
    "@widgetti/solara-vuetify-app@10.1.1/dist/solara-vuetify-app8.min.js",
    "@widgetti/solara-vuetify-app@10.1.1/dist/main8.css",
    "@widgetti/solara-vuetify-app@10.1.1/dist/fonts.css",
    "requirejs@2.3.6/require.js",
    "font-awesome@4.5.0/css/font-awesome.min.css",
    "katex@0.16.9/dist/katex.min.js",
    "katex@0.16.9/dist/katex.min.css",
    "katex@0.16.9/dist/contrib/auto-render.min.js",
    "mermaid@10.8.0/dist/mermaid.min.js",
)


def missing(folder: Path) -> list[str]:
    """The files of :data:`PAGE_FILES` that ``folder`` lacks."""
    return [name for name in PAGE_FILES if not (folder / name).is_file()]


def serving_dir(cache: Path) -> Path:
    """The folder the ``/_solara/cdn/`` proxy serves from: the packaged files, else Solara's
    own cache ``cache`` if it holds them (filled by ``scripts/install_viz_assets.sh``). When
    neither does, the page would stay blank: refused with what to do."""
    lacking = missing(PACKAGED)
    if not lacking:
        return PACKAGED
    if not missing(Path(cache)):
        return Path(cache)
    raise LeadSimError(
        f"The visualizer's front-end files are missing ({', '.join(lacking[:3])}"
        f"{', ...' if len(lacking) > 3 else ''}), so its page would stay blank. They ship "
        f"with lead_sim in {PACKAGED}: reinstall it ('pip install --force-reinstall "
        "lead_sim'), or in a checkout run 'bash scripts/install_viz_assets.sh' and "
        "'.venv/bin/python scripts/vendor_viz_assets.py'.")
