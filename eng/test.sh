#!/usr/bin/env bash
# Prepares what the tests need (librdkafka, Docker with the local images, RabbitMQ, PostgreSQL, the Kafka mock
# cluster, Chromium), runs the whole test suite, then the package test (eng/package-test.sh) and the short form of the
# fault-injection harness (eng/faults.sh short).
# Where Docker runs, the tests start their RabbitMQ and PostgreSQL in containers (Testcontainers); where it cannot,
# eng/docker.sh says so in one line and the tests use the local servers below.
# External servers instead of local ones: set MESSAGING_RABBITMQ (amqp URI), MESSAGING_KAFKA (bootstrap
# servers) and MESSAGING_POSTGRES (Npgsql connection string without Database).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash eng/librdkafka.sh
eval "$(bash eng/docker.sh)"              # exports what Testcontainers needs, or MESSAGING_DOCKER=unavailable
bash eng/rabbitmq.sh                      # installs RabbitMQ; the shared node the sample uses
if [ -z "${MESSAGING_RABBITMQ:-}" ] && [ "$MESSAGING_DOCKER" != available ]; then
  eval "$(bash eng/rabbitmq-test-node.sh)"  # no Docker: a fresh private node for the tests
fi
if [ -z "${MESSAGING_RABBITMQ_FAULTS:-}" ] && [ "$MESSAGING_DOCKER" != available ]; then
  # and one more for the RabbitMQ fault tests, which stop their broker while the other assemblies run
  eval "$(bash eng/rabbitmq-test-node.sh faults)"
fi
bash eng/postgres.sh
bash eng/kafka-mock.sh start >/dev/null
bash eng/foreign-clients.sh               # pika and confluent-kafka for the wire-contract tests
bash eng/chromium.sh                      # Debian's Chromium and ChromeDriver for the dashboard's browser test
log=$(mktemp)
set +e
# Benchmark cases (trait Category=Benchmark) are the bench harness's business, not the suite's (MESSAGING_BENCH=1 runs them).
filter=(--filter "Category!=Benchmark"); [[ " $* " == *" --filter "* ]] && filter=()
# --blame: if a test host crashes, the output names the test that was running.
dotnet test Messaging.sln -c Release --nologo --blame "${filter[@]}" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
harness_passed=0; harness_failed=0
if [ "$status" -eq 0 ]; then
  bash eng/package-test.sh 2>&1 | tee -a "$log"; [ "${PIPESTATUS[0]}" -eq 0 ] || status=1   # the packed packages, from an outside application
  bash eng/faults.sh short 2>&1 | tee -a "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  # A run that crashed prints no RESULT line: every run that did not pass counts as failed.
  harness_passed=$(grep -c "RESULT: nothing lost" "$log"); harness_failed=$(( $(grep -c "^== fault harness" "$log") - harness_passed ))
fi
set -e
# One closing line for every test assembly, the package test and the harness runs together: "N passed, N failed,
# N skipped" (a test that cannot run here says so and is skipped, with its reason in the output above; it never passes).
awk -v hp="$harness_passed" -v hf="$harness_failed" '
     /^(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { if ($i == "Passed:") p += $(i+1); if ($i == "Failed:") f += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     /^Test Run Aborted/ { f++ }   # a crashed test host: the tests it did not reach count as one failure
     /^RESULT: package test passed/ { p++ } /^RESULT: package test FAILED/ { f++ }
     /^  Skipped / { skipped[++k] = $2 }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p + hp, f + hf, s; for (i = 1; i <= k; i++) printf "  skipped: %s\n", skipped[i] }' "$log"
rm -f "$log"
exit "$status"
