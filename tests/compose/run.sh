#!/usr/bin/env bash
# The compose stack for real, under rootful podman (no Docker engine runs on the CI machines): checks what
# Docker would read in docker-compose.yml, builds the image's `runtime-prebuilt` stage from the binaries built
# on the host (the debug ones of the README's test command, debug info stripped: no release build needed),
# brings up `gateway` and `party`, waits on their /health, runs each service's healthcheck command inside
# it, runs the `scenarios` service, checks its JUnit report (every scenario passed), stops the servers with
# SIGTERM (they must exit 0), and tears everything down, also on failure. See /work/shared/containers.md for
# why podman is set up the way it is.
#
# Networks: by default every service runs in the host's network (tests/compose/podman-override.yml says
# why); CONNPAY_TEST_NETWORK=bridge runs docker-compose.yml as it is instead (service names, ports published
# on 127.0.0.1), for machines whose container bridge is reliable.
#
# Not exercised: the Dockerfile's Rust build stage (no `rust:` image can be pulled here), and the compose
# healthchecks as a dependency condition (podman 4.3 ignores `service_healthy`; the script waits instead).
# The base image cannot be pulled either: it is made with debootstrap and cached as
# target/compose/debian-bookworm-minbase.tar, so a second run skips it.
#
# Environment: CONNPAY_BIN_DIR (binaries to use; default: build target/debug), CONNPAY_TEST_GATEWAY_PORT and
# CONNPAY_TEST_PARTY_PORT (host ports, default 28480 and 28481: fixed, as a compose stack needs them, and
# below the kernel's ephemeral range, so no port-0 test can take them), CONNPAY_TEST_NETWORK, DEBIAN_MIRROR.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
WORK=$ROOT/target/compose
PROJECT=connpay-compose-test
IMAGE=localhost/connpay-sandbox:compose-test
# The name the Dockerfile's runtime stage starts FROM, as a short name resolves to it.
BASE_IMAGE=docker.io/library/debian:bookworm-slim
BASE_TARBALL=$WORK/debian-bookworm-minbase.tar
GATEWAY_PORT=${CONNPAY_TEST_GATEWAY_PORT:-28480}
PARTY_PORT=${CONNPAY_TEST_PARTY_PORT:-28481}
BIN_DIR=${CONNPAY_BIN_DIR:-}
NETWORK=${CONNPAY_TEST_NETWORK:-host}
# The test's compose settings: this file, and nothing from the caller's shell (where a compose variable would
# win over the file) or from a stray .env.
COMPOSE_ENV=$WORK/compose.env
unset "${!CONNPAY_@}"
BINARIES=(connpay-gateway party-server mobile-client)

step() { printf '== compose: %s (at %ss)\n' "$*" "$SECONDS"; }
fail() { printf 'compose test failed: %s\n' "$*" >&2; exit 1; }

install_tools() {
    [ "$(id -u)" = 0 ] || fail "needs root: rootful podman is the one that runs here"
    local missing=()
    for tool in podman runc debootstrap; do command -v "$tool" >/dev/null || missing+=("$tool"); done
    if [ ${#missing[@]} -gt 0 ]; then
        step "installing ${missing[*]} (Debian)"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } \
            >"$WORK/apt.log" 2>&1 || fail "apt-get install ${missing[*]} failed, see $WORK/apt.log"
    fi
    if ! python3 -c 'import podman_compose' 2>/dev/null; then
        step "installing podman-compose (PyPI)"
        PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check \
            podman-compose==1.6.0
    fi
}

# The compose settings, and what podman needs here (containers.md): no rlimits, cgroupfs with runc, vfs.
configure() {
    case $NETWORK in
        host) COMPOSE_FILES=(-f "$ROOT/docker-compose.yml" -f "$ROOT/tests/compose/podman-override.yml") ;;
        bridge) COMPOSE_FILES=(-f "$ROOT/docker-compose.yml") ;;
        *) fail "CONNPAY_TEST_NETWORK is host or bridge, not $NETWORK" ;;
    esac
    printf '%s\n' "CONNPAY_IMAGE=$IMAGE" CONNPAY_PUBLISH_ADDR=127.0.0.1 \
        "CONNPAY_GATEWAY_PORT=$GATEWAY_PORT" "CONNPAY_PARTY_PORT=$PARTY_PORT" \
        "CONNPAY_TEST_GATEWAY_PORT=$GATEWAY_PORT" "CONNPAY_TEST_PARTY_PORT=$PARTY_PORT" >"$COMPOSE_ENV"
    export CONTAINERS_CONF=$WORK/containers.conf CONTAINERS_STORAGE_CONF=$WORK/storage.conf
    cat >"$CONTAINERS_CONF" <<'EOF'
