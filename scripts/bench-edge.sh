#!/usr/bin/env bash
# bench-edge.sh: cache-hit throughput and latency of the peakshop edge
# against nginx with proxy_cache, serving the same object from the same
# origin over loopback, measured with wrk using the same connections.
# Installs nginx and wrk with apt-get when missing. Bounded: about a minute.
#
#   scripts/bench-edge.sh            # defaults: 2 threads, 64 connections, 8 s, 2 rounds
#   DURATION=5s CONNS=128 ROUNDS=3 LINES=30 scripts/bench-edge.sh
#
# LINES sets the object's size: 80 lines (the default) is a 5.6 KB page, 30
# lines is 2.1 KB. net/http writes any response over its 4 KB connection
# buffer with two write system calls where nginx uses one writev, which on
# loopback was most of the difference; the edge now sends a cache hit in one
# (package cork). A second edge with --cork-hits=off runs beside it, so the
# same run shows both.
#
# wrk, nginx and the edges share the machine's cores, and so does anything
# else running; rounds alternate nginx and the edges and each keeps its best
# round, so a burst of outside load does not decide the comparison.
set -euo pipefail

DURATION=${DURATION:-8s}
ROUNDS=${ROUNDS:-2}
LINES=${LINES:-80}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
ORIGIN_PORT=${ORIGIN_PORT:-18090}
NGINX_PORT=${NGINX_PORT:-18091}
EDGE_PORT=${EDGE_PORT:-18092}
EDGE_ADMIN_PORT=${EDGE_ADMIN_PORT:-18093}
EDGE2_PORT=${EDGE2_PORT:-18094}
EDGE2_ADMIN_PORT=${EDGE2_ADMIN_PORT:-18095}

cd "$(dirname "$0")/.."
need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} ..."
  timeout 300 apt-get update -qq
  DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -qq "${need[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "building peakshop ..."
if ! timeout 300 go build -o "$work/peakshop" ./cmd/peakshop 2>"$work/build.log"; then
  # The shop's own packages may be mid-change; the edge does not need them.
  # Build a throwaway main that runs only the edge, then remove it.
  echo "cmd/peakshop does not build ($(head -1 "$work/build.log")); building the edge alone" >&2
  tmpmain=internal/edge/_benchmain
  mkdir -p "$tmpmain"
  cat > "$tmpmain/main.go" <<'GO'
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"

	"github.com/peakshop/peakshop/internal/edge"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, os.Kill)
	defer stop()
	cfg, err := edge.ParseArgs(os.Args[2:], os.Getenv, os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	e, err := edge.New(cfg, slog.New(slog.NewJSONHandler(os.Stderr, nil)))
	if err != nil {
		os.Exit(1)
	}
	defer e.Close()
	if err := e.Run(ctx); err != nil {
		os.Exit(1)
	}
}
GO
  go build -o "$work/peakshop" "./$tmpmain"; rc=$?
  rm -rf "$tmpmain"
  [ $rc -eq 0 ] || exit $rc
fi

# The object: a product page (5.6 KB by default) the origin marks cacheable.
mkdir -p "$work/www/products" "$work/cache" "$work/logs"
{
  echo '<!doctype html><html><head><title>Product 42</title></head><body>'
  for i in $(seq 1 "$LINES"); do echo "<p>Black Friday deal line $i: running shoes, 40% off today only.</p>"; done
  echo '</body></html>'
} > "$work/www/products/42.html"

cat > "$work/nginx.conf" <<NGINX
worker_processes auto;
pid $work/nginx.pid;
error_log $work/logs/error.log warn;
daemon on;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  proxy_cache_path $work/cache levels=1:2 keys_zone=shop:10m max_size=256m inactive=10m use_temp_path=off;
  # The origin.
  server {
    listen 127.0.0.1:$ORIGIN_PORT;
    root $work/www;
    location / { add_header Cache-Control "public, s-maxage=3600"; add_header Surrogate-Key "product-42"; }
  }
  # nginx as a caching reverse proxy: the peer we compare with.
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://127.0.0.1:$ORIGIN_PORT;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache shop;
      proxy_cache_lock on;
      add_header X-Cache \$upstream_cache_status;
    }
  }
}
NGINX
chmod -R a+rX "$work" # nginx workers run unprivileged
"$NGINX" -c "$work/nginx.conf" -p "$work"

GOMAXPROCS=2 "$work/peakshop" edge --addr "127.0.0.1:$EDGE_PORT" --admin-addr "127.0.0.1:$EDGE_ADMIN_PORT" \
  --upstream "http://127.0.0.1:$ORIGIN_PORT" --rate-rules=off --waf=block >"$work/edge.out" 2>"$work/edge.log" &
