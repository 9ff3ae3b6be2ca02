#!/usr/bin/env bash
# Sets Docker up for the tests on this machine kind (../shared/ENVIRONMENT.md), idempotently:
#   1. installs docker.io and debootstrap when missing;
#   2. starts the engine (dockerd, no systemd here) when `docker info` fails;
#   3. builds the local images from Debian packages (no registry is reachable): local/debian:bookworm
#      (debootstrap), local/rabbitmq:3.10 and local/postgres:15 (eng/images/*), rebuilt when a recipe changes;
#   4. removes leftover test containers (stopped, or older than 3 h) and unused networks (Testcontainers' label, the harness's label);
#   5. prints what Testcontainers needs here, for callers to eval:
#        eval "$(bash eng/docker.sh)"
# Where Docker cannot run it says so in one line and prints `export MESSAGING_DOCKER=unavailable`: the tests then
# use the local servers eng/ starts. Progress goes to stderr; stdout holds only export lines.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
log() { echo "[docker] $*" >&2; }
unavailable() { log "Docker cannot run here ($1); the tests use the local servers instead"; echo "export MESSAGING_DOCKER=unavailable"; exit 0; }
docker_ok() { docker info >/dev/null 2>&1; }

if ! command -v dockerd >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1; then
  log "installing docker.io and debootstrap"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq docker.io debootstrap >/dev/null; } || unavailable "apt-get install docker.io debootstrap failed"
fi

if ! docker_ok; then
  log "starting dockerd"
  mkdir -p /var/log
  # --ip: a port published without an address goes to 127.0.0.1, never to every interface (the network rule).
  (setsid dockerd --storage-driver=overlay2 --ip=127.0.0.1 >>/var/log/dockerd.log 2>&1 &)
  for _ in $(seq 1 60); do docker_ok && break; sleep 0.5; done
  docker_ok || unavailable "dockerd did not start; see /var/log/dockerd.log"
fi

cache="${XDG_CACHE_HOME:-$HOME/.cache}/messaging/docker"
mkdir -p "$cache"
sources=/etc/apt/sources.list.d/debian.sources
if ! docker image inspect local/debian:bookworm >/dev/null 2>&1; then
  # The mirror is the host's own (written nowhere in the project).
  mirror=$(awk '/^URIs:/ { print $2; exit }' "$sources")
  [ -n "$mirror" ] || unavailable "no URIs line in $sources"
  rootfs="$cache/rootfs"
  rm -rf "$rootfs"
  log "debootstrap bookworm (minbase) from the host's Debian mirror"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 || unavailable "debootstrap failed; see $cache/debootstrap.log"
  tar -C "$rootfs" -c . | docker import - local/debian:bookworm >/dev/null
  rm -rf "$rootfs"
fi

# Each image carries the hash of its recipe; a changed recipe (or sources file) builds it again.
build() {
  local tag=$1 dir="$repo/eng/images/$2" hash context
  hash=$( (cat "$dir"/* "$sources") | sha256sum | cut -c1-16)
  if [ "$(docker image inspect --format '{{ index .Config.Labels "messaging.recipe" }}' "$tag" 2>/dev/null)" = "$hash" ]; then return; fi
  log "building $tag"
  context=$(mktemp -d)
  cp "$dir"/* "$context/" && cp "$sources" "$context/debian.sources"
  docker build --network host --label "messaging.recipe=$hash" -t "$tag" "$context" >"$cache/build-$2.log" 2>&1 \
    || { rm -rf "$context"; unavailable "docker build $tag failed; see $cache/build-$2.log"; }
  rm -rf "$context"
}
build local/rabbitmq:3.10 rabbitmq
build local/postgres:15 postgres

# Leftovers of earlier runs: only containers the tests or the harness created (their labels), and of those only the
# ones that stopped or are older than the longest run (3 h): a test run or fault harness still going on this machine
# (another checkout, a second terminal) keeps its brokers. Without the reaper nothing else removes them.
now=$(date +%s)
leftovers=$( { docker ps -aq --filter label=org.testcontainers=true; docker ps -aq --filter label=messaging.tests=true; } | sort -u \
  | while read -r id; do
      state=$(docker inspect -f '{{.State.Running}} {{.Created}}' "$id" 2>/dev/null) || continue
      created=$(date -d "${state#* }" +%s 2>/dev/null || echo "$now")
      if [ "${state%% *}" != true ] || [ $((now - created)) -gt 10800 ]; then echo "$id"; fi
    done)
if [ -n "$leftovers" ]; then log "removing $(echo "$leftovers" | wc -l) leftover test container(s)"; echo "$leftovers" | xargs docker rm -f >/dev/null; fi
networks=$(docker network ls -q --filter label=org.testcontainers=true; docker network ls -q --filter label=messaging.tests=true)
if [ -n "$networks" ]; then echo "$networks" | sort -u | xargs docker network rm >/dev/null 2>&1 || true; fi

api=$(docker version --format '{{.Server.APIVersion}}')
log "ready (engine API $api; images local/rabbitmq:3.10, local/postgres:15)"
# Testcontainers 4.16 asks for API 1.44 unless told; the reaper image cannot be pulled; /.dockerenv exists here,
# so without the override it would hand out the bridge address instead of loopback.
echo "export DOCKER_API_VERSION=$api"
echo "export TESTCONTAINERS_RYUK_DISABLED=true"
echo "export TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1"
echo "export MESSAGING_DOCKER=available"
