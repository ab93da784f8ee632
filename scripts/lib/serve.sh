# Sourced by the acceptance scripts: starts target/debug/orgata on a fresh database of one
# backend and stops it (dropping the database) when the script exits.
#   start_orgata sqlite|postgres [NAME=VALUE…]   (extra settings for the server)
#   start_second_node [NAME=VALUE…]              (another process on the same database)
# Sets: work (a temp dir), url (the database URL), base (http://127.0.0.1:PORT), pid.
start_orgata() {
  local backend="$1"; shift
  work="$(mktemp -d)"
  schema=""
  case "$backend" in
    sqlite) url="sqlite://$work/orgata.db?mode=rwc" ;;
    postgres)
      local base_url="${ORGATA_TEST_POSTGRES_URL:?set ORGATA_TEST_POSTGRES_URL}" sep='?'
      schema="acc_$(date +%s)_$$"
      psql -q "$base_url" -c "CREATE SCHEMA $schema"
      [[ "$base_url" == *\?* ]] && sep='&'
      url="${base_url}${sep}options=-c%20search_path%3D${schema}" ;;
    *) echo "unknown backend $backend"; exit 2 ;;
  esac
  trap stop_orgata EXIT
  serve_node "$work/server.log" "$@"
  pid=$node_pid base=$node_base
}

# Starts a second `orgata serve` process on the same database and master key (another node).
# Sets: base2, pid2.
start_second_node() {
  serve_node "$work/server2.log" "$@"
  pid2=$node_pid base2=$node_base
}

# Starts `orgata serve` on a free port over $url, logging to $1, and waits until it is ready.
# Sets: node_pid, node_base.
serve_node() {
  local log="$1" port; shift
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  env ORGATA_DATABASE_URL="$url" ORGATA_LISTEN="127.0.0.1:$port" ORGATA_MASTER_KEY_FILE="$work/master.key" \
    ORGATA_LOG=warn "$@" target/debug/orgata serve >"$log" 2>&1 &
  node_pid=$!
  node_base="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do curl -fs "$node_base/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
  curl -fs "$node_base/readyz" >/dev/null || { cat "$log"; exit 1; }
}

stop_orgata() {
  [ -n "${pid2:-}" ] && kill "$pid2" 2>/dev/null && wait "$pid2" 2>/dev/null || true
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  [ -n "${schema:-}" ] && psql -q "$ORGATA_TEST_POSTGRES_URL" -c "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1 || true
  rm -rf "${work:?}"
}
