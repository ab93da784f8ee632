#!/usr/bin/env bash
# Copies the GraphiQL explorer's files from npm (versions pinned by crates/graphql/explorer's
# package-lock.json) into crates/graphql/explorer/dist/, gzipped; the orgata binary embeds
# them, so the explorer works offline. Run it again after changing the versions.
set -euo pipefail
cd "$(dirname "$0")/../crates/graphql/explorer"
npm ci --no-audit --no-fund --ignore-scripts
rm -rf dist && mkdir dist
for f in graphiql/graphiql.min.js graphiql/graphiql.min.css react/umd/react.production.min.js \
         react-dom/umd/react-dom.production.min.js; do
  gzip -9 -n -c "node_modules/$f" > "dist/$(basename "$f").gz"
done
for p in graphiql react react-dom; do
  cp "node_modules/$p/LICENSE" "dist/LICENSE.$p"
done
ls -l dist
