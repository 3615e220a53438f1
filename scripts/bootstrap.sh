#!/usr/bin/env bash
# Create .venv/ in the repo root with a Python >= 3.12 and install lead_sim into it (editable).
#   bash scripts/bootstrap.sh          the simulation and its command-line tool
#   bash scripts/bootstrap.sh --dev    plus what the tests need
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
echo "lead_sim installed in .venv ($(.venv/bin/python --version))"
