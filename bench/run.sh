#!/usr/bin/env bash
# connpay-sandbox benchmarks, in one run on this machine; BENCHMARKS.md reports a run of it.
#
# Needs, besides the Rust toolchain:
#   wrk     HTTP load generator (Debian: apt-get install -y wrk; installed when missing and run as root);
#           status polling vs the floor
#   awk, sort, grep (coreutils), /proc (Linux): medians, VmRSS
# Optional:
#   WireMock via npx: java, curl, setsid and the npm package `wiremock` (npm install -g wiremock); without
#   them the WireMock comparison is reported "not measured".
#
# Environment: RUNS (default 3) repetitions of each throughput measurement, COLD_RUNS (default 9) cold starts
# per binary, SALES (default 100000) sales for the memory measurement, DURATION (default 5s) per wrk run,
# SKIP_MICRO=1 skips `cargo bench`. Everything listens on 127.0.0.1 only. Takes about 5 minutes once built.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
COLD_RUNS=${COLD_RUNS:-9}
SALES=${SALES:-100000}
DURATION=${DURATION:-5s}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-64}
OUT=target/bench
BIN=target/release
mkdir -p "$OUT"

# wrk is Debian's package: installed when missing and running as root (like tests/compose/run.sh installs podman).
if ! command -v wrk >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing wrk (Debian)"
    mkdir -p "$OUT"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; } >"$OUT/apt.log" 2>&1 ||
        echo "warning: apt-get install wrk failed, see $OUT/apt.log" >&2
fi
for tool in wrk awk sort grep; do
    if ! command -v "$tool" >/dev/null; then
        echo "error: bench/run.sh needs '$tool' (Debian: apt-get install -y $tool)" >&2
        exit 2
    fi
done

PIDS=()
GROUPS_TO_STOP=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for group in "${GROUPS_TO_STOP[@]}"; do kill -- "-$group" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

# start NAME CMD...: starts a server whose first stdout line is `listening on http://ADDR`; sets URL and PID.
start() {
    local name=$1
    shift
    "$@" >"$OUT/$name.out" 2>"$OUT/$name.err" &
    PID=$!
    PIDS+=("$PID")
    for _ in $(seq 1 500); do
        if grep -q '^listening on ' "$OUT/$name.out" 2>/dev/null; then
            URL=$(sed -n 's/^listening on //p' "$OUT/$name.out" | head -1)
            return
        fi
        sleep 0.01
    done
    echo "error: $name did not start; see $OUT/$name.err" >&2
    exit 1
}

stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
median() { sort -g | awk '{v[NR]=$1} END {if (NR == 0) print "nan"; else print v[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}'; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# wrk's latency line "99%  1.23ms" in milliseconds.
wrk_p99_ms() {
    awk '$1 == "99%" {v=$2; u=v; gsub(/[0-9.]/, "", u); gsub(/[a-z]/, "", v);
        if (u == "us") v /= 1000; else if (u == "s") v *= 1000; print v}'
}
wrk_rps() { awk '/^Requests\/sec:/ {print $2}'; }

echo "== machine"
{
    echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
    echo "nproc: $(nproc)"
    echo "cpu: $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
    echo "memory: $(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "rustc: $(rustc --version)"
    echo "wrk: $(wrk -v 2>&1 | head -1)"
} | tee "$OUT/machine.txt"

echo "== build: cargo build --release --workspace --bins"
cargo build --release --workspace --bins --quiet

if [ "${SKIP_MICRO:-0}" != 1 ]; then
    echo "== micro-benchmarks: cargo bench -p bench --bench dapi"
    cargo bench -p bench --bench dapi --quiet 2>/dev/null | tee "$OUT/micro.txt"
fi

echo "== cold start to the first 200 (median of $COLD_RUNS)"
cold() {
    "$BIN/bench-probe" cold-start --runs "$COLD_RUNS" --path "$1" -- "${@:2}" | awk '/^median_ms/ {print $2}'
}
COLD_GATEWAY=$(cold /health "$BIN/connpay-gateway" --listen 127.0.0.1:0)
COLD_PARTY=$(cold /health "$BIN/party-server" --listen 127.0.0.1:0)
COLD_FLOOR=$(cold / "$BIN/bench-floor" --listen 127.0.0.1:0)
echo "connpay-gateway ${COLD_GATEWAY} ms, party-server ${COLD_PARTY} ms, bench-floor ${COLD_FLOOR} ms"

