#!/usr/bin/env bash
# Import benchmark: N generated Arabic articles (default 100,000) as JSON Lines, imported by
# the release binary into an empty database (tags created on the fly), then imported again
# (every line unchanged) and exported. Prints the times.
#   bench/import.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/anbaa-target}"
n="${1:-100000}"
cargo build --release --locked --bin anbaa
# The generator is built apart, in its own target directory: an example pulls in the
# dev-dependencies, whose features would otherwise also shape the server binary measured here;
# this way it is exactly the one `cargo build --release` gives users.
tools="$HOME/.cache/anbaa-bench-tools" # outside the CI cache, which is capped at 8 GB
CARGO_TARGET_DIR="$tools" CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo build --release --locked --example gen_corpus
bin="$CARGO_TARGET_DIR/release/anbaa"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$tools/release/examples/gen_corpus" "$n" > "$work/corpus.jsonl"
echo "corpus: $n articles, $(du -m "$work/corpus.jsonl" | cut -f1) MB"
secs() { python3 -c "import sys,time; print(f'{time.time()-float(sys.argv[1]):.1f}')" "$1"; }
t=$(date +%s.%N)
"$bin" import "$work/corpus.jsonl" --create-tags --db "$work/bench.db" 2>/dev/null | head -2
echo "import into an empty database: $(secs "$t") s"
t=$(date +%s.%N)
"$bin" import "$work/corpus.jsonl" --db "$work/bench.db" 2>/dev/null | head -1
echo "import again (all unchanged): $(secs "$t") s"
t=$(date +%s.%N)
"$bin" export --db "$work/bench.db" -o "$work/export.jsonl" 2>/dev/null
echo "export: $(secs "$t") s"
echo "database: $(du -cm "$work"/bench.db* | tail -1 | cut -f1) MB"
