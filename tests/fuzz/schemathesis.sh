#!/usr/bin/env bash
# Schema-driven fuzzing of both servers: schemathesis (from PyPI, in a venv under target/) reads each server's
# own GET /openapi.json and sends what it generates from it, with a fixed seed and a bounded number of cases
# per operation and no example database kept between runs, so a run is repeatable and ends in about half a
# minute per server on 2 cores.
#
# Checks: no 5xx and no dropped connection (not_a_server_error; network errors fail the run), every status,
# content type, header and body as documented (status_code_conformance, content_type_conformance,
# response_headers_conformance, response_schema_conformance: every 2xx body conforms to its schema, every
# documented 4xx to the error body), methods (unsupported_method, allow_header_conformance), and every 4xx,
# documented or not, the error body with a documented cause (documented_error_body, tests/fuzz/hooks.py).
# Left out: negative_data_rejection (the servers take `null` for an absent optional field and ignore unknown
# members, as spec 3.5 asks) and positive_data_acceptance (no generated sale carries a valid signature).
#
# Needs the binaries of the README's test command (target/debug, or $CONNPAY_BIN_DIR) and python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
readonly root="$PWD"

readonly SCHEMATHESIS_VERSION="4.32.5"
readonly SEED=20240517
readonly MAX_EXAMPLES=60
readonly RUN_TIMEOUT_S=150
readonly bin_dir="${CONNPAY_BIN_DIR:-target/debug}"
readonly venv="target/schemathesis-venv"
readonly work="target/schemathesis"

if ! "$venv/bin/st" --version 2>/dev/null | grep -qF "$SCHEMATHESIS_VERSION"; then
    echo "installing schemathesis $SCHEMATHESIS_VERSION into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

rm -rf "$work"
mkdir -p "$work"
pids=()
stop_servers() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
}
trap stop_servers EXIT

# start NAME ARGS...: runs the binary on a free port and sets $url from its first stdout line
# ("listening on http://ADDR"), read from a pipe that stays open until the script ends.
fd=3
start() {
    local name="$1" line
    shift
    mkfifo "$work/$name.out"
    "$bin_dir/$name" --listen 127.0.0.1:0 "$@" > "$work/$name.out" 2> "$work/$name.log" &
    pids+=("$!")
    eval "exec $fd< \"$work/$name.out\""
    if ! read -r -t 30 -u "$fd" line || [[ "$line" != "listening on "* ]]; then
        echo "$name did not start; its log:" >&2
        cat "$work/$name.log" >&2
        exit 1
    fi
    fd=$((fd + 1))
    url="${line#listening on }"
}

start party-server
party_url="$url"
start connpay-gateway --party-url "$party_url" --sandbox-timings
gateway_url="$url"

fuzz() {
    local name="$1" base="$2"
    echo "== schemathesis: $name at $base (seed $SEED, $MAX_EXAMPLES cases per operation)"
    # Run from the work folder: schemathesis keeps a cache folder where it runs.
    (cd "$work" && SCHEMATHESIS_HOOKS="$root/tests/fuzz/hooks.py" timeout "$RUN_TIMEOUT_S" "$root/$venv/bin/st" run \
        "$base/openapi.json" \
        --url "$base" \
        --checks all \
        --exclude-checks negative_data_rejection,positive_data_acceptance \
        --max-examples "$MAX_EXAMPLES" \
        --seed "$SEED" \
        --generation-database none \
        --request-timeout 10 \
        --no-color \
        --report junit \
        --report-dir "$name")
}

# Both servers are fuzzed even if the first fails; the last line counts them.
passed=0
failed=0
for target in "party-server $party_url" "connpay-gateway $gateway_url"; do
    # shellcheck disable=SC2086 # "name url", split on purpose
    if fuzz $target; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "schemathesis: $passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
