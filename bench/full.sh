#!/usr/bin/env bash
# The full measurement in one command, for a quiet machine (nothing else running): every scenario, ours against the
# raw clients (and the raw e2e twin), MassTransit 8.5 and Wolverine 6.62, each figure the median of 5 rounds (after one
# warm-up) with its min-max. Writes docs/benchmarks.json, docs/benchmarks.png and artifacts/benchmarks-table.md, and prints the machine
# facts that docs/benchmarks.md quotes beside the table. About 40-55 minutes on the 2-core machine (an estimate: the e2e
# rounds, one transaction per order, and the open-loop e2e.latency rates, 10 s each, are most of it).
# Extra arguments go to the harness (e.g. --scenarios 'e2e.*' --runs 7).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash eng/librdkafka.sh
bash eng/rabbitmq.sh
bash eng/postgres.sh
bash eng/kafka-mock.sh start >/dev/null
for project in bench/Messaging.Benchmarks bench/Peers.Wolverine; do
  dotnet build "$project" -c Release -v q -nologo >/dev/null
done
mkdir -p artifacts
load=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load" 'BEGIN { exit !(l > 1.0) }'; then
  echo "warning: load average $load: this machine is not quiet, the figures will not be worth quoting" >&2
fi
facts=artifacts/benchmarks-machine.txt
{
  echo "started: $(date -u '+%Y-%m-%d %H:%M UTC'), load average $load"
  echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src bench || echo ' (with uncommitted changes)')"
  echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GiB, $(. /etc/os-release; echo "$PRETTY_NAME")"
  echo ".NET SDK $(dotnet --version); RabbitMQ $(rabbitmqctl -q version 2>/dev/null || echo '?'); $(su postgres -c 'psql -qAtc "show server_version"' 2>/dev/null | sed 's/^/PostgreSQL /')"
  echo "command: dotnet run -c Release --project bench/Messaging.Benchmarks -- --runs 5 --json docs/benchmarks.json $*"
} | tee "$facts"
status=0
dotnet run --no-build -c Release --project bench/Messaging.Benchmarks -- --runs 5 --json docs/benchmarks.json "$@" | tee artifacts/benchmarks-full.log || status=$?
echo "finished: $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1 /proc/loadavg)" | tee -a "$facts"
python3 bench/table.py docs/benchmarks.json > artifacts/benchmarks-table.md
if /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  /usr/bin/python3 bench/chart.py docs/benchmarks.json docs/benchmarks.png
else
  echo "no chart: apt-get install -y python3-matplotlib, then /usr/bin/python3 bench/chart.py docs/benchmarks.json docs/benchmarks.png" >&2
fi
echo "table: artifacts/benchmarks-table.md; machine facts: $facts"
exit "$status"
