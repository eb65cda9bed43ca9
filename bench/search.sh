#!/usr/bin/env bash
# Search benchmark: N generated Arabic articles (default 100,000) imported and indexed, then
# searched through HTTP. Prints import time and p50/p99 latency per query kind.
#   bench/search.sh [N]                      # SQLite (FTS5), a temp file
#   bench/search.sh N postgresql://…/empty   # PostgreSQL (tsvector + GIN), an empty database
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/anbaa-target}"
if [ -n "${2:-}" ]; then
    ANBAA_BENCH_DB="$2" cargo run --release --locked --features postgres --example search_bench -- "${1:-100000}"
else
    cargo run --release --locked --example search_bench -- "${1:-100000}"
fi
