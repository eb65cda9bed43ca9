#!/usr/bin/env bash
# HTTP benchmark: N generated Arabic articles (default 10,000) imported into a fresh database,
# the release server pinned to core 0 with one worker, wrk pinned to core 1. Measures each
# endpoint (req/s, p50, p99), a 304 revalidation, nginx serving the same bytes of the latest
# list from a file (the ceiling, same run), start-up time, import time and peak RSS, and writes
# bench/RESULTS.md.
#   bench/run.sh [N]        (BENCH_SECONDS=10 per endpoint by default; BENCH_BIN=path to
#                           measure a binary built elsewhere, e.g. an earlier commit's)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/anbaa-target}"
n="${1:-10000}"
secs="${BENCH_SECONDS:-10}"
conns=32

need=()
command -v wrk > /dev/null || need+=(wrk)
command -v nginx > /dev/null || need+=(nginx-light)
if [ ${#need[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" > /dev/null
fi

# BENCH_BIN=path measures another build (an earlier commit's, to compare) instead.
if [ -z "${BENCH_BIN:-}" ]; then
    cargo build --release --locked --bin anbaa
fi
# The generator is built apart, in its own target directory: an example pulls in the
# dev-dependencies, whose features would otherwise also shape the server binary measured here;
# this way it is exactly the one `cargo build --release` gives users.
tools="$HOME/.cache/anbaa-bench-tools" # outside the CI cache, which is capped at 8 GB
CARGO_TARGET_DIR="$tools" CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo build --release --locked --example gen_corpus
bin="${BENCH_BIN:-$CARGO_TARGET_DIR/release/anbaa}"
work="$(mktemp -d)"
port=18800
nginx_port=18801
cleanup() {
    [ -n "${server:-}" ] && kill "$server" 2> /dev/null || true
    [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2> /dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

"$tools/release/examples/gen_corpus" "$n" > "$work/corpus.jsonl"
t0=$(date +%s.%N)
"$bin" import "$work/corpus.jsonl" --create-tags --db "$work/bench.db" > /dev/null 2>&1
import_s=$(python3 -c "import time,sys; print(f'{time.time()-float(sys.argv[1]):.1f}')" "$t0")

t0=$(date +%s.%N)
taskset -c 0 "$bin" serve --db "$work/bench.db" --bind "127.0.0.1:$port" --rate-limit 0 --workers 1 \
    2> "$work/server.log" &
server=$!
until curl -sf "http://127.0.0.1:$port/healthz" > /dev/null; do sleep 0.005; done
startup_ms=$(python3 -c "import time,sys; print(f'{(time.time()-float(sys.argv[1]))*1000:.0f}')" "$t0")
base="http://127.0.0.1:$port"

# Page 250 by cursor: follow links.next from page 1.
page250=$(python3 - "$base" <<'PY'
import json, sys, urllib.request
base = sys.argv[1]
path = "/api/v1/articles?limit=20"
for _ in range(249):
    page = json.load(urllib.request.urlopen(base + path))
    if not page["links"]["next"]:
        break  # fewer than 250 pages (a small N): the last one
    path = page["links"]["next"]
print(path)
PY
)
etag=$(curl -si "$base/api/v1/articles" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')

# Searches: two-word queries made distinct by excluding a word no article has (`-zqN`, a new
# N every request), so neither the response cache nor any other can answer them.
python3 - > "$work/search.lua" <<'PY'
import itertools, urllib.parse
countries = ["كازاخستان", "أوزبكستان", "قرغيزستان", "طاجيكستان", "تركمانستان", "أذربيجان",
             "أرمينيا", "جورجيا", "روسيا", "الصين", "إيران", "تركيا"]
subjects = ["النفط", "الغاز", "الكهرباء", "القمح", "الموانئ", "السياحة", "المياه", "الاستثمار",
            "التجارة", "الحدود", "الهجرة", "المناخ"]
qs = [urllib.parse.quote(f"{c} {s}") for c, s in itertools.product(countries, subjects)]
print("local qs = {" + ",".join(f'"{q}"' for q in qs) + "}")
print("local i = 0")
print("local n = 0")
print("request = function() i = i % #qs + 1; n = n + 1; "
      "return wrk.format('GET', '/api/v1/articles?q=' .. qs[i] .. '%20-zq' .. n) end")
PY

# Uncached variants: every request a URL not asked before (a tag and page size not used
# yet; an article not read yet), so each answer is built from the database.
cat > "$work/bytag.lua" <<'LUA'
local n = 0
request = function()
    n = n + 1
    local tag = n % 60
    local limit = 1 + math.floor(n / 60) % 100
    local page = 1 + math.floor(n / 6000)
    return wrk.format('GET', '/api/v1/articles?tag=t' .. tag .. '&limit=' .. limit .. '&page=' .. page)
end
LUA
cat > "$work/article.lua" <<LUA
local n = 0
request = function()
    n = n + 1
    return wrk.format('GET', '/api/v1/articles/bench-' .. ((n * 7919) % $n))
end
LUA

declare -a rows
measure() { # name url [wrk args…]
    local name="$1" url="$2"; shift 2
    local out
    out=$(taskset -c 1 wrk -t1 -c"$conns" -d"${secs}s" --latency "$@" "$url" 2>&1)
    local rps p50 p99 non2xx
    rps=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
    p50=$(awk '$1=="50%" {print $2}' <<< "$out")
    p99=$(awk '$1=="99%" {print $2}' <<< "$out")
    non2xx=$(awk '/Non-2xx/ {print $5}' <<< "$out")
    rows+=("| $name | ${rps%.*} | $p50 | $p99 | ${non2xx:-0} |")
    echo "$name: $rps req/s, p50 $p50, p99 $p99, non-2xx ${non2xx:-0}" >&2
}

measure "latest 20" "$base/api/v1/articles"
measure "by tag" "$base/api/v1/articles?tag=t7"
measure "two tags, tag_mode=all" "$base/api/v1/articles?tag=t7,t13&tag_mode=all"
measure "one article by slug" "$base/api/v1/articles/bench-$((n / 2))"
measure "by tag, every request a new URL (uncached)" "$base" -s "$work/bytag.lua"
measure "one article, every request another (uncached)" "$base" -s "$work/article.lua"
measure "tags with counts" "$base/api/v1/tags?sort=-article_count&limit=100"
measure "page 1 by cursor" "$base/api/v1/articles?limit=20"
measure "page 250 by cursor" "$base$page250"
measure "search, every query distinct (uncached)" "$base" -s "$work/search.lua"
measure "feed: site Atom" "$base/feeds/articles.atom"
measure "feed: tag JSON Feed" "$base/feeds/tags/t7.json"
measure "304 revalidation of latest 20" "$base/api/v1/articles" -H "If-None-Match: $etag"
rss_kib=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")

# The ceiling: nginx serving the same bytes of the latest list from a file, one worker, core 0.
mkdir -p "$work/www/api/v1"
curl -s "$base/api/v1/articles" > "$work/www/api/v1/articles.json"
cat > "$work/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    server {
        listen 127.0.0.1:$nginx_port;
        root $work/www;
        location / { default_type application/json; }
    }
}
NGINX
# nginx's worker drops to an unprivileged user: let it read the copy.
chmod -R a+rX "$work/www"
chmod a+x "$work"
kill "$server"; wait "$server" 2> /dev/null || true; server=""
taskset -c 0 nginx -c "$work/nginx.conf"
sleep 0.3
measure "nginx: same bytes as latest 20, from a file" "http://127.0.0.1:$nginx_port/api/v1/articles.json"

{
    echo "# Benchmark results"
    echo
    echo "$(date -u +%Y-%m-%d), $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(uname -sr)."
    echo "\`bench/run.sh $n\`: $n articles, release build, server pinned to core 0 (1 worker),"
    echo "wrk pinned to core 1 ($conns connections, ${secs} s per line). Shared machine: compare"
    echo "lines within one run, and nginx only with the same run."
    echo
    echo "- import of $n articles: ${import_s} s"
    echo "- start-up to the first answered /healthz: ${startup_ms} ms"
    echo "- peak RSS of the server over the whole run: $((rss_kib / 1024)) MiB"
    echo
    echo "| endpoint | req/s | p50 | p99 | non-2xx |"
    echo "| --- | ---: | ---: | ---: | ---: |"
    printf '%s\n' "${rows[@]}"
} > bench/RESULTS.md
cat bench/RESULTS.md
