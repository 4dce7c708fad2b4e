#!/usr/bin/env bash
# The storefront's product page, rendered by the app, against the same bytes
# served as a static file by nginx, measured with wrk in one run on this
# machine. Target: the app serves at least half nginx's requests/s. Both
# servers and wrk share the machine's cores, so the ratio is what counts, not
# the absolute numbers. Bounded: about half a minute. Results also go to
# bench-results/storefront.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
SLUG=${SLUG:-heritage-denim-shirt}
# APP_FLAGS adds serve flags, e.g. APP_FLAGS="--trace-sample 0.01" to see what tracing every request costs.
APP_FLAGS=${APP_FLAGS:-}
out=bench-results/storefront.txt
mkdir -p bench-results
: >"$out"
say() { echo "$*" | tee -a "$out"; }

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
command -v nginx >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx; }
tmp=$(mktemp -d)
chmod 755 "$tmp" # nginx workers run as another user and must read the page
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

wait_http() { # url
  for _ in $(seq 1 120); do curl -sf -o /dev/null "$1" && return 0; sleep 0.5; done
  echo "bench-storefront: $1 did not answer" >&2; return 1
}
rps() { awk '/Requests\/sec/ {print $2}'; }

say "== machine: $(nproc) cores, $(uname -r), $(go version | cut -d' ' -f3), $(nginx -v 2>&1)"
go build -o "$tmp/peakshop" ./cmd/peakshop
# Rate rules off: one wrk client on 127.0.0.1 is, to them, one abusive IP
# (nginx has none either). The rest of the edge stays in front.
PEAKSHOP_ADMIN_TOKEN=bench "$tmp/peakshop" serve --addr 127.0.0.1:18180 --data "$tmp/data" --log-level warn --edge-rate-rules=off $APP_FLAGS >"$tmp/shop.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:18180/products/$SLUG"

# The static copy: exactly the bytes the app sends for the page.
mkdir -p "$tmp/www/products"
curl -sf "http://127.0.0.1:18180/products/$SLUG" -o "$tmp/www/products/$SLUG.html"
size=$(wc -c <"$tmp/www/products/$SLUG.html")
cat >"$tmp/nginx.conf" <<CONF
worker_processes auto;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  open_file_cache max=100 inactive=60s;
  open_file_cache_valid 60s;
  types { text/html html; }
  client_body_temp_path $tmp/nginx-tmp;
  proxy_temp_path $tmp/nginx-tmp;
  fastcgi_temp_path $tmp/nginx-tmp;
  uwsgi_temp_path $tmp/nginx-tmp;
  scgi_temp_path $tmp/nginx-tmp;
  server {
    listen 127.0.0.1:18181;
    root $tmp/www;
    location / { try_files \$uri.html =404; }
  }
}
CONF
mkdir -p "$tmp/nginx-tmp"
nginx -c "$tmp/nginx.conf"
wait_http "http://127.0.0.1:18181/products/$SLUG"

say "== GET /products/$SLUG ($size bytes of HTML): wrk -t2 -c$CONNS -d$DURATION"
wrk -t2 -c"$CONNS" -d"$DURATION" "http://127.0.0.1:18180/products/$SLUG" >"$tmp/app.txt"
wrk -t2 -c"$CONNS" -d"$DURATION" "http://127.0.0.1:18181/products/$SLUG" >"$tmp/nginx.txt"
say "-- app (rendered, page cache on):"; tee -a "$out" <"$tmp/app.txt"
say "-- nginx (static file):"; tee -a "$out" <"$tmp/nginx.txt"
app=$(rps <"$tmp/app.txt"); ngx=$(rps <"$tmp/nginx.txt")
say "== product page: app $app req/s, nginx $ngx req/s, ratio $(awk -v a="$app" -v n="$ngx" 'BEGIN {printf "%.2f", a/n}') (target >= 0.5)"
# A ratio over refusals measures nothing.
if grep -q 'Non-2xx' "$tmp/app.txt" "$tmp/nginx.txt"; then
  say "bench-storefront: some answers were not 2xx/3xx (see above); the ratio is void"
  exit 1
fi
