#!/usr/bin/env bash
# Installs Debian's Chromium and ChromeDriver for the dashboard's browser test (tests/Messaging.Dashboard.Tests):
# nothing is downloaded at test time. Idempotent: apt-get runs only when one of them is missing.
set -euo pipefail
log() { echo "[chromium] $*" >&2; }
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then log "chromium and chromedriver present"; exit 0; fi
log "installing chromium and chromium-driver"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
command -v chromium >/dev/null && command -v chromedriver >/dev/null
log "chromium and chromedriver installed"
