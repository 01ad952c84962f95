#!/usr/bin/env bash
# Debian packages the tests need (run as root on CI and fresh machines; a no-op when present).
# With arguments, those packages instead (scripts/image-deps.sh passes the image tools).
set -euo pipefail
packages=(shellcheck openssl prometheus prometheus-alertmanager prometheus-pushgateway prometheus-postgres-exporter postgresql postgresql-client redis-server age zstd iproute2)
[ $# -eq 0 ] || packages=("$@")
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system-deps: all present (${packages[*]})"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: missing ${missing[*]}; run as root: sudo $0" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system-deps: installed ${missing[*]}"
