"""Copy the web visualizer's front-end files into the package (lead_sim/data/solara_cdn/).

`lead-sim viz` serves the JavaScript, style sheets and fonts the Solara page asks for from this
package data, so an installed copy works with no internet and no npm. The files are the npm
packages solara pins (see lead_sim/viz/assets.py), cut to what a browser loads from them in
production mode: the minified bundles, the style sheets and woff2/woff fonts, each package's
package.json (for its licence and version). Refresh them after a solara upgrade:

    bash scripts/install_viz_assets.sh        # fills .venv/share/solara/cdn with npm
    .venv/bin/python scripts/vendor_viz_assets.py
    .venv/bin/python -m pytest tests/test_viz_assets.py
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "lead_sim" / "data" / "solara_cdn"

#: Glob patterns, relative to the cache folder, of the files kept.
SELECTION = (
    "@widgetti/solara-vuetify-app@10.1.1/package.json",
    "@widgetti/solara-vuetify-app@10.1.1/dist/*.woff2",
    "@widgetti/solara-vuetify-app@10.1.1/dist/fonts.css",
    "@widgetti/solara-vuetify-app@10.1.1/dist/main8.css",
    "@widgetti/solara-vuetify-app@10.1.1/dist/solara-vuetify-app8.min.js",
    "@widgetti/solara-vuetify-app@10.1.1/dist/*_*.solara-vuetify-app8.js",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2/package.json",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2/dist/vue-grid-layout.umd.min.js",
    "font-awesome@4.5.0/package.json",
    "font-awesome@4.5.0/css/font-awesome.min.css",
    "font-awesome@4.5.0/fonts/fontawesome-webfont.woff2",
    "font-awesome@4.5.0/fonts/fontawesome-webfont.woff",
    "katex@0.16.9/package.json",
    "katex@0.16.9/dist/katex.min.css",
    "katex@0.16.9/dist/katex.min.js",
    "katex@0.16.9/dist/contrib/auto-render.min.js",
    "katex@0.16.9/dist/fonts/*.woff2",
    "mermaid@10.8.0/package.json",
    "mermaid@10.8.0/dist/mermaid.min.js",
    "requirejs@2.3.6/package.json",
    "requirejs@2.3.6/require.js",
)


def main() -> int:
    import solara.server.settings as settings

    cache = Path(sys.argv[1]) if len(sys.argv) > 1 else settings.assets.proxy_cache_dir
    files = [f for pattern in SELECTION for f in sorted(cache.glob(pattern))]
    missing = [p for p in SELECTION if not any(cache.glob(p))]
    if missing:
        print(f"vendor_viz_assets.py: {cache} lacks {', '.join(missing)}; run "
              "scripts/install_viz_assets.sh first.", file=sys.stderr)
        return 1
    shutil.rmtree(TARGET, ignore_errors=True)
    for file in files:
        target = TARGET / file.relative_to(cache)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, target)
    size = sum(f.stat().st_size for f in files)
    print(f"Copied {len(files)} files ({size / 1e6:.1f} MB) into {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
