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

need=()
command -v wrk > /dev/null || need+=(wrk)
command -v nginx > /dev/null || need+=(nginx-light)
if [ ${#need[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" > /dev/null
fi

# Datasette, the yardstick for the uncached lines, from PyPI into a venv of its own.
datasette_venv="$HOME/.cache/anbaa-bench-tools/datasette"
if [ ! -x "$datasette_venv/bin/datasette" ]; then
    python3 -m venv "$datasette_venv"
    "$datasette_venv/bin/pip" install -q "datasette==0.65.5"
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
datasette_port=18802
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

key=$("$bin" keys create --db "$work/bench.db" --name bench --scopes write | tail -n 1)
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
declare -A rps_of p99_of
measure() { # name url [wrk args…]
    local name="$1" url="$2"; shift 2
    local out
    out=$(taskset -c 1 wrk -t1 -c"${conns:-32}" -d"${secs}s" --latency "$@" "$url" 2>&1)
    local rps p50 p99 non2xx
    rps=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
    p50=$(awk '$1=="50%" {print $2}' <<< "$out")
    p99=$(awk '$1=="99%" {print $2}' <<< "$out")
    non2xx=$(awk '/Non-2xx/ {print $5}' <<< "$out")
    rows+=("| $name | ${rps%.*} | $p50 | $p99 | ${non2xx:-0} |")
    rps_of["$name"]="$rps"
    p99_of["$name"]="$p99"
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
# Another excluded word, so none of these was asked in the line above.
sed 's/%20-zq/%20-zr/' "$work/search.lua" > "$work/search1.lua"
conns=1 measure "search, every query distinct, one client" "$base" -s "$work/search1.lua"
measure "feed: site Atom" "$base/feeds/articles.atom"
measure "feed: tag JSON Feed" "$base/feeds/tags/t7.json"
measure "304 revalidation of latest 20" "$base/api/v1/articles" -H "If-None-Match: $etag"
# Quiet tags under writes: five new stories a second under tag t1 (on core 1 beside wrk)
# while t7's page and feed are read; their validators and cached answers must stay put.
write_under_t1() { # label: a word that keeps this writer's titles apart from the other's
    python3 - "$base" "$key" "$secs" "$1" <<'PY'
import json, sys, time, urllib.request
base, key, secs, label = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
end, i = time.time() + secs + 1, 0
while time.time() < end:
    i += 1
    body = {"title": f"خبر {label} رقم {i} عن النفط", "body": "نص قصير عن النفط والغاز.",
            "tags": ["t1"], "status": "published"}
    req = urllib.request.Request(base + "/api/v1/articles", data=json.dumps(body).encode(),
                                 method="POST", headers={"Content-Type": "application/json",
                                                         "Authorization": f"Bearer {key}"})
    urllib.request.urlopen(req).read()
    time.sleep(0.2)
PY
}
write_under_t1 عاجل &
writer=$!
measure "by tag (t7) while t1 gets 5 new stories a second" "$base/api/v1/articles?tag=t7"
wait "$writer"
write_under_t1 آخر &
writer=$!
measure "feed: t7 JSON Feed while t1 gets 5 new stories a second" "$base/feeds/tags/t7.json"
wait "$writer"
rss_kib=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
# nginx's copy of the latest list, taken before the server stops.
mkdir -p "$work/www/api/v1"
curl -s "$base/api/v1/articles" > "$work/www/api/v1/articles.json"

# The yardstick for the uncached lines: Datasette serving the same articles, tags and links
# (bench/datasette_db.py), pinned like the server, asked the same kinds of question through
# its JSON SQL API: a tag's page (a tag and page size not asked yet), one article by slug
# (another each time), a two-word search ranked by bm25 (distinct each time, like ours).
kill "$server"; wait "$server" 2> /dev/null || true; server=""
python3 bench/datasette_db.py "$work/bench.db" "$work/ds.db"
taskset -c 0 "$datasette_venv/bin/datasette" serve "$work/ds.db" -h 127.0.0.1 -p "$datasette_port" \
    --setting sql_time_limit_ms 10000 > "$work/datasette.log" 2>&1 &
server=$!
until curl -sf "http://127.0.0.1:$datasette_port/-/versions.json" > /dev/null; do sleep 0.05; done
python3 - "$work" "$n" <<'PY'
import itertools, sys, urllib.parse
work, n = sys.argv[1], int(sys.argv[2])
def lua(name, sql, params):
    """A wrk script asking `sql` with `params` (Lua expressions), `n` the request count."""
    head = "/ds.json?_shape=array&sql=" + urllib.parse.quote(sql)
    parts = " .. ".join(f"'&{k}=' .. {v}" for k, v in params.items())
    with open(f"{work}/{name}", "w") as f:
        f.write(PRELUDE)
        f.write(f"request = function() n = n + 1; return wrk.format('GET', '{head}' .. {parts}) end\n")
countries = ["كازاخستان", "أوزبكستان", "قرغيزستان", "طاجيكستان", "تركمانستان", "أذربيجان",
             "أرمينيا", "جورجيا", "روسيا", "الصين", "إيران", "تركيا"]
subjects = ["النفط", "الغاز", "الكهرباء", "القمح", "الموانئ", "السياحة", "المياه", "الاستثمار",
            "التجارة", "الحدود", "الهجرة", "المناخ"]
qs = [urllib.parse.quote(f"{c} {s}") for c, s in itertools.product(countries, subjects)]
PRELUDE = "local n = 0\nlocal qs = {" + ",".join(f'"{q}"' for q in qs) + "}\n"
lua("ds_bytag.lua",
    "select a.id, a.slug, a.title, a.summary, a.author, a.image_url, a.published_at, a.updated_at "
    "from article_tags l join articles a on a.id = l.article_id "
    "where l.tag_id = (select id from tags where slug = :tag) and a.status = 'published' "
    "order by a.published_at desc limit :limit offset :offset",
    {"tag": "'t' .. (n % 60)", "limit": "(1 + math.floor(n / 60) % 100)",
     "offset": "(math.floor(n / 6000) * (1 + math.floor(n / 60) % 100))"})
lua("ds_article.lua", "select * from articles where slug = :slug",
    {"slug": f"'bench-' .. ((n * 7919) % {n})"})
lua("ds_search.lua",
    "select a.id, a.slug, a.title, a.summary, a.published_at, "
    "snippet(articles_fts, -1, '<mark>', '</mark>', '…', 12) as snippet "
    "from articles_fts join articles a on a.id = articles_fts.rowid "
    "where articles_fts match :q and a.status = 'published' order by rank limit 20",
    {"q": "qs[n % #qs + 1] .. '%20NOT%20zq' .. n"})
PY
dbase="http://127.0.0.1:$datasette_port"
measure "datasette: by tag, every request a new URL" "$dbase" -s "$work/ds_bytag.lua"
measure "datasette: one article, every request another" "$dbase" -s "$work/ds_article.lua"
measure "datasette: search, every query distinct" "$dbase" -s "$work/ds_search.lua"
conns=1 measure "datasette: search, every query distinct, one client" "$dbase" -s "$work/ds_search.lua"

# The ceiling: nginx serving the same bytes of the latest list from a file, one worker, core 0.
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
    echo "wrk pinned to core 1 (32 connections, or one where the line says so; ${secs} s per line)."
    echo "Datasette 0.65.5 serves the same rows (bench/datasette_db.py) pinned the same way. Shared"
    echo "machine: compare lines within one run, and nginx and Datasette only with the same run."
    echo
    echo "- import of $n articles: ${import_s} s"
    echo "- start-up to the first answered /healthz: ${startup_ms} ms"
    echo "- peak RSS of the server over the whole run: $((rss_kib / 1024)) MiB"
    echo
    echo "| endpoint | req/s | p50 | p99 | non-2xx |"
    echo "| --- | ---: | ---: | ---: | ---: |"
    printf '%s\n' "${rows[@]}"
    echo
    echo "| ratio (same run) | value | goal |"
    echo "| --- | ---: | ---: |"
    ratio() { # label a b goal
        python3 -c "import sys; print(f'| {sys.argv[1]} | {float(sys.argv[2]) / float(sys.argv[3]):.2f}× | {sys.argv[4]} |')" "$@"
    }
    ratio "cold by tag / Datasette" "${rps_of["by tag, every request a new URL (uncached)"]}" "${rps_of["datasette: by tag, every request a new URL"]}" "≥ 10×"
    ratio "cold article / Datasette" "${rps_of["one article, every request another (uncached)"]}" "${rps_of["datasette: one article, every request another"]}" "≥ 10×"
    ratio "distinct two-word searches / Datasette" "${rps_of["search, every query distinct (uncached)"]}" "${rps_of["datasette: search, every query distinct"]}" "≥ 3×"
    ratio "same, one client / Datasette" "${rps_of["search, every query distinct, one client"]}" "${rps_of["datasette: search, every query distinct, one client"]}" "≥ 3×"
    ratio "hot latest / nginx, same bytes" "${rps_of["latest 20"]}" "${rps_of["nginx: same bytes as latest 20, from a file"]}" "≥ 0.5×"
    ratio "quiet tag under writes / quiet tag" "${rps_of["by tag (t7) while t1 gets 5 new stories a second"]}" "${rps_of["by tag"]}" "≈ 1×"
    echo
    echo "Search p99 with one client: ${p99_of["search, every query distinct, one client"]} (goal < 20 ms at 100,000)."
} > bench/RESULTS.md
cat bench/RESULTS.md