pids+=($!)
GOMAXPROCS=2 "$work/peakshop" edge --addr "127.0.0.1:$EDGE2_PORT" --admin-addr "127.0.0.1:$EDGE2_ADMIN_PORT" \
  --upstream "http://127.0.0.1:$ORIGIN_PORT" --rate-rules=off --waf=block --cork-hits=off >"$work/edge2.out" 2>"$work/edge2.log" &
pids+=($!)

url_nginx="http://127.0.0.1:$NGINX_PORT/products/42.html"
url_edge="http://127.0.0.1:$EDGE_PORT/products/42.html"
url_edge2="http://127.0.0.1:$EDGE2_PORT/products/42.html"
for i in $(seq 1 100); do
  curl -fsS -o /dev/null "$url_edge" 2>/dev/null && curl -fsS -o /dev/null "$url_edge2" 2>/dev/null &&
    curl -fsS -o /dev/null "$url_nginx" 2>/dev/null && break
  sleep 0.1
done
xcache() { curl -fsS -D - -o /dev/null "$1" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-cache"{print $2}'; }
xcache "$url_nginx" >/dev/null; xcache "$url_edge" >/dev/null; xcache "$url_edge2" >/dev/null # fill the caches
n_x=$(xcache "$url_nginx") e_x=$(xcache "$url_edge") e2_x=$(xcache "$url_edge2")
echo "object: $(wc -c < "$work/www/products/42.html") bytes; second request: nginx X-Cache=$n_x, edge X-Cache=$e_x, uncorked edge X-Cache=$e2_x"
if [ "$n_x" != HIT ] || [ "$e_x" != HIT ] || [ "$e2_x" != HIT ]; then
  echo "bench-edge: both must answer from cache; edge log:" >&2
  tail -20 "$work/edge.log" >&2
  exit 1
fi

# run URL: prints "requests/s p99_ms"
run() {
  timeout 5 wrk -t"$THREADS" -c"$CONNS" -d2s "$1" >/dev/null # warm up
  local out
  out=$(timeout 60 wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$1")
  echo "$out" >&2
  local rps p99
  rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  p99=$(echo "$out" | awk '$1=="99%"{print $2}')
  echo "$rps $(to_ms "$p99")"
}
to_ms() { # wrk prints 1.23ms, 850.00us or 1.02s
  awk -v v="$1" 'BEGIN{ if (v ~ /us$/) { sub(/us$/,"",v); print v/1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v); print v } else { sub(/s$/,"",v); print v*1000 } }'
}

n_rps=0 n_p99=0 e_rps=0 e_p99=0 u_rps=0 u_p99=0
for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round: nginx proxy_cache ($THREADS threads, $CONNS connections, $DURATION)" >&2
  read -r rps p99 < <(run "$url_nginx")
  if awk -v a="$rps" -v b="$n_rps" 'BEGIN{exit !(a>b)}'; then n_rps=$rps n_p99=$p99; fi
  echo "== round $round: peakshop edge" >&2
  read -r rps p99 < <(run "$url_edge")
  if awk -v a="$rps" -v b="$e_rps" 'BEGIN{exit !(a>b)}'; then e_rps=$rps e_p99=$p99; fi
  echo "== round $round: peakshop edge, --cork-hits=off" >&2
  read -r rps p99 < <(run "$url_edge2")
  if awk -v a="$rps" -v b="$u_rps" 'BEGIN{exit !(a>b)}'; then u_rps=$rps u_p99=$p99; fi
done
echo
printf "%-22s %12s %10s\n" "cache hits (best round)" "requests/s" "p99 ms"
printf "%-22s %12s %10s\n" "nginx proxy_cache" "$n_rps" "$n_p99"
printf "%-22s %12s %10s\n" "peakshop edge" "$e_rps" "$e_p99"
printf "%-22s %12s %10s\n" "edge --cork-hits=off" "$u_rps" "$u_p99"
awk -v e="$e_rps" -v n="$n_rps" -v ep="$e_p99" -v np="$n_p99" 'BEGIN{
  printf "throughput ratio edge/nginx: %.2fx (target >= 0.80x)\n", e/n
  printf "p99 ratio edge/nginx:        %.2fx (target <= 2.00x)\n", ep/np
}'
awk -v e="$u_rps" -v n="$n_rps" -v ep="$u_p99" -v np="$n_p99" 'BEGIN{
  printf "without cork, edge/nginx:    %.2fx throughput, %.2fx p99\n", e/n, ep/np
}'
