#!/usr/bin/env bash
# Runs librdkafka's mock cluster (3 brokers, real Kafka protocol on loopback TCP) in the background
# for machines without a Kafka broker, unless MESSAGING_KAFKA points at an external cluster.
# Usage: eng/kafka-mock.sh start|stop|status
#   start   build eng/KafkaMockCluster if needed, start it, print the bootstrap servers (idempotent)
#   stop    stop it
#   status  print the bootstrap servers and exit 0 if running, else exit 1
# State: ${MESSAGING_STATE_DIR:-<repo>/.state}/kafka-mock.pid, kafka.bootstrap, kafka-mock.log
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
log() { echo "[kafka-mock] $*" >&2; }
cmd=${1:-start}
if [ -n "${MESSAGING_KAFKA:-}" ]; then log "using MESSAGING_KAFKA=$MESSAGING_KAFKA; no mock cluster"; exit 0; fi

state="${MESSAGING_STATE_DIR:-$repo/.state}"
pidfile="$state/kafka-mock.pid"
bootstrap="$state/kafka.bootstrap"
logfile="$state/kafka-mock.log"
project="$repo/eng/KafkaMockCluster"
# Built into the state folder, so a solution build never overwrites the running assembly.
bin="$state/kafka-mock-bin"
dll="$bin/KafkaMockCluster.dll"

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

case "$cmd" in
  start)
    if running && [ -s "$bootstrap" ]; then cat "$bootstrap"; exit 0; fi
    bash "$repo/eng/librdkafka.sh"
    mkdir -p "$state"
    if running; then kill "$(cat "$pidfile")" 2>/dev/null || true; fi   # alive but no bootstrap file: restart
    rm -f "$pidfile" "$bootstrap"
    if [ ! -f "$dll" ] || [ -n "$(find "$project" \( -name '*.cs' -o -name '*.csproj' \) -not -path '*/obj/*' -not -path '*/bin/*' -newer "$dll" -print -quit)" ]; then
      log "building eng/KafkaMockCluster"
      dotnet build "$project" -c Release -o "$bin" -v quiet -nologo >"$state/kafka-mock-build.log" 2>&1 \
        || { cat "$state/kafka-mock-build.log" >&2; exit 1; }
    fi
    log "starting"
    setsid nohup dotnet "$dll" --bootstrap-file "$bootstrap" >"$logfile" 2>&1 < /dev/null &
    echo $! > "$pidfile"
    for _ in $(seq 1 300); do
      [ -s "$bootstrap" ] && break
      running || { cat "$logfile" >&2; log "exited before it was ready"; exit 1; }
      sleep 0.1
    done
    [ -s "$bootstrap" ] || { cat "$logfile" >&2; log "no bootstrap servers after 30 s"; exit 1; }
    cat "$bootstrap"
    ;;
  stop)
    if running; then
      pid=$(cat "$pidfile"); kill "$pid"
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
      log "stopped"
    else
      log "not running"
    fi
    rm -f "$pidfile" "$bootstrap"
    ;;
  status)
    if running && [ -s "$bootstrap" ]; then cat "$bootstrap"; else log "not running"; exit 1; fi
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
