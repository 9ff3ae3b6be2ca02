#!/usr/bin/env bash
# Installs (Debian's rabbitmq-server) and starts a local RabbitMQ on 127.0.0.1:5672 (guest/guest),
# unless MESSAGING_RABBITMQ points at an external server. Idempotent: a running node is left alone.
set -euo pipefail
if [ -n "${MESSAGING_RABBITMQ:-}" ]; then echo "[rabbitmq] using MESSAGING_RABBITMQ" >&2; exit 0; fi
log() { echo "[rabbitmq] $*" >&2; }
if ! command -v rabbitmq-server >/dev/null 2>&1; then
  log "installing rabbitmq-server"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq rabbitmq-server >/dev/null
fi
if rabbitmqctl -q status >/dev/null 2>&1; then log "already running"; exit 0; fi
log "starting"
# The package cannot start it as a service here; start the node by hand (see ../shared/ENVIRONMENT.md).
rabbitmq-server -detached >/dev/null 2>&1 || true
# The node registers with epmd a few seconds after -detached returns; until then await_startup fails.
for _ in $(seq 1 60); do
  rabbitmqctl -q await_startup >/dev/null 2>&1 && break
  sleep 1
done
rabbitmqctl -q await_startup
log "running on 127.0.0.1:5672"
