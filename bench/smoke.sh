#!/usr/bin/env bash
# CI smoke of the benchmark harness: every scenario once with tiny counts, Wolverine's e2e side included, to prove it
# runs: about 4 minutes on the shared 2-core machine at load 15 (builds 100 s, the three e2e.orders scenarios 80 s, the
# rest 65 s), plus the raw twins and the two e2e.latency scenarios (all five e2e scenarios took 85 s at load 7-10 on
# 2026-12-07); most of it is start-up: builds, hosts, consumer groups, Wolverine compiling its handler.
# No timing is checked; the exit code is non-zero only when a scenario failed to produce figures.
# Starts the brokers it needs with the eng/ scripts (or uses MESSAGING_RABBITMQ / MESSAGING_KAFKA / MESSAGING_POSTGRES).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash eng/librdkafka.sh
bash eng/rabbitmq.sh
bash eng/postgres.sh
bash eng/kafka-mock.sh start >/dev/null
build_log=$(mktemp)
# The peer (Wolverine) is its own program, outside Messaging.sln; the harness starts it as a child process.
for project in bench/Messaging.Benchmarks bench/Peers.Wolverine; do
  dotnet build "$project" -c Release -v q -nologo >"$build_log" 2>&1 || { cat "$build_log" >&2; rm -f "$build_log"; exit 1; }
done
rm -f "$build_log"
mkdir -p artifacts
exec dotnet run --no-build -c Release --project bench/Messaging.Benchmarks -- --smoke --json artifacts/bench-smoke.json "$@"
