#!/usr/bin/env bash
# Starts the machine's PostgreSQL 15 cluster (installing it if missing) and makes the postgres role
# usable over TCP with password 'postgres', unless MESSAGING_POSTGRES points at an external server.
# Idempotent.
set -euo pipefail
if [ -n "${MESSAGING_POSTGRES:-}" ]; then echo "[postgres] using MESSAGING_POSTGRES" >&2; exit 0; fi
log() { echo "[postgres] $*" >&2; }
if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  log "installing postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /etc/postgresql | sort -n | tail -n 1)
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" && $4=="online"' | grep -q .; then
  log "starting cluster $version/main"
  pg_ctlcluster "$version" main start
fi
for _ in $(seq 1 60); do
  su postgres -c "psql -qtAc 'select 1'" >/dev/null 2>&1 && break
  sleep 0.5
done
su postgres -c "psql -qtAc \"alter user postgres password 'postgres'\"" >/dev/null
log "running on 127.0.0.1:5432 (postgres/postgres)"
