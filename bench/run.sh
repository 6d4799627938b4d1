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
# per binary, SALES (default 100000) sales for each memory measurement (DURABLE_SALES, default 20000, with
# --data-dir), FLOWS (default 2000) flows per load
# run, DURATION (default 5s) per wrk run, SKIP_BUILD=1 measures the release binaries as they are (no build, no
# micro-benchmarks), SKIP_MICRO=1 skips `cargo bench`. Everything listens on 127.0.0.1
# only. Takes about 12 minutes once built.
#
# `bench/run.sh --smoke` (or SMOKE=1): every measurement once and briefly, on the debug build (the one the
# README's test command makes), into target/bench-smoke; it checks only that each completed and printed its
# figure, never a speed (.ci/run runs it).
set -euo pipefail
cd "$(dirname "$0")/.."

SMOKE=${SMOKE:-0}
if [ "${1:-}" = --smoke ]; then SMOKE=1; fi
RUNS=${RUNS:-3}
COLD_RUNS=${COLD_RUNS:-9}
SALES=${SALES:-100000}
# With --data-dir every sale is written through redb: 100,000 of them took 9 minutes on the busy machine.
DURABLE_SALES=${DURABLE_SALES:-20000}
FLOWS=${FLOWS:-2000}
DURATION=${DURATION:-5s}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-64}
OUT=target/bench
BIN=target/release
if [ "$SMOKE" = 1 ]; then
    RUNS=1 COLD_RUNS=2 SALES=2000 DURABLE_SALES=500 FLOWS=200 DURATION=1s
    OUT=target/bench-smoke
    BIN=target/debug
fi
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

if [ "$SMOKE" = 1 ]; then
    echo "== build: cargo build --workspace --bins (smoke: the debug build)"
    cargo build --workspace --bins --locked --quiet
    echo "== micro-benchmarks, each once: cargo test -p bench --bench dapi"
    cargo test -p bench --bench dapi --locked --quiet 2>/dev/null | tee "$OUT/micro.txt"
elif [ "${SKIP_BUILD:-0}" != 1 ]; then
    echo "== build: cargo build --release --workspace --bins"
    cargo build --release --workspace --bins --quiet
    if [ "${SKIP_MICRO:-0}" != 1 ]; then
        echo "== micro-benchmarks: cargo bench -p bench --bench dapi"
        cargo bench -p bench --bench dapi --quiet 2>/dev/null | tee "$OUT/micro.txt"
    fi
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
if [ "$SMOKE" != 1 ] && command -v java >/dev/null && command -v npx >/dev/null && command -v curl >/dev/null && command -v setsid >/dev/null && npx --no-install wiremock --version >/dev/null 2>&1; then
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
    { time "$BIN/mobile-client" load scenarios/03-3ds-approved.toml --flows "$FLOWS" --concurrency 64 \
        >>"$OUT/load-3ds.txt" 2>>"$OUT/load-3ds.err"; } 2>>"$OUT/load-3ds-cpu.txt"
    tail -n +2 "$OUT/load-3ds.txt" | grep -E '^(flows|latency) ' | tail -2
    tail -1 "$OUT/load-3ds-cpu.txt" | awk '{printf "cpu        %.2f s user + sys\n", $1 + $2}'
done
flows_per_s() { awk '/^flows / {for (i = 1; i <= NF; i++) if ($i == "flows/s,") print $(i-1)}' "$1" | median; }
FLOWS_PS=$(flows_per_s "$OUT/load-3ds.txt")
FLOWS_P99=$(awk '/^latency / {for (i = 1; i <= NF; i++) if ($i == "p99") print $(i+1)}' "$OUT/load-3ds.txt" | median)
FLOWS_PER_CPU=$(awk -v n="$FLOWS" '{printf "%.0f\n", n / ($1 + $2)}' "$OUT/load-3ds-cpu.txt" | median)
echo "3-D Secure flows ${FLOWS_PS}/s (p99 ${FLOWS_P99} ms), ${FLOWS_PER_CPU} flows per CPU-second"

# data_dir KIND DURABLE: `--data-dir` and a fresh directory when DURABLE is 1, else nothing.
data_dir() {
    if [ "$2" = 1 ]; then
        rm -rf "$OUT/data/$1"
        mkdir -p "$OUT/data/$1"
        echo "--data-dir $OUT/data/$1"
    fi
}

