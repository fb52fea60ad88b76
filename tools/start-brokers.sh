#!/usr/bin/env bash
# Make sure the brokers the transformer tests use answer: Redis on 127.0.0.1:6379 and RabbitMQ
# on 127.0.0.1:5672 (guest/guest). Starts whichever is down, then waits until it answers.
# Skipped for a broker whose test URL is set (BACKDROP_TEST_REDIS_URL, BACKDROP_TEST_AMQP_URL).
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "start-brokers: $what did not answer in time" >&2
      return 1
    fi
    sleep 0.5
  done
}

redis_answers() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if [ -z "${BACKDROP_TEST_REDIS_URL:-}" ] && ! redis_answers; then
  command -v redis-server >/dev/null || { echo "start-brokers: redis-server is not installed" >&2; exit 1; }
  echo "start-brokers: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for 30 Redis redis_answers
fi

if [ -z "${BACKDROP_TEST_AMQP_URL:-}" ] && ! port_open 5672; then
  command -v rabbitmq-server >/dev/null || { echo "start-brokers: rabbitmq-server is not installed" >&2; exit 1; }
  echo "start-brokers: starting RabbitMQ"
  rabbitmq-server -detached
  wait_for 120 RabbitMQ port_open 5672
  rabbitmqctl -q await_startup --timeout 120 >/dev/null
fi
