# Sourced by the run scripts of tests/schemathesis and tests/client: starts BINARY (in $bin)
# on a fresh demo database on a free loopback port and makes a key with every scope. Sets
# $work (a temp dir, removed on exit), $port, $base, $key and $server, and stops the server
# on exit. Fails when the server does not get ready. The key is named $key_name (default `tests`).
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
cleanup() {
    [ -n "${server:-}" ] && kill "$server" 2> /dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

"$bin" serve --demo --db "$work/demo.db" --bind "127.0.0.1:$port" --rate-limit 0 2> "$work/server.log" &
server=$!
for _ in $(seq 200); do
    curl -sf "$base/readyz" > /dev/null && break
    sleep 0.05
done
if ! curl -sf "$base/readyz" > /dev/null; then
    echo "the server did not get ready:"
    tail -n 30 "$work/server.log"
    exit 1
fi
key="$("$bin" keys --db "$work/demo.db" create --name "${key_name:-tests}" --scopes write,read:drafts,admin | tail -1)"
