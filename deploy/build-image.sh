#!/usr/bin/env bash
# Builds the Dockerfile into an image with Debian's buildah (no Docker engine, no registry),
# then runs the image once to check it: the demo served, /healthz through the image's own
# health check, the non-root user, /data. The two base images the Dockerfile names are made
# here: a bookworm root from debootstrap, and for the build stage the same plus gcc and this
# machine's Rust toolchain. Slow (a cold release build inside the container): not in .ci/run.
#
#   deploy/build-image.sh                     # the SQLite image: localhost/anbaa:latest
#   FEATURES=postgres deploy/build-image.sh   # with PostgreSQL: localhost/anbaa:postgres
set -euo pipefail
cd "$(dirname "$0")/.."

FEATURES="${FEATURES:-}"
TAG="localhost/anbaa:${FEATURES:-latest}"
BASE=localhost/anbaa-base:bookworm
RUST=localhost/anbaa-rust:bookworm
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"

need=()
command -v buildah > /dev/null || need+=(buildah)
command -v debootstrap > /dev/null || need+=(debootstrap)
command -v curl > /dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" > /dev/null
fi

work="$(mktemp -d)"
server=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2> /dev/null || true
    [ -n "${ctr:-}" ] && buildah rm "$ctr" > /dev/null 2>&1 || true
    $SUDO rm -rf "$work"
}
trap cleanup EXIT

if ! buildah inspect --type image "$BASE" > /dev/null 2>&1; then
    echo "== $BASE: debootstrap bookworm"
    $SUDO debootstrap --variant=minbase bookworm "$work/root" http://deb.debian.org/debian > /dev/null
    $SUDO tar -C "$work/root" -cf "$work/root.tar" .
    c=$(buildah from scratch)
    buildah add "$c" "$work/root.tar" / > /dev/null
    buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$c"
    buildah commit --quiet "$c" "$BASE" > /dev/null
    buildah rm "$c" > /dev/null
fi

if ! buildah inspect --type image "$RUST" > /dev/null 2>&1; then
    sysroot="$(rustc --print sysroot)"
    echo "== $RUST: gcc and the Rust toolchain at $sysroot"
    c=$(buildah from "$BASE")
    buildah run --isolation chroot --network host "$c" -- sh -c \
        'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gcc libc6-dev pkg-config ca-certificates > /dev/null && rm -rf /var/lib/apt/lists/*'
    buildah copy "$c" "$sysroot" /usr/local/rust > /dev/null
    # This machine's trust store: where a proxy re-signs TLS (as here), cargo inside the
    # build trusts what the host trusts.
    buildah copy "$c" /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt > /dev/null
    buildah config --env PATH=/usr/local/rust/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        --env CARGO_HOME=/usr/local/cargo "$c"
    buildah commit --quiet "$c" "$RUST" > /dev/null
    buildah rm "$c" > /dev/null
fi

echo "== building $TAG (FEATURES=${FEATURES:-none})"
buildah build --isolation chroot --network host --pull=never --format docker \
    --build-arg RUST_IMAGE="$RUST" --build-arg RUNTIME_IMAGE="$BASE" \
    --build-arg FEATURES="$FEATURES" -t "$TAG" .

echo "== running $TAG once"
config=$(buildah inspect --type image --format '{{.Docker.Config.User}} {{.Docker.Config.WorkingDir}} {{.Docker.Config.Volumes}} {{.Docker.Config.Healthcheck.Test}}' "$TAG")
echo "image config: $config"
case "$config" in
    "anbaa /data map[/data:{}] "*healthcheck*) ;;
    *) echo "unexpected image config: $config" >&2; exit 1 ;;
esac
ctr=$(buildah from "$TAG")
port=18480
while (echo > /dev/tcp/127.0.0.1/$port) 2> /dev/null; do port=$((port + 1)); done
buildah run --isolation chroot --network host --user anbaa "$ctr" -- \
    anbaa serve --demo --bind "127.0.0.1:$port" > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/healthz" > /dev/null && break
    sleep 0.2
done
buildah run --isolation chroot --network host --user anbaa "$ctr" -- \
    anbaa healthcheck --addr "127.0.0.1:$port"
total=$(curl -fs "http://127.0.0.1:$port/api/v1/articles?fields=id&limit=1" | sed -n 's/.*"total":\([0-9]*\).*/\1/p')
uid=$(buildah run --isolation chroot --user anbaa "$ctr" -- id -u)
owner=$(buildah run --isolation chroot --user anbaa "$ctr" -- stat -c %U /data)
echo "served the demo: $total articles; uid $uid; /data owned by $owner"
[ "${total:-0}" -gt 0 ] && [ "$uid" = 10001 ] && [ "$owner" = anbaa ]
echo "== $TAG built and checked"