[containers]
default_ulimits = []
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
EOF
    cat >"$CONTAINERS_STORAGE_CONF" <<'EOF'
[storage]
driver = "vfs"
runroot = "/run/containers/storage"
graphroot = "/var/lib/containers/storage"
EOF
}

base_image() {
    if podman image exists "$BASE_IMAGE"; then return; fi
    if [ ! -s "$BASE_TARBALL" ]; then
        step "making the Debian bookworm base image with debootstrap (once; cached in $BASE_TARBALL)"
        local rootfs=$WORK/rootfs
        rm -rf "$rootfs"
        debootstrap --variant=minbase bookworm "$rootfs" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" \
            >"$WORK/debootstrap.log" 2>&1 || fail "debootstrap failed, see $WORK/debootstrap.log"
        rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
        tar -C "$rootfs" -cf "$BASE_TARBALL.partial" . && mv "$BASE_TARBALL.partial" "$BASE_TARBALL"
        rm -rf "$rootfs"
    fi
    step "importing the base image as $BASE_IMAGE"
    podman import --quiet --change 'CMD ["/bin/bash"]' "$BASE_TARBALL" "$BASE_IMAGE" >/dev/null
}

# The Dockerfile's runtime-prebuilt stage, from a context holding bin/ and scenarios/ only.
runtime_image() {
    local bin_dir=$BIN_DIR
    if [ -z "$bin_dir" ]; then
        step "building the binaries (the README's build command; nothing to do when fresh)"
        cargo build --workspace --bins --locked --quiet
        bin_dir=$ROOT/target/debug
    fi
    local context=$WORK/context
    rm -rf "$context" && mkdir -p "$context/bin"
    cp -r scenarios "$context/"
    for binary in "${BINARIES[@]}"; do
        [ -x "$bin_dir/$binary" ] || fail "$bin_dir/$binary not found"
        # Debug info is two thirds of a debug binary, and vfs storage copies it into every layer and container.
        strip --strip-debug -o "$context/bin/$binary" "$bin_dir/$binary" 2>/dev/null \
            || cp "$bin_dir/$binary" "$context/bin/"
    done
    step "building $IMAGE (target runtime-prebuilt, binaries from $bin_dir)"
    # docker format: the OCI format has no HEALTHCHECK. No layers: with vfs each one is a full copy of the
    # file system (110 s against 15 s here), and the stage rebuilds in seconds anyway.
    podman build --quiet --layers=false --pull=never --format docker --target runtime-prebuilt \
        -t "$IMAGE" -f "$ROOT/Dockerfile" "$context" >/dev/null
}

compose() {
    python3 -m podman_compose --project-name "$PROJECT" --env-file "$COMPOSE_ENV" "${COMPOSE_FILES[@]}" "$@"
}

