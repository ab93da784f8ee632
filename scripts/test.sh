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
cargo test --workspace

echo "== acceptance: schemathesis"
./scripts/schemathesis.sh sqlite
if [ -n "${ORGATA_TEST_POSTGRES_URL:-}" ]; then
  ./scripts/schemathesis.sh postgres
fi
echo "all suites passed"
