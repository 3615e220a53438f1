#!/usr/bin/env bash
# Create .venv/ in the repo root with a Python >= 3.12 and install lead_sim into it (editable).
#   bash scripts/bootstrap.sh          the simulation and its command-line tool
#   bash scripts/bootstrap.sh --dev    plus what the tests need (pytest, ruff, Playwright and,
#                                      where missing, Debian's chromium for the browser test)
# Both compile the simulation core (numba; under a minute the first time on two cores, with
# progress on stderr). The web visualizer's front-end files ship with the package
# (lead_sim/data/solara_cdn).
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
for arg in "$@"; do
  case "$arg" in
    --dev) dev=1 ;;
    *) echo "bootstrap.sh: unknown option '$arg' (allowed: --dev)" >&2; exit 2 ;;
  esac
done

find_python() {
  local candidates=(python3.13 python3.12 python3 python)
  local pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
  for dir in "$pyenv_root"/versions/3.1[2-9]*/bin; do
    [ -x "$dir/python3" ] && candidates+=("$dir/python3")
  done
  for py in "${candidates[@]}"; do
    if "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
      command -v "$py" 2>/dev/null || echo "$py"
      return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ]; then
  if ! py=$(find_python); then
    echo "bootstrap.sh: lead_sim needs Python 3.12 or newer (Mesa 3.5 requires it), and none was found." >&2
    echo "Install one (e.g. 'pyenv install 3.12') and run this script again." >&2
    exit 1
  fi
  echo "Creating .venv with $py ($("$py" --version))"
  "$py" -m venv .venv
fi

extras=""
[ "$dev" = 1 ] && extras="[dev]"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras}"

if [ "$dev" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  # The browser test drives Debian's chromium with Playwright (Playwright's own browser
  # download does not work on these machines).
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing chromium (apt-get) for the browser test"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "bootstrap.sh: /usr/bin/chromium is missing; the browser test needs it" \
         "(as root: apt-get install -y chromium)." >&2
  fi
fi
# The daily step is compiled by numba on first use and cached under ~/.cache/lead_sim (under a
# minute on two cores, once per machine and version of the code): do it now (lead_sim.runs.warmup; it shows
# its progress through the lead_sim logger, shown here, and does nothing when the cache is warm).
.venv/bin/python -c "import logging; logging.basicConfig(level=logging.INFO, format='%(message)s')
from lead_sim.runs.warmup import warm_up; warm_up()"
echo "lead_sim installed in .venv ($(.venv/bin/python --version))"
