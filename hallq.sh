#!/usr/bin/env bash
# hallq.sh — run hallq from a fresh checkout.
# On first use it makes .venv (Python 3.11+) with hallq and its test tools; then it runs
#   ./hallq.sh test [pytest args]   the test suite
#   ./hallq.sh <command> [args]     any hallq command (demo, hub, config check, state, slip …)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv="$here/.venv"
py=${PYTHON:-python3}

if ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "hallq needs Python 3.11 or newer (Debian 12, Ubuntu 24.04); found: $("$py" --version 2>&1)" >&2
  exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
  if ! "$py" -m venv "$venv" >/dev/null 2>&1; then
    rm -rf "$venv"
    echo "cannot create a virtualenv: install it with  sudo apt-get install python3-venv" >&2
    exit 1
  fi
fi
stamp="$venv/.installed-$(cksum < "$here/pyproject.toml" | cut -d' ' -f1)"
if [ ! -f "$stamp" ]; then
  echo "hallq.sh: installing hallq and its dependencies into .venv (first run only) …" >&2
  "$venv/bin/python" -m pip install -q --upgrade pip >/dev/null
  "$venv/bin/python" -m pip install -q -e "$here[dev]"
  rm -f "$venv"/.installed-*
  touch "$stamp"
fi
if command -v fc-list >/dev/null && [ -z "$(fc-list :lang=zh 2>/dev/null | head -n1)" ]; then
  echo "note: no Chinese font found; screens and slip previews need one: sudo apt-get install fonts-wqy-microhei" >&2
fi

if [ "${1:-}" = "test" ]; then
  shift
  cd "$here"
  export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
  exec "$venv/bin/python" -m pytest "$@"
fi
exec "$venv/bin/hallq" "$@"