declare -A EXT_FLOWS_PS EXT_CLIENT_MS EXT_GATEWAY_MS EXT_PARTY_MS EXT_SHARE
# external_load LABEL DURABLE: `mobile-client load` as its own process against a party-server and a gateway
# started here; the CPU time (utime + stime) of each of the three processes per flow, medians of $RUNS.
external_load() {
    local label=$1 durable=$2 file="$OUT/load-external-$1.txt"
    # shellcheck disable=SC2046 # the flag and its value are two words
    start party "$BIN/party-server" --listen 127.0.0.1:0 $(data_dir party "$durable")
    local party_url=$URL party_pid=$PID
    # shellcheck disable=SC2046
    start gateway "$BIN/connpay-gateway" --listen 127.0.0.1:0 --party-url "$party_url" --sandbox-timings \
        $(data_dir gateway "$durable")
    local gateway_url=$URL gateway_pid=$PID
    : >"$file"
    : >"$file.cpu"
    for _ in $(seq 1 "$RUNS"); do
        local gateway_before party_before
        gateway_before=$(cpu_ticks "$gateway_pid")
        party_before=$(cpu_ticks "$party_pid")
        TIMEFORMAT='%U %S'
        { time "$BIN/mobile-client" load scenarios/03-3ds-approved.toml --flows "$FLOWS" --concurrency 64 \
            --gateway "$gateway_url" --party "$party_url" >>"$file" 2>>"$file.err"; } 2>"$OUT/time-last.txt"
        # per flow, in ms of CPU: client, gateway, party; then the client's share of the three
        awk -v g="$(($(cpu_ticks "$gateway_pid") - gateway_before))" \
            -v p="$(($(cpu_ticks "$party_pid") - party_before))" -v hz="$(getconf CLK_TCK)" -v n="$FLOWS" \
            '{c = ($1 + $2) * 1000 / n; g = g * 1000 / hz / n; p = p * 1000 / hz / n;
              printf "%.3f %.3f %.3f %.2f\n", c, g, p, c / (c + g + p)}' "$OUT/time-last.txt" >>"$file.cpu"
    done
    stop "$gateway_pid"
    stop "$party_pid"
    EXT_FLOWS_PS[$label]=$(flows_per_s "$file")
    EXT_CLIENT_MS[$label]=$(awk '{print $1}' "$file.cpu" | median)
    EXT_GATEWAY_MS[$label]=$(awk '{print $2}' "$file.cpu" | median)
    EXT_PARTY_MS[$label]=$(awk '{print $3}' "$file.cpu" | median)
    EXT_SHARE[$label]=$(awk '{print $4}' "$file.cpu" | median)
    echo "$label: ${EXT_FLOWS_PS[$label]} flows/s; CPU per flow: client ${EXT_CLIENT_MS[$label]} ms," \
        "gateway ${EXT_GATEWAY_MS[$label]} ms, party ${EXT_PARTY_MS[$label]} ms: the client's share ${EXT_SHARE[$label]}"
}
echo "== the load client against external servers, CPU of each process (median of $RUNS)"
external_load memory 0
external_load data-dir 1

declare -A MEM_IDLE MEM_PARTY_IDLE MEM_GATEWAY MEM_PARTY
per_sale() { awk -v a="$2" -v b="$1" -v n="$3" 'BEGIN {printf "%.0f", (a - b) * 1024 / n}'; }
mb() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
# memory LABEL CVV DURABLE COUNT [gateway args]: fresh servers; VmRSS of both idle, then after COUNT sales of
# that CVV.
memory() {
    local label=$1 cvv=$2 durable=$3 count=$4
    shift 4
    # shellcheck disable=SC2046
    start party "$BIN/party-server" --listen 127.0.0.1:0 $(data_dir party "$durable")
    local party_url=$URL party_pid=$PID
    # shellcheck disable=SC2046
    start gateway "$BIN/connpay-gateway" --listen 127.0.0.1:0 --party-url "$party_url" --sandbox-timings \
        $(data_dir gateway "$durable") "$@"
    local gateway_url=$URL gateway_pid=$PID
    sleep 1
    local gateway_idle party_idle gateway_after party_after
    gateway_idle=$(rss_kb "$gateway_pid")
    party_idle=$(rss_kb "$party_pid")
    "$BIN/bench-probe" sales --gateway "$gateway_url" --party "$party_url" --count "$count" --concurrency 32 \
        --cvv "$cvv" | tee "$OUT/sales-$label.txt"
    sleep 3 # callbacks and notifications of the last sales
    gateway_after=$(rss_kb "$gateway_pid")
    party_after=$(rss_kb "$party_pid")
    stop "$gateway_pid"
    stop "$party_pid"
    MEM_IDLE[$label]=$(mb "$gateway_idle")
    MEM_PARTY_IDLE[$label]=$(mb "$party_idle")
    MEM_GATEWAY[$label]=$(per_sale "$gateway_idle" "$gateway_after" "$count")
    MEM_PARTY[$label]=$(per_sale "$party_idle" "$party_after" "$count")
    echo "$label: gateway VmRSS idle ${gateway_idle} kB, after ${gateway_after} kB: ${MEM_GATEWAY[$label]} B per sale;" \
        "party idle ${party_idle} kB, after ${party_after} kB: ${MEM_PARTY[$label]} B per sale"
}
echo "== resident memory, idle and after $SALES sales"
memory approved 123 0 "$SALES"
# Left on the 3-D Secure page, each sale stays open with its abandonment timer armed (an hour: none fires).
memory 3ds 321 0 "$SALES" --three-ds-timeout-ms 3600000
memory approved-data-dir 123 1 "$DURABLE_SALES"

