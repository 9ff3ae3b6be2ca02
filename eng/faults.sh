#!/usr/bin/env bash
# The fault-injection harness (tests/Messaging.FaultHarness): N messages through outbox -> broker ->
# inbox with the producer and the consumer in separate processes, while faults are injected.
#   eng/faults.sh short   20,000 messages, 8 faults (the first a 60 s broker outage), RabbitMQ and Kafka on SQLite (part of eng/test.sh)
#   eng/faults.sh long    200,000 messages, a fault every 5 s, both brokers on SQLite and PostgreSQL
# Figures go to artifacts/faults-<transport>-<database>.json; exit code 1 if anything was lost or
# applied twice. Run alone, it prepares librdkafka, a private RabbitMQ node and (long form) PostgreSQL,
# as eng/test.sh does before it calls this with MESSAGING_RABBITMQ already set.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
form=${1:-short}
if [ -z "${MESSAGING_RABBITMQ:-}" ]; then
  bash eng/librdkafka.sh
  bash eng/rabbitmq.sh
  eval "$(bash eng/rabbitmq-test-node.sh)"
fi
if [ "$form" = long ] && [ -z "${MESSAGING_POSTGRES:-}" ]; then bash eng/postgres.sh; fi
dotnet build tests/Messaging.FaultHarness -c Release -v q -nologo >/dev/null
harness=tests/Messaging.FaultHarness/bin/Release/net10.0/Messaging.FaultHarness.dll
case "$form" in
  short) combos="rabbitmq:sqlite kafka:sqlite"; args=(--messages 20000 --max-faults 8 --fault-interval-ms 4000 --long-outage-seconds 60 --timeout-seconds 900) ;;
  long)  combos="rabbitmq:sqlite kafka:sqlite rabbitmq:postgres kafka:postgres"; args=(--messages 200000 --fault-interval-ms 5000 --rate 2000 --timeout-seconds 5400) ;;
  *) echo "usage: $0 short|long" >&2; exit 2 ;;
esac
failed=0
for combo in $combos; do
  transport=${combo%%:*}; database=${combo##*:}
  echo "== fault harness ($form): $transport + $database"
  dotnet "$harness" run --transport "$transport" --database "$database" "${args[@]}" \
    --state-dir "$repo/.state/faults-$transport-$database" --json "artifacts/faults-$transport-$database.json" || failed=1
done
exit "$failed"
