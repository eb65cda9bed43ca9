#!/usr/bin/env bash
# Interleaved A/B of two builds (an earlier commit's and this one's): N generated articles
# (default 10,000) imported by A, a copy of the database for each, both servers pinned to
# core 0 with one worker, wrk on core 1 taking turns A B A B for 2 s per endpoint and round,
# so that drift on a shared machine falls on both sides alike. Prints each endpoint's median
# req/s and the median of the per-round ratios B/A.
#   bench/compare.sh OLD_BIN NEW_BIN [N] [ROUNDS]
# (B is migrated on start, so OLD must be the older build.)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
A=$(realpath "$1"); B=$(realpath "$2"); n=${3:-10000}; rounds=${4:-5}
tools="$HOME/.cache/anbaa-bench-tools"
(cd "$root" && CARGO_TARGET_DIR="$tools" CARGO_PROFILE_RELEASE_LTO=false \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 cargo build --release --locked --example gen_corpus)
work="$(mktemp -d)"
cd "$work"
"$tools/release/examples/gen_corpus" "$n" > corpus.jsonl
"$A" import corpus.jsonl --create-tags --db a.db > /dev/null 2>&1
cp a.db b.db
taskset -c 0 $A serve --db a.db --bind 127.0.0.1:18900 --rate-limit 0 --workers 1 2>/dev/null & pa=$!
taskset -c 0 $B serve --db b.db --bind 127.0.0.1:18901 --rate-limit 0 --workers 1 2>/dev/null & pb=$!
trap 'kill $pa $pb 2>/dev/null; rm -rf "$work"' EXIT
for p in 18900 18901; do until curl -sf http://127.0.0.1:$p/healthz >/dev/null; do sleep 0.05; done; done
paths=("/api/v1/articles?limit=20" "/feeds/articles.atom" "/feeds/tags/t7.json" "/api/v1/articles?tag=t7" "/api/v1/articles/1" "/api/v1/tags")
for r in $(seq $rounds); do
  for path in "${paths[@]}"; do
    for side in A B; do
      port=18900; [ $side = B ] && port=18901
      rps=$(taskset -c 1 wrk -t1 -c32 -d2s "http://127.0.0.1:$port$path" | awk '/Requests\/sec/ {print $2}')
      echo "$r $side $path $rps"
    done
  done
done > ab.txt
python3 - ab.txt <<'PY'
import collections, statistics, sys
d = collections.defaultdict(lambda: collections.defaultdict(list))
for line in open(sys.argv[1]):
    r, side, path, rps = line.split()
    d[path][side].append(float(rps))
print(f"{'endpoint':32} {'A req/s':>9} {'B req/s':>9}  B/A median (min-max)")
for path, s in d.items():
    ratios = [b / a for a, b in zip(s["A"], s["B"])]
    print(f"{path:32} {statistics.median(s['A']):9.0f} {statistics.median(s['B']):9.0f}  "
          f"{statistics.median(ratios):.3f} ({min(ratios):.2f}-{max(ratios):.2f})")
PY
