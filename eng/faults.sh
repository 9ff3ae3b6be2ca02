#!/usr/bin/env bash
# The fault-injection harness (tests/Messaging.FaultHarness): N messages through outbox -> broker ->
# inbox with the producer and the consumer in separate processes, while faults are injected.
#   eng/faults.sh short   20,000 messages, a 40 s broker outage then every fault kind of the run once, RabbitMQ and Kafka on
#                         SQLite (part of eng/test.sh); the run lasts until every planned fault was injected
#   eng/faults.sh long    200,000 messages, a fault every 5 s (each kind at least once), both brokers on SQLite and PostgreSQL
#   eng/faults.sh containers  20,000 messages per run, RabbitMQ in containers, one new fault per run: broker SIGKILL,
#                         30 s network partition, 30 s freeze (docker pause), the quorum queue's leader killed in a
#                         three-node cluster (needs Docker; FAULTS_CONTAINER_RUNS="mode:fault ..." picks runs)
# Where Docker runs (eng/docker.sh) and MESSAGING_RABBITMQ is unset, RabbitMQ runs in a container the harness starts,
# and its faults include SIGKILL of the broker and a 30 s partition; otherwise the private node of today is used.
# Figures go to artifacts/faults-<transport>-<database>.json (containers: artifacts/faults-<fault>.json); exit code 1 and
# "RESULT: FAILED: <why>" if anything was lost, applied twice or Failed, a planned fault was not injected (the long outage
# included), the longest stall exceeded the longest fault + 45 s, or a key's messages were applied out of order
# (docs/faults.md, "What fails a run"). Run alone, it prepares Docker, librdkafka, the private RabbitMQ node where
# Docker cannot run, and (long form) PostgreSQL, as eng/test.sh does before it calls this.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
form=${1:-short}
[ -n "${MESSAGING_DOCKER:-}" ] || eval "$(bash eng/docker.sh)"
rabbit_args=()
if [ -z "${MESSAGING_RABBITMQ:-}" ] && [ "$MESSAGING_DOCKER" = available ]; then
  bash eng/librdkafka.sh
  rabbit_args=(--rabbitmq-container single)
elif [ -z "${MESSAGING_RABBITMQ:-}" ]; then
  [ "$form" != containers ] || { echo "eng/faults.sh containers needs Docker" >&2; exit 2; }
  bash eng/librdkafka.sh
  bash eng/rabbitmq.sh
  eval "$(bash eng/rabbitmq-test-node.sh)"
fi
if [ "$form" = long ] && [ -z "${MESSAGING_POSTGRES:-}" ]; then bash eng/postgres.sh; fi
dotnet build tests/Messaging.FaultHarness -c Release -v q -nologo >/dev/null
harness=tests/Messaging.FaultHarness/bin/Release/net10.0/Messaging.FaultHarness.dll
case "$form" in
  # The long outage outlasts the whole retry budget of a row (a 10 s publish timeout, then 9 backoffs up to 5 s: about
  # 30 s), so an outage that spent attempts would leave Failed rows; it was 60 s when Kafka's timeout was 30 s.
  short) combos="rabbitmq:sqlite kafka:sqlite"; args=(--messages 20000 --rounds 1 --fault-interval-ms 4000 --long-outage-seconds 40 --timeout-seconds 900) ;;
  long)  combos="rabbitmq:sqlite kafka:sqlite rabbitmq:postgres kafka:postgres"; args=(--messages 200000 --fault-interval-ms 5000 --rate 2000 --timeout-seconds 5400) ;;
  containers)
    # One fault kind per run, at 200 messages/s so that the 20,000 messages are published and consumed across several faults.
    failed=0
    for run in ${FAULTS_CONTAINER_RUNS:-single:rabbitmq-container-sigkill single:rabbitmq-partition-30s single:rabbitmq-pause-30s cluster:rabbitmq-cluster-leader-kill}; do
      mode=${run%%:*}; fault=${run##*:}
      echo "== fault harness (containers): rabbitmq ($mode) + sqlite, $fault"
      dotnet "$harness" run --transport rabbitmq --database sqlite --messages 20000 --rate 200 --fault-interval-ms 10000 --timeout-seconds 1800 \
        --rabbitmq-container "$mode" --faults "$fault" --state-dir "$repo/.state/faults-$fault" --json "artifacts/faults-$fault.json" || failed=1
    done
    exit "$failed" ;;
  *) echo "usage: $0 short|long|containers" >&2; exit 2 ;;
esac
failed=0
for combo in $combos; do
  transport=${combo%%:*}; database=${combo##*:}
  echo "== fault harness ($form): $transport + $database"
  extra=(); [ "$transport" != rabbitmq ] || extra=("${rabbit_args[@]}")
  dotnet "$harness" run --transport "$transport" --database "$database" "${args[@]}" "${extra[@]}" \
    --state-dir "$repo/.state/faults-$transport-$database" --json "artifacts/faults-$transport-$database.json" || failed=1
done
exit "$failed"
