#!/usr/bin/env bash
# Starts a fresh private RabbitMQ node for the test suite on 127.0.0.1:${RMQ_TEST_PORT:-5674}, its data
# wiped first, so the tests never disturb the shared broker on 5672 and queues left by earlier runs never
# slow the node down. Prints the variables the tests read:
#   eval "$(bash eng/rabbitmq-test-node.sh)"         ->  MESSAGING_RABBITMQ (URI), MESSAGING_RABBITMQ_NODE (rabbitmqctl -n)
# With "faults", a second node of its own for the RabbitMQ fault tests (close_all_connections, stop_app/start_app),
# so the other test assemblies, which run at the same time, never lose their broker to them (port RMQ_TEST_PORT,
# default 5675):
#   eval "$(bash eng/rabbitmq-test-node.sh faults)"  ->  MESSAGING_RABBITMQ_FAULTS, MESSAGING_RABBITMQ_FAULTS_NODE
# Needs Debian's rabbitmq-server (eng/rabbitmq.sh installs it).
set -euo pipefail
case "${1:-}" in
  faults) port="${RMQ_TEST_PORT:-5675}"; prefix=MESSAGING_RABBITMQ_FAULTS ;;
  "") port="${RMQ_TEST_PORT:-5674}"; prefix=MESSAGING_RABBITMQ ;;
  *) echo "usage: $0 [faults]" >&2; exit 2 ;;
esac
node="rmqtest${port}@localhost"
base="/tmp/rmq-test-node-${port}"
log() { echo "[rabbitmq-test-node] $*" >&2; }
if rabbitmqctl -q -n "$node" status >/dev/null 2>&1; then
  log "stopping the previous test node"
  timeout 60 rabbitmqctl -q -n "$node" stop >/dev/null 2>&1 || true
fi
if [ -f "$base/node.pid" ]; then kill -9 "$(cat "$base/node.pid")" 2>/dev/null || true; fi
rm -rf "$base"
mkdir -p "$base/log" "$base/mnesia"
echo "[]." > "$base/enabled_plugins"
chown -R rabbitmq:rabbitmq "$base" 2>/dev/null || true
log "starting $node on 127.0.0.1:$port"
RABBITMQ_NODENAME="$node" RABBITMQ_NODE_PORT="$port" RABBITMQ_DIST_PORT="$((port + 20000))" \
RABBITMQ_MNESIA_BASE="$base/mnesia" RABBITMQ_LOG_BASE="$base/log" RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins" \
RABBITMQ_PID_FILE="$base/node.pid" rabbitmq-server -detached >/dev/null 2>&1 || true
for _ in $(seq 1 60); do
  rabbitmqctl -q -n "$node" await_startup >/dev/null 2>&1 && break
  sleep 1
done
rabbitmqctl -q -n "$node" await_startup
echo "export ${prefix}=amqp://guest:guest@127.0.0.1:${port}/"
echo "export ${prefix}_NODE=${node}"