echo "== sale status polling vs the floor: wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d$DURATION, POST with the same JSON body"
start party "$BIN/party-server" --listen 127.0.0.1:0
PARTY_URL=$URL PARTY_PID=$PID
start gateway "$BIN/connpay-gateway" --listen 127.0.0.1:0 --party-url "$PARTY_URL" --sandbox-timings
GATEWAY_URL=$URL GATEWAY_PID=$PID
start floor "$BIN/bench-floor" --listen 127.0.0.1:0
FLOOR_URL=$URL FLOOR_PID=$PID
"$BIN/bench-probe" open-sale --gateway "$GATEWAY_URL" --party "$PARTY_URL" >"$OUT/sale.txt"
STATUS_URL=$(sed -n 's/^url //p' "$OUT/sale.txt")
STATUS_BODY=$(sed -n 's/^body //p' "$OUT/sale.txt")
cat >"$OUT/status.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[$STATUS_BODY]]
EOF
wrk_run() { wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$DURATION" --latency -s "$OUT/status.lua" "$1"; }
# The server's CPU time per request (utime + stime from /proc, in clock ticks) is steadier than req/s on a
# machine others use: it does not depend on how much of the CPU the server got.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# wrk_cpu PID URL FILE: one wrk run appended to FILE, then "cpu_us_per_request N" appended too.
wrk_cpu() {
    local before after
    before=$(cpu_ticks "$1")
    wrk_run "$2" >"$OUT/wrk-last.txt"
    after=$(cpu_ticks "$1")
    cat "$OUT/wrk-last.txt" >>"$3"
    awk -v b="$before" -v a="$after" -v hz="$(getconf CLK_TCK)" \
        '/ requests in / {printf "cpu_us_per_request %.1f\n", (a - b) * 1e6 / hz / $1}' "$OUT/wrk-last.txt" >>"$3"
}
: >"$OUT/wrk-gateway.txt"
: >"$OUT/wrk-floor.txt"
for _ in $(seq 1 "$RUNS"); do # alternate, so drift of a noisy machine hits both
    wrk_cpu "$GATEWAY_PID" "$STATUS_URL" "$OUT/wrk-gateway.txt"
    wrk_cpu "$FLOOR_PID" "$FLOOR_URL/" "$OUT/wrk-floor.txt"
done
STATUS_RPS=$(wrk_rps <"$OUT/wrk-gateway.txt" | median)
STATUS_P99=$(wrk_p99_ms <"$OUT/wrk-gateway.txt" | median)
STATUS_CPU=$(awk '/^cpu_us_per_request/ {print $2}' "$OUT/wrk-gateway.txt" | median)
FLOOR_RPS=$(wrk_rps <"$OUT/wrk-floor.txt" | median)
FLOOR_P99=$(wrk_p99_ms <"$OUT/wrk-floor.txt" | median)
FLOOR_CPU=$(awk '/^cpu_us_per_request/ {print $2}' "$OUT/wrk-floor.txt" | median)
for side in gateway floor; do
    if grep -q "Non-2xx" "$OUT/wrk-$side.txt"; then
        echo "warning: the $side answered non-2xx during the status runs; see $OUT/wrk-$side.txt" >&2
    fi
done
echo "gateway status ${STATUS_RPS} req/s (p99 ${STATUS_P99} ms, ${STATUS_CPU} us CPU/request)," \
    "floor ${FLOOR_RPS} req/s (p99 ${FLOOR_P99} ms, ${FLOOR_CPU} us CPU/request)"
stop "$FLOOR_PID"

echo "== WireMock stubs of perform sale and sale status (optional)"
WIREMOCK_RPS="not measured"
WIREMOCK_P99="not measured"
if command -v java >/dev/null && command -v npx >/dev/null && command -v curl >/dev/null && command -v setsid >/dev/null && npx --no-install wiremock --version >/dev/null 2>&1; then
    mkdir -p "$OUT/wiremock/mappings"
    STATUS_PATH=${STATUS_URL#http://*/}
    SALE_PATH=${STATUS_PATH%/status}
    cat >"$OUT/wiremock/mappings/status.json" <<EOF
{"request": {"method": "POST", "url": "/$STATUS_PATH"},
 "response": {"status": 200, "headers": {"Content-Type": "application/json"},
   "body": "{\"invoiceId\":\"INV-1\",\"session\":{\"token\":\"0b9f6a4e-3c2d-4e1f-8a7b-6c5d4e3f2a1b\"},\"state\":\"APPROVED\",\"orderId\":\"1\",\"bankOrderId\":\"BNK-1\"}"}}
EOF
    cat >"$OUT/wiremock/mappings/perform.json" <<EOF
{"request": {"method": "POST", "url": "/$SALE_PATH"},
 "response": {"status": 200, "headers": {"Content-Type": "application/json"},
   "body": "{\"invoiceId\":\"INV-1\",\"session\":{\"token\":\"0b9f6a4e-3c2d-4e1f-8a7b-6c5d4e3f2a1b\"}}"}}
EOF
    WIREMOCK_PORT=18089 # the first free port from here
    while (exec 3<>"/dev/tcp/127.0.0.1/$WIREMOCK_PORT") 2>/dev/null; do WIREMOCK_PORT=$((WIREMOCK_PORT + 1)); done
    # Its own session and process group: npx starts node, which starts java; stopping the group stops all three.
    setsid npx --no-install wiremock --port "$WIREMOCK_PORT" --root-dir "$OUT/wiremock" --disable-request-logging \
        --no-request-journal >"$OUT/wiremock.out" 2>&1 &
    WIREMOCK_PID=$!
    # setsid (no fork: a background job of a script is no group leader) makes the process group id its PID; wait
    # for that before relying on it, so the script never signals its own group.
    WIREMOCK_GROUP=
    for _ in $(seq 1 100); do
        if [ "$(awk '{print $5}' "/proc/$WIREMOCK_PID/stat" 2>/dev/null)" = "$WIREMOCK_PID" ]; then
            WIREMOCK_GROUP=$WIREMOCK_PID
            GROUPS_TO_STOP+=("$WIREMOCK_GROUP")
            break
        fi
        sleep 0.01
    done
    PIDS+=("$WIREMOCK_PID")
    WIREMOCK_URL="http://127.0.0.1:$WIREMOCK_PORT"
    for _ in $(seq 1 300); do
        curl -sf -o /dev/null -X POST "$WIREMOCK_URL/$STATUS_PATH" 2>/dev/null && break
        sleep 0.1
    done
    : >"$OUT/wrk-wiremock.txt"
    wrk_run "$WIREMOCK_URL/$STATUS_PATH" >/dev/null # the JVM warms up
    for _ in $(seq 1 "$RUNS"); do wrk_run "$WIREMOCK_URL/$STATUS_PATH" >>"$OUT/wrk-wiremock.txt"; done
    if [ -n "$WIREMOCK_GROUP" ]; then kill -- "-$WIREMOCK_GROUP" 2>/dev/null || true; fi
    stop "$WIREMOCK_PID"
    if grep -q "Non-2xx" "$OUT/wrk-wiremock.txt"; then
        echo "WireMock answered non-2xx (stub not matched?); see $OUT/wrk-wiremock.txt: not measured"
    else
        WIREMOCK_RPS=$(wrk_rps <"$OUT/wrk-wiremock.txt" | median)
        WIREMOCK_P99=$(wrk_p99_ms <"$OUT/wrk-wiremock.txt" | median)
        echo "WireMock status stub ${WIREMOCK_RPS} req/s (p99 ${WIREMOCK_P99} ms)"
    fi
else
    echo "WireMock not installed (needs java and the npm package wiremock): not measured"
fi
stop "$GATEWAY_PID"
stop "$PARTY_PID"

echo "== end-to-end 3-D Secure flows, embedded default (median of $RUNS)"
: >"$OUT/load-3ds.txt"
# The CPU time the process used (user + sys, bash's `time`) tells how much of the machine the flows needed:
# on a shared machine, flows per CPU-second x cores is what the same run would reach alone.
: >"$OUT/load-3ds-cpu.txt"
for _ in $(seq 1 "$RUNS"); do
    TIMEFORMAT='%U %S'
    { time "$BIN/mobile-client" load scenarios/03-3ds-approved.toml --flows 2000 --concurrency 64 \
        >>"$OUT/load-3ds.txt" 2>>"$OUT/load-3ds.err"; } 2>>"$OUT/load-3ds-cpu.txt"
    tail -n +2 "$OUT/load-3ds.txt" | grep -E '^(flows|latency) ' | tail -2
    tail -1 "$OUT/load-3ds-cpu.txt" | awk '{printf "cpu        %.2f s user + sys\n", $1 + $2}'
done
FLOWS_PS=$(awk '/^flows / {for (i = 1; i <= NF; i++) if ($i == "flows/s,") print $(i-1)}' "$OUT/load-3ds.txt" | median)
FLOWS_P99=$(awk '/^latency / {for (i = 1; i <= NF; i++) if ($i == "p99") print $(i+1)}' "$OUT/load-3ds.txt" | median)
FLOWS_PER_CPU=$(awk '{printf "%.0f\n", 2000 / ($1 + $2)}' "$OUT/load-3ds-cpu.txt" | median)
echo "3-D Secure flows ${FLOWS_PS}/s (p99 ${FLOWS_P99} ms), ${FLOWS_PER_CPU} flows per CPU-second"

echo "== resident memory of the gateway: idle, then after $SALES sales"
start party "$BIN/party-server" --listen 127.0.0.1:0
PARTY_URL=$URL PARTY_PID=$PID
start gateway "$BIN/connpay-gateway" --listen 127.0.0.1:0 --party-url "$PARTY_URL" --sandbox-timings
GATEWAY_URL=$URL GATEWAY_PID=$PID
sleep 1
RSS_IDLE_KB=$(rss_kb "$GATEWAY_PID")
"$BIN/bench-probe" sales --gateway "$GATEWAY_URL" --party "$PARTY_URL" --count "$SALES" --concurrency 32 | tee "$OUT/sales.txt"
sleep 3 # callbacks and notifications of the last sales
RSS_AFTER_KB=$(rss_kb "$GATEWAY_PID")
RSS_PARTY_KB=$(rss_kb "$PARTY_PID")
stop "$GATEWAY_PID"
stop "$PARTY_PID"
PER_SALE=$(awk -v a="$RSS_AFTER_KB" -v b="$RSS_IDLE_KB" -v n="$SALES" 'BEGIN {printf "%.0f", (a - b) * 1024 / n}')
echo "gateway VmRSS idle ${RSS_IDLE_KB} kB, after ${SALES} sales ${RSS_AFTER_KB} kB: ${PER_SALE} bytes per retained sale (party ${RSS_PARTY_KB} kB)"

WIREMOCK_RATIO=n/a
[ "$WIREMOCK_RPS" != "not measured" ] && WIREMOCK_RATIO=$(ratio "$STATUS_RPS" "$WIREMOCK_RPS")
cat <<EOF | tee "$OUT/summary.md"

| measure | result | compared with | target |
|---|---|---|---|
| cold start to first 200, connpay-gateway | ${COLD_GATEWAY} ms | floor ${COLD_FLOOR} ms (x$(ratio "$COLD_GATEWAY" "$COLD_FLOOR")) | <= 30 ms |
| cold start to first 200, party-server | ${COLD_PARTY} ms | floor ${COLD_FLOOR} ms (x$(ratio "$COLD_PARTY" "$COLD_FLOOR")) | <= 30 ms |
| cold start to first 200, bench-floor | ${COLD_FLOOR} ms | | <= 30 ms |
| sale status polling, req/s | ${STATUS_RPS} | floor ${FLOOR_RPS} ($(ratio "$STATUS_RPS" "$FLOOR_RPS") of it) | >= 0.50 of the floor |
| sale status polling, p99 | ${STATUS_P99} ms | floor ${FLOOR_P99} ms | |
| sale status polling, server CPU per request | ${STATUS_CPU} us | floor ${FLOOR_CPU} us ($(ratio "$FLOOR_CPU" "$STATUS_CPU") of the gateway's) | |
| WireMock status stub, req/s | ${WIREMOCK_RPS} (p99 ${WIREMOCK_P99} ms) | gateway / WireMock = ${WIREMOCK_RATIO} | |
| 3-D Secure flows/s, embedded, 2000 flows, concurrency 64 | ${FLOWS_PS} (p99 ${FLOWS_P99} ms) | ${FLOWS_PER_CPU} flows per CPU-second (x $(nproc) cores = $(awk -v f="$FLOWS_PER_CPU" -v n="$(nproc)" 'BEGIN {print f * n}') if alone) | >= 2000 |
| gateway VmRSS idle | $(awk -v k="$RSS_IDLE_KB" 'BEGIN {printf "%.1f", k / 1024}') MB | | <= 20 MB |
| gateway bytes per retained sale | ${PER_SALE} B (${SALES} sales, $(awk -v k="$RSS_AFTER_KB" 'BEGIN {printf "%.1f", k / 1024}') MB after) | | <= 1536 B |
EOF
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
