#!/bin/bash
# kube-lab lab-up: start (or reuse) the four API servers the kube-integration
# suite uses, and write their kubeconfigs.
#
# Usage: lab-up.sh            (as root the first time: build.sh installs packages)
#
#   cluster    port  role
#   src-mgmt   BASE     Cluster API management cluster of the source cloud (CRDs loaded)
#   dst-mgmt   BASE+10  management cluster of the target cloud (CRDs loaded)
#   src-wl     BASE+20  a workload cluster on the source cloud
#   dst-wl     BASE+30  a workload cluster on the target cloud
#
# Writes into OUT:
#   clusters/NAME/            up.sh's OUTDIR per cluster (data, pki, logs, pids)
#   NAME.kubeconfig           one cluster: contexts NAME (admin) and NAME-unprivileged
#   kube-lab.kubeconfig       all four merged (eight contexts), current-context src-mgmt
#   env                       shell-sourceable: KUBE_LAB_OUT, ports, URLs
#   timings                   seconds spent in build, start and CRD loading by this run
#
# Idempotent: a cluster whose recorded processes run and whose /readyz answers is
# reused (about 1 s for all four); a stopped one is restarted with its data; CRDs are
# loaded again only when the CRD files or the sanitiser changed.
#
# Environment (optional):
#   KUBE_LAB_OUT        default /var/lib/kube-lab/out
#   KUBE_LAB_PORT_BASE  default 16400
#   KUBE_LAB_CRDS       CRD directory, default ../shared/conformance/kubernetes/crds
#                       beside the repository. Missing: the mgmt clusters start without
#                       CRDs (a warning), and lab-up fails when CI=true.
#   KUBE_LAB_BIN, KUBE_LAB_WORK, ...  passed on to build.sh / up.sh (see README.md)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=${KUBE_LAB_OUT:-/var/lib/kube-lab/out}
BASE=${KUBE_LAB_PORT_BASE:-16400}
CRDS=${KUBE_LAB_CRDS:-$REPO/../shared/conformance/kubernetes/crds}
KUBECTL=${KUBECTL:-$(command -v kubectl || true)}
# Why longer than up.sh's 60 s: four servers start at once, on a machine that may be busy.
export KUBE_LAB_TIMEOUT=${KUBE_LAB_TIMEOUT:-180}

