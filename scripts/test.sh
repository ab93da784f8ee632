#!/usr/bin/env bash
# The test command: formatting, lints, every Rust test (unit and black-box HTTP, on SQLite and,
# when ORGATA_TEST_POSTGRES_URL is set, PostgreSQL), then schemathesis against a running server
# on each backend. One build profile (dev) for everything.
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

echo "== acceptance: schemathesis"
./scripts/schemathesis.sh sqlite
if [ -n "${ORGATA_TEST_POSTGRES_URL:-}" ]; then
  ./scripts/schemathesis.sh postgres
fi
# One closing line for the whole run: Rust tests plus schemathesis suites (each counts once).
read -r passed failed < <(awk '/^test result:/ { p += $4; f += $6 } END { print p+0, f+0 }' "$log")
suites=1; [ -n "${ORGATA_TEST_POSTGRES_URL:-}" ] && suites=2
echo "summary: $((passed + suites)) passed, $failed failed"
