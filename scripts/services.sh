#!/usr/bin/env bash
# Starts this machine's PostgreSQL, Redis and NATS when they are down, with the
# commands from the machine notes, and waits until each answers. Idempotent.
set -euo pipefail

wait_port() { # host port name
  for _ in $(seq 1 60); do
    if (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; then return 0; fi
    sleep 0.5
  done
  echo "services: $3 did not come up on $1:$2" >&2
  return 1
}
up() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

if ! up 127.0.0.1 5432; then
  echo "services: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
fi
wait_port 127.0.0.1 5432 PostgreSQL

if ! up 127.0.0.1 6379; then
  echo "services: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
wait_port 127.0.0.1 6379 Redis

if ! up 127.0.0.1 4222; then
  echo "services: starting NATS"
  mkdir -p /var/lib/nats-server
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
fi
wait_port 127.0.0.1 4222 NATS
