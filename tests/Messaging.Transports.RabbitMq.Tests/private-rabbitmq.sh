#!/usr/bin/env bash
# Starts a private RabbitMQ node for this test project, so its fault tests (close_all_connections,
# stop_app/start_app) never disturb a broker other people use, and their faults never disturb these tests.
# Usage: eval "$(bash tests/Messaging.Transports.RabbitMq.Tests/private-rabbitmq.sh)"  then  dotnet test ...
# Prints the two variables the tests read: MESSAGING_RABBITMQ (the URI) and MESSAGING_RABBITMQ_NODE (for rabbitmqctl -n).
# Idempotent: a running node is left alone. Needs Debian's rabbitmq-server (eng/rabbitmq.sh installs it).
set -euo pipefail
port="${RMQ_TEST_PORT:-5674}"
node="rmqtest${port}@localhost"
base="/tmp/rmq-test-node-${port}"
log() { echo "[private-rabbitmq] $*" >&2; }
if ! rabbitmqctl -q -n "$node" status >/dev/null 2>&1; then
  log "starting $node on 127.0.0.1:$port"
  mkdir -p "$base/log" "$base/mnesia"
  echo "[]." > "$base/enabled_plugins"
  chown -R rabbitmq:rabbitmq "$base" 2>/dev/null || true
  RABBITMQ_NODENAME="$node" RABBITMQ_NODE_PORT="$port" RABBITMQ_DIST_PORT="$((port + 20000))" \
  RABBITMQ_MNESIA_BASE="$base/mnesia" RABBITMQ_LOG_BASE="$base/log" RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins" \
  RABBITMQ_PID_FILE="$base/node.pid" rabbitmq-server -detached >/dev/null 2>&1 || true
  for _ in $(seq 1 60); do
    rabbitmqctl -q -n "$node" await_startup >/dev/null 2>&1 && break
    sleep 1
  done
  rabbitmqctl -q -n "$node" await_startup
fi
echo "export MESSAGING_RABBITMQ=amqp://guest:guest@127.0.0.1:${port}/"
echo "export MESSAGING_RABBITMQ_NODE=${node}"
