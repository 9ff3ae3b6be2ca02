#!/usr/bin/env bash
# Installs the clients of other languages that the wire-contract tests publish and consume with:
# Python's pika (RabbitMQ) and confluent-kafka (Kafka), both from Debian, for Debian's own python3
# (/usr/bin/python3; a python3 earlier on PATH, such as pyenv's, does not see Debian's packages).
# Idempotent: apt-get runs only when a module is missing. See docs/wire-format.md.
set -euo pipefail
log() { echo "[foreign-clients] $*" >&2; }
python=/usr/bin/python3
missing=()
"$python" -c 'import pika' 2>/dev/null || missing+=(python3-pika)
"$python" -c 'import confluent_kafka' 2>/dev/null || missing+=(python3-confluent-kafka)
if [ ${#missing[@]} -eq 0 ]; then log "pika and confluent-kafka present"; exit 0; fi
log "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
"$python" -c 'import pika, confluent_kafka'
log "pika and confluent-kafka installed"
