#!/usr/bin/env bash
# bench-load.sh: how many requests a second `peakshop load` generates from
# ONE core against a trivial Go server, next to wrk and vegeta in the same
# run on the same server.
#
# The server runs on one core (GOMAXPROCS=1, taskset CPU $SERVER_CPU) and
# each generator on another (GOMAXPROCS=1, taskset CPU $GEN_CPU), one after
# the other, DURATION each. peakshop load runs the open model: a constant
# schedule of RATE single-GET sessions a second; it reports what it achieved
# and how many arrivals were late. wrk and vegeta run flat out (closed loop,
# CONNS connections / workers), which is the ceiling of each tool.
#
# Usage: scripts/bench-load.sh            (DURATION=10s RATE=25000 CONNS=64)
# Needs: go, taskset; wrk (apt-get install -y wrk if missing); vegeta is
# installed with `go install` into a temporary GOBIN.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
RATE=${RATE:-25000}
CONNS=${CONNS:-64}
SERVER_CPU=${SERVER_CPU:-1}
GEN_CPU=${GEN_CPU:-0}
PORT=${PORT:-18089}

work=$(mktemp -d)
server_pid=""
cleanup() {
	if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

if ! command -v wrk >/dev/null; then
	echo "installing wrk (Debian package)" >&2
	sudo -n apt-get install -y wrk >/dev/null 2>&1 || apt-get install -y wrk >/dev/null
fi
echo "building peakshop, vegeta and the trivial server" >&2
go build -o "$work/peakshop" ./cmd/peakshop
GOBIN="$work/bin" go install github.com/tsenart/vegeta/v12@v12.13.0
mkdir -p "$work/server"
cat >"$work/server/main.go" <<'GO'
// A trivial server: the smallest useful answer, so the generator is what
// gets measured.
package main

import (
	"net/http"
	"os"
)

func main() {
	body := []byte("ok\n")
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(body)
	})
	if err := http.ListenAndServe("127.0.0.1:"+os.Args[1], nil); err != nil {
		panic(err)
	}
}
GO
(cd "$work/server" && go mod init trivial >/dev/null 2>&1 && go build -o "$work/trivial" .)

GOMAXPROCS=1 taskset -c "$SERVER_CPU" "$work/trivial" "$PORT" &
server_pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/" >/dev/null && break; sleep 0.1; done
target="http://127.0.0.1:$PORT"

cat >"$work/scenario.json" <<JSON
{"name": "bench single GET", "profile": {"kind": "constant", "rate": $RATE},
 "max_requests": 50000000, "max_shoppers": $CONNS, "graceful_stop": "2s",
 "journeys": [{"name": "get", "weight": 1, "steps": ["get /"]}]}
JSON

peakshop_run() { # offered rate, label
	sed "s/\"rate\": $RATE/\"rate\": $1/" "$work/scenario.json" >"$work/scenario-$1.json"
	echo
	echo "== peakshop load ($2: $1/s offered, at most $CONNS in flight, 1 core) =="
	GOMAXPROCS=1 taskset -c "$GEN_CPU" "$work/peakshop" load --target "$target" --scenario "$work/scenario-$1.json" \
		--duration "$DURATION" --out "$work/out-$1" --quiet --late-after 100ms >/dev/null || true
	python3 - "$work/out-$1/results.json" <<'PY' || true
import json, sys
r = json.load(open(sys.argv[1]))
s = r["steps"]["all"]
print(f"peakshop load: {r['requests_per_sec']:.0f} req/s over {r['seconds']:.1f}s ({r['requests']} requests), p50 {s['p50_ms']:.2f} ms, "
      f"p99 {s['p99_ms']:.2f} ms, errors {r['error_rate']*100:.2f}%, late arrivals {r['late_arrivals']} of {r['arrivals']}, never sent {r['unsent_arrivals']}")
PY
}
peakshop_run "$RATE" "open model at the target rate"
peakshop_run "$((RATE * 2))" "offered twice the target: its ceiling"

echo
echo "== wrk (closed loop, 1 thread, $CONNS connections, 1 core) =="
taskset -c "$GEN_CPU" wrk -t1 -c"$CONNS" -d"$DURATION" --latency "$target/" | grep -E "Requests/sec|Latency|99%|50%"

echo
echo "== vegeta (rate=0: flat out, $CONNS workers, 1 core) =="
echo "GET $target/" | GOMAXPROCS=1 taskset -c "$GEN_CPU" "$work/bin/vegeta" attack -rate=0 -max-workers="$CONNS" -workers="$CONNS" -duration="$DURATION" \
	| "$work/bin/vegeta" report | grep -E "Requests|Latencies|Success"

echo
echo "== vegeta (open model at $RATE/s, 1 core) =="
echo "GET $target/" | GOMAXPROCS=1 taskset -c "$GEN_CPU" "$work/bin/vegeta" attack -rate="$RATE" -max-workers="$CONNS" -duration="$DURATION" \
	| "$work/bin/vegeta" report | grep -E "Requests|Latencies|Success"
