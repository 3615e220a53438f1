#!/usr/bin/env bash
# Fill the Solara server's own cache of front-end files from the npm registry. lead_sim ships
# the files its page needs (lead_sim/data/solara_cdn); after a solara upgrade, run this, then
# scripts/vendor_viz_assets.py to copy the new versions into the package.
#
# The Solara server fetches its JavaScript bundle, require.js and fonts from a CDN at first use
# and caches them under <venv>/share/solara/cdn/<package>@<version>/. The npm registry holds
# the same packages, so we `npm pack` each one and unpack it into that folder. A package whose
# folder is already complete is skipped, so a second run takes well under a second.
#
#   bash scripts/install_viz_assets.sh [VENV]     (default VENV: .venv in the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${1:-.venv}"

# Versions the installed solara (1.64, with ipyvue<2) asks for; a missing one shows in the
# browser as a 404 on /_solara/cdn/<package>@<version>/...
PACKAGES=(
  "@widgetti/solara-vuetify-app@10.1.1"
  "requirejs@2.3.6"
  "font-awesome@4.5.0"
  "@widgetti/vue-grid-layout@2.3.13-alpha.2"
  "mermaid@10.8.0"
  "katex@0.16.9"
)

if [ ! -x "$venv/bin/python" ]; then
  echo "install_viz_assets.sh: no Python environment at $venv; run scripts/bootstrap.sh" >&2
  exit 1
fi
cache=$("$venv/bin/python" -c \
  'import solara.server.settings as s; print(s.assets.proxy_cache_dir)')

missing=()
for spec in "${PACKAGES[@]}"; do
  [ -f "$cache/$spec/package.json" ] || missing+=("$spec")
done
if [ "${#missing[@]}" = 0 ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "install_viz_assets.sh: npm is needed to fetch ${missing[*]} from the npm registry." >&2
  echo "Install Node.js and npm (Debian: apt-get install -y npm) and run this again." >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for spec in "${missing[@]}"; do
  tarball=$(cd "$work" && npm pack --silent "$spec" | tail -n 1)
  target="$cache/$spec"
  partial="$target.partial.$$"
  mkdir -p "$partial"
  tar -xzf "$work/$tarball" -C "$partial" --strip-components=1
  rm -rf "$target"
  mv "$partial" "$target"  # appears whole or not at all
  echo "viz assets: $spec"
done