WIREMOCK_RATIO=n/a
[ "$WIREMOCK_RPS" != "not measured" ] && WIREMOCK_RATIO=$(ratio "$STATUS_RPS" "$WIREMOCK_RPS")
cat <<EOF | tee "$OUT/summary.md"

| measure | result | compared with | target |
|---|---|---|---|
| cold start to first 200, connpay-gateway | ${COLD_GATEWAY} ms | floor ${COLD_FLOOR} ms (x$(ratio "$COLD_GATEWAY" "$COLD_FLOOR")) | <= 30 ms |
| cold start to first 200, party-server | ${COLD_PARTY} ms | floor ${COLD_FLOOR} ms (x$(ratio "$COLD_PARTY" "$COLD_FLOOR")) | <= 30 ms |
| cold start to first 200, bench-floor | ${COLD_FLOOR} ms | | <= 30 ms |
| sale status polling, req/s | ${STATUS_RPS} | floor ${FLOOR_RPS} ($(ratio "$STATUS_RPS" "$FLOOR_RPS") of it) | >= 0.70 of the floor |
| sale status polling, p99 | ${STATUS_P99} ms | floor ${FLOOR_P99} ms | |
| sale status polling, server CPU per request | ${STATUS_CPU} us | floor ${FLOOR_CPU} us ($(ratio "$FLOOR_CPU" "$STATUS_CPU") of the gateway's) | <= ~22 us |
| WireMock status stub, req/s | ${WIREMOCK_RPS} (p99 ${WIREMOCK_P99} ms) | gateway / WireMock = ${WIREMOCK_RATIO} | |
| 3-D Secure flows/s, embedded, $FLOWS flows, concurrency 64 | ${FLOWS_PS} (p99 ${FLOWS_P99} ms) | ${FLOWS_PER_CPU} flows per CPU-second (x $(nproc) cores = $(awk -v f="$FLOWS_PER_CPU" -v n="$(nproc)" 'BEGIN {print f * n}') if alone) | >= 2000 |
| 3-D Secure flows/s, external servers | ${EXT_FLOWS_PS[memory]} | CPU per flow: client ${EXT_CLIENT_MS[memory]} ms, gateway ${EXT_GATEWAY_MS[memory]} ms, party ${EXT_PARTY_MS[memory]} ms | client's share <= 0.33: ${EXT_SHARE[memory]} |
| 3-D Secure flows/s, external servers, --data-dir | ${EXT_FLOWS_PS[data-dir]} | CPU per flow: client ${EXT_CLIENT_MS[data-dir]} ms, gateway ${EXT_GATEWAY_MS[data-dir]} ms, party ${EXT_PARTY_MS[data-dir]} ms | client's share <= 0.33: ${EXT_SHARE[data-dir]} |
| VmRSS idle, gateway / party | ${MEM_IDLE[approved]} MB / ${MEM_PARTY_IDLE[approved]} MB | with --data-dir ${MEM_IDLE[approved-data-dir]} MB / ${MEM_PARTY_IDLE[approved-data-dir]} MB | <= 20 MB |
| bytes per retained sale, approved, gateway / party | ${MEM_GATEWAY[approved]} B / ${MEM_PARTY[approved]} B | ${SALES} sales | <= 1536 B |
| bytes per retained sale, 3-D Secure (timer armed), gateway / party | ${MEM_GATEWAY[3ds]} B / ${MEM_PARTY[3ds]} B | ${SALES} sales | <= 1536 B |
| bytes per retained sale, approved, --data-dir, gateway / party | ${MEM_GATEWAY[approved-data-dir]} B / ${MEM_PARTY[approved-data-dir]} B | ${DURABLE_SALES} sales | <= 1536 B |
EOF
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"

if [ "$SMOKE" = 1 ]; then
    # Every measurement must have printed a number; how big it is does not matter here.
    missing=0
    for figure in "$COLD_GATEWAY" "$COLD_PARTY" "$COLD_FLOOR" "$STATUS_RPS" "$STATUS_CPU" "$FLOOR_RPS" \
        "$FLOWS_PS" "$FLOWS_PER_CPU" "${EXT_FLOWS_PS[@]}" "${EXT_CLIENT_MS[@]}" "${EXT_GATEWAY_MS[@]}" \
        "${EXT_PARTY_MS[@]}" "${MEM_IDLE[@]}" "${MEM_GATEWAY[@]}" "${MEM_PARTY[@]}"; do
        [[ "$figure" =~ ^-?[0-9]+(\.[0-9]+)?$ ]] || missing=$((missing + 1))
    done
    if [ "$missing" -gt 0 ]; then
        echo "error: $missing measurement(s) printed no figure; see $OUT" >&2
        exit 1
    fi
    echo "smoke: every measurement completed"
fi
