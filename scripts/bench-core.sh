#!/usr/bin/env bash
# Benchmarks of the commerce core, each against a baseline in the same run:
#  1. checkout orders/s and p99 with 64 concurrent buyers, SQLite (and
#     PostgreSQL when PEAKSHOP_TEST_POSTGRES is set, next to pgbench's
#     TPC-B-like tps on the same server);
#  2. GET /api/v1/products/{id} from the app vs a bare net/http handler that
#     returns the same bytes, with wrk.
# Bounded: about two minutes. Results also go to bench-results/core.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
ORDERS=${ORDERS:-20000}
DURATION=${DURATION:-10s}
out=bench-results/core.txt
mkdir -p bench-results
: >"$out"
say() { echo "$*" | tee -a "$out"; }

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

say "== machine: $(nproc) cores, $(uname -r), $(go version | cut -d' ' -f3)"
say "== 1. checkout, 64 concurrent buyers, $ORDERS orders over HTTP on loopback"
go test -run '^$' -bench 'BenchmarkCheckout' -benchtime "${ORDERS}x" -count 1 ./internal/app/ | tee -a "$out"

if [ -n "${PEAKSHOP_TEST_POSTGRES:-}" ]; then
  say "== baseline: pgbench TPC-B-like, 64 clients, 15 s, same PostgreSQL"
  psql "$PEAKSHOP_TEST_POSTGRES" -qc 'DROP DATABASE IF EXISTS peakshop_pgbench' -c 'CREATE DATABASE peakshop_pgbench' >/dev/null
  pgurl=${PEAKSHOP_TEST_POSTGRES/\/test\?/\/peakshop_pgbench?}
  pgbench -i -s 10 -q "$pgurl" >/dev/null 2>&1
  pgbench -c 64 -j 2 -T 15 -M prepared "$pgurl" 2>/dev/null | grep -E 'tps|latency' | tee -a "$out"
  psql "$PEAKSHOP_TEST_POSTGRES" -qc 'DROP DATABASE peakshop_pgbench' >/dev/null
fi

say "== 2. GET /api/v1/products/{id}: app vs bare handler, wrk -t2 -c64 -d$DURATION"
go build -o "$tmp/peakshop" ./cmd/peakshop
go build -o "$tmp/bare" ./scripts/bench/barehandler
PEAKSHOP_ADMIN_TOKEN=bench "$tmp/peakshop" serve --edge=false --addr 127.0.0.1:18080 --data "$tmp/data" --log-level warn &
pids+=($!)
for _ in $(seq 1 100); do curl -fs 127.0.0.1:18080/readyz >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs 127.0.0.1:18080/api/v1/products/1 >"$tmp/product.json"
"$tmp/bare" --addr 127.0.0.1:18081 --body "$tmp/product.json" &
pids+=($!)
sleep 0.5
rps() { wrk -t2 -c64 -d"$DURATION" --latency "$1" | tee -a "$out" | awk '/Requests\/sec/ {print $2}'; }
say "-- bare handler"; bare=$(rps http://127.0.0.1:18081/api/v1/products/1)
say "-- peakshop";     app=$(rps http://127.0.0.1:18080/api/v1/products/1)
say "product read: app ${app} req/s, bare ${bare} req/s, ratio $(awk -v a="$app" -v b="$bare" 'BEGIN{printf "%.2f", a/b}')"
