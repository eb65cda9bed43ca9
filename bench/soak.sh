#!/usr/bin/env bash
# Soak test: the release server on a demo database, 10 minutes (or $1 seconds) of mixed reads
# (lists, tags, search, feeds, revalidations) and writes (creates and edits), RSS every 10 s.
#   bench/soak.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/anbaa-target}"
cargo build --release --locked --bin anbaa
bin="$CARGO_TARGET_DIR/release/anbaa"
work="$(mktemp -d)"
key=$("$bin" keys create --db "$work/soak.db" --name soak --scopes write | tail -n 1)
"$bin" serve --demo --db "$work/soak.db" --bind 127.0.0.1:18766 --rate-limit 0 --workers 2 \
    2> "$work/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do curl -sf http://127.0.0.1:18766/healthz > /dev/null && break; sleep 0.1; done
python3 bench/soak.py http://127.0.0.1:18766 "$pid" "$key" "${1:-600}"
