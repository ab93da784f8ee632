#!/usr/bin/env bash
# The test command: formatting, lints, every Rust test (unit and black-box HTTP, on SQLite and,
# when ORGATA_TEST_POSTGRES_URL is set, PostgreSQL), then schemathesis against a running server
# on each backend, and the third-party MCP and GraphQL clients (scripts/mcp-acceptance.sh,
# scripts/graphql-acceptance.sh) on each backend, and the web UI in headless Chromium
# (scripts/ui-e2e.sh) on each backend.
# One build profile (dev) for everything.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

echo "== format"
cargo fmt --all -- --check

echo "== lints"
cargo clippy --workspace --all-targets -- -D warnings

echo "== build"
cargo build --workspace --all-targets

echo "== unit and black-box tests"
if [ -z "${ORGATA_TEST_POSTGRES_URL:-}" ]; then
  echo "note: ORGATA_TEST_POSTGRES_URL is not set, so the PostgreSQL half of the suite is skipped"
fi
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
cargo test --workspace 2>&1 | tee "$log"

echo "== pm4py agrees with the analytics fixtures"
# The import tests compare against figures pm4py gives for the shared logs; this derives them
# again with pm4py (pinned, from PyPI) and fails when the committed fixtures differ.
pm4py_venv=target/pm4py-venv
if [ ! -x "$pm4py_venv/bin/python" ] || ! "$pm4py_venv/bin/python" -c "import pm4py" 2>/dev/null; then
  python3 -m venv "$pm4py_venv"
  "$pm4py_venv/bin/pip" install -q "pm4py==2.7.23.11" "numpy==2.4.6" "pandas==3.1.1"
fi
"$pm4py_venv/bin/python" scripts/pm4py_reference.py --check ../shared/data \
  crates/server/tests/fixtures/pm4py 2>&1 | grep -E "agrees|other figures"

echo "== acceptance: schemathesis"
./scripts/schemathesis.sh sqlite
if [ -n "${ORGATA_TEST_POSTGRES_URL:-}" ]; then
  ./scripts/schemathesis.sh postgres
fi
echo "== acceptance: MCP clients"
./scripts/mcp-acceptance.sh sqlite
if [ -n "${ORGATA_TEST_POSTGRES_URL:-}" ]; then
  ./scripts/mcp-acceptance.sh postgres
fi
echo "== acceptance: GraphQL client"
./scripts/graphql-acceptance.sh sqlite
if [ -n "${ORGATA_TEST_POSTGRES_URL:-}" ]; then
  ./scripts/graphql-acceptance.sh postgres
fi
echo "== web UI in Chromium (flow, axe, screenshots in target/ui-screenshots/)"
./scripts/ui-e2e.sh sqlite
if [ -n "${ORGATA_TEST_POSTGRES_URL:-}" ]; then
  ./scripts/ui-e2e.sh postgres
fi
# One closing line for the whole run: Rust tests plus the pm4py check, schemathesis, MCP,
# GraphQL and web UI acceptance suites (each counts once per backend).
read -r passed failed < <(awk '/^test result:/ { p += $4; f += $6 } END { print p+0, f+0 }' "$log")
suites=5; [ -n "${ORGATA_TEST_POSTGRES_URL:-}" ] && suites=9
echo "summary: $((passed + suites)) passed, $failed failed"