# docker-compose.yml with its defaults, as Docker reads it: the wiring the host-network run replaces.
check_compose_file() {
    python3 -m podman_compose --env-file /dev/null -f "$ROOT/docker-compose.yml" config 2>/dev/null \
        | python3 -c '
import sys, yaml
services = yaml.safe_load(sys.stdin)["services"]
gateway, party, scenarios = services["gateway"], services["party"], services["scenarios"]
command = scenarios["command"]
expected = [
    ("scenarios targets the services by name", ["--gateway", "http://gateway:8080", "--party", "http://party:8081"],
     command[command.index("--gateway"):command.index("--party") + 2]),
    ("scenarios writes its report to the reports volume", ["--junit", "/reports/junit.xml", "reports:/reports"],
     command[-2:] + scenarios["volumes"]),
    ("scenarios waits for healthy servers", {"condition": "service_healthy"},
     scenarios["depends_on"]["gateway"] | scenarios["depends_on"]["party"]),
    ("the gateway calls party by name", "http://party:8081", gateway["environment"]["GATEWAY_PARTY_URL"]),
    ("the servers check themselves", [["CMD", "connpay-gateway", "healthcheck"], ["CMD", "party-server", "healthcheck"]],
     [gateway["healthcheck"]["test"], party["healthcheck"]["test"]]),
    ("ports are published on loopback", [["127.0.0.1:8080:8080"], ["127.0.0.1:8081:8081"]],
     [gateway["ports"], party["ports"]]),
]
wrong = [f"{what}: expected {want}, found {got}" for what, want, got in expected if want != got]
sys.exit("docker-compose.yml: " + "; ".join(wrong) if wrong else None)
' || fail "docker-compose.yml does not say what Docker needs"
    echo "docker-compose.yml: service names, healthchecks, dependencies and loopback ports as expected"
}

project_containers() { podman ps -aq --filter "label=io.podman.compose.project=$PROJECT"; }

# Each container's output, for a failed run: target/compose/<container>.log.
save_logs() {
    local container name
    for container in $(project_containers); do
        name=$(podman inspect --format '{{.Name}}' "$container")
        podman logs "$container" >"$WORK/$name.log" 2>&1 && echo "compose test: $WORK/$name.log" >&2
    done
}

teardown() {
    local status=$?
    if [ -n "${TORN_DOWN:-}" ]; then return; fi
    TORN_DOWN=1
    # A signal runs this trap inside whatever command was running, with its redirections: back to the
    # script's own output.
    exec 1>&3 2>&4
    step "tearing down"
    if [ "$status" != 0 ]; then save_logs; fi
    compose down --volumes --timeout 10 >/dev/null 2>&1 || true
    # Whatever `down` missed (a run container, an interrupted start) goes too: never leave one running.
    project_containers | xargs -r podman rm --force --volumes >/dev/null 2>&1 || true
    podman volume ls -q --filter "label=io.podman.compose.project=$PROJECT" \
        | xargs -r podman volume rm --force >/dev/null 2>&1 || true
    podman network rm --force "${PROJECT}_default" >/dev/null 2>&1 || true
    # The image is rebuilt by every run: keeping it would only leave a 150 MB copy behind each time.
    podman image rm --force "$IMAGE" >/dev/null 2>&1 || true
    if [ -n "$(project_containers)" ]; then
        echo "compose test: containers of $PROJECT are still there" >&2
        status=1
    fi
    exit "$status"
}

port_is_free() {
    python3 - "$1" <<'EOF'
import socket, sys
with socket.socket() as s:
    try:
        s.bind(("127.0.0.1", int(sys.argv[1])))
    except OSError as error:
        sys.exit(f"port {sys.argv[1]} is taken ({error}); choose others with CONNPAY_TEST_GATEWAY_PORT and CONNPAY_TEST_PARTY_PORT")
EOF
}

# Healthchecks are not run by podman 4.3.1, so the test waits on /health itself (a deadline, not a sleep).
wait_healthy() {
    python3 - "$@" <<'EOF'
import sys, time, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
deadline = time.monotonic() + 60
for url in sys.argv[1:]:
    while True:
        try:
            if opener.open(url, timeout=2).status == 200:
                break
        except OSError as error:
            last = error
        if time.monotonic() > deadline:
            sys.exit(f"{url} not healthy within 60 s: {last}")
        time.sleep(0.1)
EOF
}

