#!/usr/bin/env bash
# Debian packages the integration tests need that a fresh machine may lack: Chromium (the dashboard
# test drives it with playwright-core) and Prometheus with promtool (the alert rules and scrape test).
# Installs only what is missing; harmless to run again.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
{ command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; } || missing+=(prometheus)
if [ ${#missing[@]} -eq 0 ]; then
  echo "system deps: chromium, prometheus and promtool present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "system deps missing: ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "system deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
# The Debian prometheus package starts a system service on :9090; the tests run their own.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now prometheus prometheus-node-exporter >/dev/null 2>&1 || true; fi
pkill -x prometheus >/dev/null 2>&1 || true
