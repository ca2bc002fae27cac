#!/usr/bin/env bash
# Build, check and package the VS Code extension: npm ci, type-check, lint, unit tests, .vsix. Called by .ci/run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

started=$SECONDS
step() {
  echo
  echo "== client-vscode: $* ($((SECONDS - started))s)"
}

step "node $(node --version), npm $(npm --version 2>/dev/null)"

step "npm ci (dependencies pinned by package-lock.json)"
npm ci --no-audit --no-fund --loglevel=error

step "type-check and compile (tsc --strict)"
rm -rf out
npx --no-install tsc -p .

step "lint (eslint, typescript-eslint type-checked rules)"
npx --no-install eslint --max-warnings 0 .

step "bundle (esbuild -> out/extension.js)"
node esbuild.mjs --minify

step "unit tests (node --test; activation test uses ${IMPORTSENSE_TEST_PYTHON:-python3} for the stand-in server)"
node --test out/unit/test/*.test.js

step "package (vsce)"
rm -f ./*.vsix
npx --no-install vsce package --no-dependencies --allow-missing-repository
vsix=$(ls ./*.vsix)
python3 - "$vsix" <<'PY'
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
missing = {"extension/package.json", "extension/out/extension.js", "extension/readme.md"} - names
if missing:
    sys.exit(f"{sys.argv[1]} lacks {sorted(missing)}")
print(f"{sys.argv[1]}: {len(names)} files, bundle and manifest present")
PY

step "done: $vsix in $((SECONDS - started))s"
