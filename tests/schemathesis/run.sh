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

key_name=schemathesis
# shellcheck source=../demo-server.sh
source "$here/../demo-server.sh"

cd "$here"
# No example database: a run replays nothing from earlier runs, so a fresh clone and this
# checkout test the same cases for a seed.
status=0
ANBAA_ST_BASE="$base" ANBAA_ST_KEY="$key" SCHEMATHESIS_HOOKS=hooks PYTHONPATH="$here" \
    "$venv/bin/st" --config-file "$here/schemathesis.toml" run "$base/openapi.json" \
    --url "$base" -H "Authorization: Bearer $key" \
    --workers 1 --seed "${ANBAA_ST_SEED:-1}" --generation-database none --no-color ${ANBAA_ST_ARGS:-} || status=$?
if grep -q "panicked" "$work/server.log"; then
    echo "the server panicked:"; grep -A5 "panicked" "$work/server.log"; status=1
fi
exit $status
