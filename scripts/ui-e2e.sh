#!/usr/bin/env bash
# Drives the web UI embedded in target/debug/orgata in headless Debian Chromium (playwright-core,
# from ui/node_modules): the whole flow a new team goes through (ui/e2e/flow.mjs), a flow by
# keyboard alone (ui/e2e/keyboard.mjs), the team's administration and library (ui/e2e/admin.mjs
# and its parts in ui/e2e/admin/), then every page
# at desktop and phone width with an axe WCAG 2.1 A/AA scan and a screenshot
# (ui/e2e/pages.mjs; screenshots under target/ui-screenshots/BACKEND/).
#   usage: scripts/ui-e2e.sh sqlite|postgres
# Needs target/debug/orgata (built by scripts/test.sh, which builds ui/ first) and /usr/bin/chromium
# (`../shared/acceptance/setup.sh apt`).
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:?sqlite or postgres}"
[ -x target/debug/orgata ] || cargo build -p orgata
[ -d ui/node_modules/playwright-core ] || (cd ui && npm ci --no-audit --no-fund)
command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null || { echo "chromium is missing: run ../shared/acceptance/setup.sh apt"; exit 1; }

# shellcheck source=lib/serve.sh
source scripts/lib/serve.sh
start_orgata "$backend"
shots="$PWD/target/ui-screenshots/$backend"
rm -rf "$shots"
(cd ui && node e2e/flow.mjs "$base" "$shots" && node e2e/keyboard.mjs "$base" "$shots" && node e2e/admin.mjs "$base" "$shots" && node e2e/pages.mjs "$base" "$shots")
