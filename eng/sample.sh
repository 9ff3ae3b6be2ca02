#!/usr/bin/env bash
# Runs the order service sample. Default: SQLite file + in-memory transport, no server needed.
# Any arguments go to the sample, e.g. --orders 10000 --transport rabbitmq --database postgres.
# Only librdkafka is prepared here (the sample references the Kafka transport); start the brokers you
# ask for with eng/rabbitmq.sh, eng/kafka-mock.sh start, eng/postgres.sh (eng/test.sh starts them all).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bash "$repo/eng/librdkafka.sh"
cd "$repo"
build_log=$(mktemp)
dotnet build samples/OrderService -c Release -v q -nologo >"$build_log" 2>&1 || { cat "$build_log" >&2; rm -f "$build_log"; exit 1; }
rm -f "$build_log"
exec dotnet run --no-build -c Release --project samples/OrderService -- "$@"
