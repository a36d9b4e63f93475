#!/usr/bin/env bash
# Installs the browser test's npm dependencies (tests/browser/package-lock.json: playwright-core,
# no browser download) into BUILD_DIR/browser, so the source tree stays clean. Quick when the
# installed copy already matches the lock file. The browser itself is Debian's chromium
# (scripts/install-deps.sh).
#   usage: scripts/install-browser-deps.sh [BUILD_DIR]    (default build)
set -euo pipefail
cd "$(dirname "$0")/.."

target="${1:-build}/browser"
if cmp -s tests/browser/package-lock.json "$target/package-lock.json" &&
   [ -f "$target/node_modules/playwright-core/package.json" ]; then
  echo "install-browser-deps: $target is up to date"
  exit 0
fi
mkdir -p "$target"
cp tests/browser/package.json tests/browser/package-lock.json "$target/"
# Never fetch a browser: the test drives /usr/bin/chromium.
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$target" --no-audit --no-fund --loglevel=error
echo "install-browser-deps: installed $(node -p "require('./$target/node_modules/playwright-core/package.json').version" 2>/dev/null || echo '?') into $target"
