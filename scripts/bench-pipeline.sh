#!/usr/bin/env bash
# Benchmarks of the order pipeline (issue 7), each next to its baseline in
# the same run:
#  1. checkout acceptance, 64 buyers over HTTP, embedded default (SQLite):
#     queued mode (202) vs synchronous mode (201), at the simulated
#     provider's latency PAYMENT_LATENCY (default 0, the sync mode's best
#     case), at 20ms and at 100ms (a card network round trip);
#  2. fulfilled orders/s sustained: a backlog of FULFIL queued orders run to
#     shipped by one worker, SQLite with DBOS in its own file (the default)
#     and in the shop's file, and PostgreSQL when PEAKSHOP_TEST_POSTGRES is
#     set;
#  3. JetStream on the embedded server: shop events published and handled by
#     a durable consumer vs raw async publishes of the same size (`nats bench
#     --js pub --async` style).
# Bounded: a few minutes. Results also go to bench-results/pipeline.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
ORDERS=${ORDERS:-20000}
FULFIL=${FULFIL:-3000}
EVENTS=${EVENTS:-50000}
PAYMENT_LATENCY=${PAYMENT_LATENCY:-0s}
out=bench-results/pipeline.txt
mkdir -p bench-results
: >"$out"
say() { echo "$*" | tee -a "$out"; }
# metric FILE BENCHMARK-NAME-REGEX UNIT: the value before UNIT on that line.
metric() { awk -v re="$2" -v unit="$3" '$1 ~ re { for (i = 2; i <= NF; i++) if ($i == unit) print $(i-1) }' "$1" | head -n1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

say "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(go version | cut -d' ' -f3)"

for lat in "$PAYMENT_LATENCY" 20ms 100ms; do
  say "== 1. checkout acceptance, 64 buyers, $ORDERS orders per mode, payment latency $lat"
  PEAKSHOP_BENCH_PAYMENT_LATENCY=$lat go test -run '^$' -bench 'BenchmarkQueuedCheckout' -benchtime "${ORDERS}x" -count 1 ./internal/app/ | tee "$tmp/accept" | tee -a "$out"
  for engine in sqlite postgres; do
    sync=$(metric "$tmp/accept" "QueuedCheckout/$engine/sync" orders/s)
    queued=$(metric "$tmp/accept" "QueuedCheckout/$engine/queued" orders/s)
    [ -n "$sync" ] && say "acceptance ($engine, latency $lat): queued $queued orders/s, sync $sync orders/s, ratio $(ratio "$queued" "$sync") (want >= 3; queued >= 4000/s on sqlite)"
  done
done

say "== 2. fulfilled orders/s sustained, backlog of $FULFIL queued orders"
go test -run '^$' -bench 'BenchmarkFulfilledOrders' -benchtime "${FULFIL}x" -count 1 ./internal/fulfillment/ | tee "$tmp/fulfil" | tee -a "$out"
for engine in sqlite sqlite-shared-file postgres; do
  f=$(metric "$tmp/fulfil" "FulfilledOrders/$engine-[0-9]+$" fulfilled/s)
  [ -n "$f" ] && say "fulfilled ($engine): $f orders/s (issue measured 500/s with DBOS sharing the shop's SQLite file)"
done

say "== 3. JetStream, embedded server, $EVENTS messages"
go test -run '^$' -bench 'BenchmarkJetStream' -benchtime "${EVENTS}x" -count 1 ./internal/messaging/jetstream/ | tee "$tmp/js" | tee -a "$out"
raw=$(metric "$tmp/js" "JetStream/raw-publish" msgs/s)
ev=$(metric "$tmp/js" "JetStream/events-to-consumer" events/s)
say "jetstream: events to a consumer $ev/s, raw publish $raw msgs/s, ratio $(ratio "$ev" "$raw")"