log() { echo "[kube-lab lab-up $(date +%H:%M:%S)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

NAMES=(src-mgmt dst-mgmt src-wl dst-wl)
declare -A PORT=([src-mgmt]=$BASE [dst-mgmt]=$((BASE + 10)) [src-wl]=$((BASE + 20)) [dst-wl]=$((BASE + 30)))
declare -A MGMT=([src-mgmt]=1 [dst-mgmt]=1 [src-wl]=0 [dst-wl]=0)

T0=$(now)
mkdir -p "$OUT/clusters"
exec 8>"$OUT/.lab-up.lck"
flock 8 # two test runs starting the lab at once would race for the ports

# --- binaries and packages (0.1 s when present) ---------------------------------
TB=$(now)
bash "$HERE/build.sh"
T_BUILD=$(since "$TB")
KUBECTL=${KUBECTL:-$(command -v kubectl || true)}
[ -n "$KUBECTL" ] || die "no kubectl on PATH"

# True when every process up.sh recorded for DIR runs and the apiserver is ready.
running() {
  local dir=$1 comp pid n=0
  [ -f "$dir/pids" ] || return 1
  while read -r comp pid; do
    [ -d "/proc/$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$dir/" || return 1
    n=$((n + 1))
  done <"$dir/pids"
  [ "$n" -ge 2 ] || return 1
  local url token
  url=$(sed -n 's/^URL=//p' "$dir/env")
  token=$(sed -n 1p "$dir/pki/tokens.csv" | cut -d, -f1)
  curl -sf --max-time 5 --cacert "$dir/pki/ca.crt" -H "Authorization: Bearer $token" "$url/readyz" | grep -qx ok
}

# --- start what is not running, in parallel ------------------------------------------
TS=$(now)
declare -A JOB=()
for n in "${NAMES[@]}"; do
  d=$OUT/clusters/$n
  if running "$d"; then
    log "$n: running, reused ($(sed -n 's/^URL=//p' "$d/env"))"
    continue
  fi
  if [ -f "$d/pids" ]; then
    log "$n: partly running or not ready: stopping it before a restart"
    bash "$HERE/down.sh" "$d" >&2 || true
  fi
  log "$n: starting on port ${PORT[$n]}"
  # Why 8>&-: the servers outlive this script and must not inherit (and so hold) its lock.
  bash "$HERE/up.sh" "$n" "${PORT[$n]}" "$d" >"$OUT/clusters/$n.up.log" 2>&1 8>&- &
  JOB[$n]=$!
done
fail=0
for n in "${!JOB[@]}"; do
  if ! wait "${JOB[$n]}"; then
    tail -15 "$OUT/clusters/$n.up.log" >&2
    log "$n: up.sh failed (log: $OUT/clusters/$n.up.log)"
    fail=1
  fi
done
[ $fail = 0 ] || die "not all clusters started"
T_START=$(since "$TS")

# --- CRDs on the management clusters -----------------------------------------------
TC=$(now)
if [ -d "$CRDS" ]; then
  sum=$( (find "$CRDS" -type f \( -name '*.yaml' -o -name '*.yml' \) -print0 | sort -z | xargs -0 cat; cat "$HERE/sanitize-crd.py") | sha256sum | cut -c1-16)
  for n in "${NAMES[@]}"; do
    [ "${MGMT[$n]}" = 1 ] || continue
    d=$OUT/clusters/$n
    if [ "$(cat "$d/crds.sum" 2>/dev/null)" = "$sum" ] &&
      "$KUBECTL" --kubeconfig "$d/kubeconfig" get crd clusters.cluster.x-k8s.io >/dev/null 2>&1; then
      log "$n: CRDs already loaded"
      continue
    fi
    log "$n: loading CRDs from $CRDS"
    KUBECTL=$KUBECTL bash "$HERE/load-crds.sh" "$d/kubeconfig" "$CRDS" >"$d/crds.tsv" ||
      { cat "$d/crds.tsv" >&2; die "$n: loading CRDs failed"; }
    echo "$sum" >"$d/crds.sum"
  done
else
  [ "${CI:-}" != true ] || die "CRD directory $CRDS missing (CI=true): the shared conformance data must sit beside the repository"
  log "WARNING: $CRDS missing: management clusters run without the Cluster API CRDs; tests that need them skip"
fi
T_CRDS=$(since "$TC")

# --- kubeconfigs ------------------------------------------------------------------------
list=()
for n in "${NAMES[@]}"; do
  install -m 0600 "$OUT/clusters/$n/kubeconfig" "$OUT/$n.kubeconfig"
  list+=("$OUT/$n.kubeconfig")
done
merged=$(IFS=:; echo "${list[*]}")
umask 077
KUBECONFIG=$merged "$KUBECTL" config view --flatten >"$OUT/kube-lab.kubeconfig.tmp"
KUBECONFIG=$OUT/kube-lab.kubeconfig.tmp "$KUBECTL" config use-context src-mgmt >/dev/null
mv "$OUT/kube-lab.kubeconfig.tmp" "$OUT/kube-lab.kubeconfig"
umask 022
{
  echo "KUBE_LAB_OUT=$OUT"
  echo "KUBE_LAB_KUBECONFIG=$OUT/kube-lab.kubeconfig"
  echo "KUBE_LAB_CRDS=$CRDS"
  for n in "${NAMES[@]}"; do
    v=$(echo "$n" | tr 'a-z-' 'A-Z_')
    echo "KUBE_LAB_${v}_URL=https://127.0.0.1:${PORT[$n]}"
    echo "KUBE_LAB_${v}_ETCD=http://127.0.0.1:$((PORT[$n] + 1))"
  done
} >"$OUT/env"
printf 'build_s=%s\nstart_s=%s\ncrds_s=%s\ntotal_s=%s\n' "$T_BUILD" "$T_START" "$T_CRDS" "$(since "$T0")" >"$OUT/timings"
log "ready in $(since "$T0")s (build ${T_BUILD}s, start ${T_START}s, CRDs ${T_CRDS}s); KUBECONFIG=$OUT/kube-lab.kubeconfig"
