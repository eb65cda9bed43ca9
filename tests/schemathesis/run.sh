#!/usr/bin/env bash
# Schemathesis against the real server: the debug binary on a fresh demo database, a key with
# every scope, the spec the server serves at /openapi.json (what a partner's tools read), every
# default check over every operation, then the stateful phase.
#   tests/schemathesis/run.sh BINARY
# Installs schemathesis into a virtualenv under ~/.cache when it is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$(realpath "$1")"
venv="${ANBAA_ST_VENV:-$HOME/.cache/anbaa-schemathesis}"
version="4.32.5"
if ! "$venv/bin/st" --version 2> /dev/null | grep -q "$version"; then
    echo "== installing schemathesis $version into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "schemathesis==$version"
fi

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cleanup() {
    [ -n "${server:-}" ] && kill "$server" 2> /dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

"$bin" serve --demo --db "$work/st.db" --bind "127.0.0.1:$port" --rate-limit 0 2> "$work/server.log" &
server=$!
for _ in $(seq 200); do
    curl -sf "http://127.0.0.1:$port/readyz" > /dev/null && break
    sleep 0.05
done
key="$("$bin" keys --db "$work/st.db" create --name schemathesis --scopes write,read:drafts,admin | tail -1)"

cd "$here"
# No example database: a run replays nothing from earlier runs, so a fresh clone and this
# checkout test the same cases for a seed.
status=0
ANBAA_ST_BASE="http://127.0.0.1:$port" ANBAA_ST_KEY="$key" SCHEMATHESIS_HOOKS=hooks PYTHONPATH="$here" \
    "$venv/bin/st" --config-file "$here/schemathesis.toml" run "http://127.0.0.1:$port/openapi.json" \
    --url "http://127.0.0.1:$port" -H "Authorization: Bearer $key" \
    --workers 1 --seed "${ANBAA_ST_SEED:-1}" --generation-database none --no-color ${ANBAA_ST_ARGS:-} || status=$?
if grep -q "panicked" "$work/server.log"; then
    echo "the server panicked:"; grep -A5 "panicked" "$work/server.log"; status=1
fi
exit $status