service_container() {
    podman ps -q --filter "label=io.podman.compose.project=$PROJECT" \
        --filter "label=io.podman.compose.service=$1"
}

# The healthcheck podman recorded for the service's container, run inside it: the command Docker would run.
run_healthcheck() {
    local service=$1 container healthcheck argv
    container=$(service_container "$service")
    [ -n "$container" ] || fail "no running container for $service"
    healthcheck=$(podman inspect --format '{{json .Config.Healthcheck.Test}}' "$container")
    mapfile -t argv < <(python3 - "$healthcheck" <<'EOF'
import json, sys
test = json.loads(sys.argv[1]) or []
print("\n".join(test[1:] if test[:1] == ["CMD"] else ["not an exec-form CMD:", *test]))
EOF
    )
    podman exec "$container" "${argv[@]}" || fail "$service: healthcheck '${argv[*]}' failed"
    echo "$service: healthcheck '${argv[*]}' passed"
}

# `podman stop` sends SIGTERM and waits; a server that ignored it would be killed (exit 137).
stop_gracefully() {
    local service=$1 container code
    container=$(service_container "$service")
    # (stderr: podman 4.3 complains that no systemd runs its healthcheck timers.)
    podman stop --time 20 "$container" >/dev/null 2>>"$WORK/podman.log"
    code=$(podman inspect --format '{{.State.ExitCode}}' "$container")
    [ "$code" = 0 ] || fail "$service exited $code on SIGTERM, not 0"
    echo "$service: stopped on SIGTERM, exit 0"
}

check_junit() {
    python3 - "$1" "$(find scenarios -name '*.toml' | wc -l)" <<'EOF'
import sys, xml.etree.ElementTree as ET
path, expected = sys.argv[1], int(sys.argv[2])
cases = list(ET.parse(path).getroot().iter("testcase"))
bad = [c.get("name") for c in cases if any(c.find(tag) is not None for tag in ("failure", "error", "skipped"))]
if len(cases) != expected or bad:
    sys.exit(f"{path}: {len(cases)} test cases for {expected} scenarios; not passed: {bad}")
print(f"{path}: all {len(cases)} scenarios passed")
EOF
}

main() {
    mkdir -p "$WORK"
    install_tools
    configure
    # One compose test at a time on this machine: the ports, the project and the image tag are shared.
    exec 9>"/tmp/$PROJECT.lock"
    flock --timeout 900 9 || fail "another compose test holds /tmp/$PROJECT.lock"
    exec 3>&1 4>&2
    trap teardown EXIT
    trap 'exit 130' INT TERM
    compose down --volumes --timeout 5 >/dev/null 2>&1 || true
    port_is_free "$GATEWAY_PORT" && port_is_free "$PARTY_PORT"
    check_compose_file
    base_image
    runtime_image
    step "starting gateway and party ($NETWORK network)"
    compose up --detach --no-build gateway party >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; fail "up"; }
    wait_healthy "http://127.0.0.1:$GATEWAY_PORT/health" "http://127.0.0.1:$PARTY_PORT/health"
    run_healthcheck gateway
    run_healthcheck party
    step "running the scenarios service"
    local code=0
    compose run --rm --no-deps scenarios >"$WORK/scenarios.log" 2>&1 || code=$?
    tail -n 3 "$WORK/scenarios.log"
    [ "$code" = 0 ] || { cat "$WORK/scenarios.log"; fail "the scenarios service exited $code"; }
    local reports
    reports=$(podman volume inspect --format '{{.Mountpoint}}' "${PROJECT}_reports")
    cp "$reports/junit.xml" "$WORK/junit.xml" || fail "no junit.xml in the reports volume"
    check_junit "$WORK/junit.xml"
    stop_gracefully gateway
    stop_gracefully party
    step "passed"
}

main "$@"
