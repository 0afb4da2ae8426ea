#!/bin/bash
# kube-lab lab-down: stop the four API servers lab-up.sh started.
#
# Usage: lab-down.sh [--purge]
#   --purge  also delete their data, keys and kubeconfigs (KUBE_LAB_OUT)
# Stops exactly the PIDs up.sh recorded (see down.sh); the binaries stay in the cache.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${KUBE_LAB_OUT:-/var/lib/kube-lab/out}
PURGE=${1:-}
[ -z "$PURGE" ] || [ "$PURGE" = --purge ] || { echo "usage: lab-down.sh [--purge]" >&2; exit 2; }
for n in src-mgmt dst-mgmt src-wl dst-wl; do
  d=$OUT/clusters/$n
  [ -d "$d" ] || continue
  echo "$n:" >&2
  bash "$HERE/down.sh" "$d" $PURGE || true
done
if [ "$PURGE" = --purge ] && [ -d "$OUT" ]; then
  rm -rf "$OUT"
  echo "removed $OUT" >&2
fi
