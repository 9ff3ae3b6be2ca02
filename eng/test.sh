#!/usr/bin/env bash
# Prepares what the tests need (librdkafka, RabbitMQ, PostgreSQL, the Kafka mock cluster) and runs the
# whole test suite. External servers instead of local ones: set MESSAGING_RABBITMQ (amqp URI),
# MESSAGING_KAFKA (bootstrap servers) and MESSAGING_POSTGRES (Npgsql connection string without Database).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash eng/librdkafka.sh
bash eng/rabbitmq.sh
bash eng/postgres.sh
bash eng/kafka-mock.sh start
log=$(mktemp)
set +e
dotnet test Messaging.sln -c Release --nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line for every test assembly together: "N passed, N failed".
awk '/^(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { if ($i == "Passed:") p += $(i+1); if ($i == "Failed:") f += $(i+1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
rm -f "$log"
exit "$status"
