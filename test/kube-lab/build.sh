#!/bin/bash
# kube-lab build: kube-apiserver + kube-controller-manager v1.20.2, built offline
# from Debian bookworm's own "kubernetes" source package (its orig tarball ships
# vendor/, so no Go module download is needed).
#
# Usage: build.sh            (as root; idempotent)
#
# Environment (all optional):
#   KUBE_LAB_BIN          where the two binaries are installed   (default /var/cache/kube-lab/bin)
#   KUBE_LAB_WORK         scratch dir: apt lists, source tree, Go cache
#                                                                (default /var/cache/kube-lab/work)
#   KUBE_LAB_KEEP_WORK=1  keep KUBE_LAB_WORK after a successful build (2.5 GB; makes a
#                         forced rebuild take ~1.5 min instead of ~5)
#   KUBE_LAB_GOCACHE      Go build cache                          (default $KUBE_LAB_WORK/gocache)
#   KUBE_LAB_SRC_VERSION  Debian source version to build (default 1.20.5+really1.20.2-1.1+deb12u1;
#                         if apt does not offer it, the newest "kubernetes" source is used)
#   KUBE_LAB_FORCE=1      rebuild even if the binaries are present
#
# What it does:
#   1. If both binaries are already in KUBE_LAB_BIN and the runtime tools are present
#      (etcd, openssl, curl, kubectl, setsid, /usr/bin/python3 + yaml), it does nothing.
#   2. apt-get install (Debian only): golang-go, etcd-server,
#      golang-github-modern-go-reflect2-dev, build-essential, dpkg-dev, rsync, xz-utils,
#      openssl, curl, python3, python3-yaml, and kubernetes-client if no kubectl is on
#      PATH. Runs 'apt-get update' first when apt does not know these packages yet.
#   3. Writes a throw-away deb-src list whose entries are DERIVED from this machine's apt
#      sources (/etc/apt/sources.list, /etc/apt/sources.list.d/*.list and *.sources) and
#      uses it only through -o Dir::... options: the system's apt configuration and lists
#      are not touched.
#   4. apt-get source --download-only kubernetes=<version>; dpkg-source -x.
#   5. Replaces the vendored github.com/modern-go/reflect2 v1.0.1 (crashes with
#      "fatal error: fault" under Go >= 1.18) with Debian's 1.0.2 source.
#   6. make WHAT="cmd/kube-apiserver cmd/kube-controller-manager" with GOPROXY=off.
#   7. Installs both binaries into KUBE_LAB_BIN and writes KUBE_LAB_BIN/BUILD-INFO
#      (versions, build seconds).
set -euo pipefail

BIN=${KUBE_LAB_BIN:-/var/cache/kube-lab/bin}
WORK=${KUBE_LAB_WORK:-/var/cache/kube-lab/work}
GOC=${KUBE_LAB_GOCACHE:-$WORK/gocache}
SRC_VERSION=${KUBE_LAB_SRC_VERSION:-1.20.5+really1.20.2-1.1+deb12u1}
REFLECT2=/usr/share/gocode/src/github.com/modern-go/reflect2

log() { echo "[kube-lab build $(date +%H:%M:%S)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

RUNTIME_PKGS="etcd-server openssl curl python3 python3-yaml"
BUILD_PKGS="golang-go golang-github-modern-go-reflect2-dev build-essential dpkg-dev rsync xz-utils"

have_bins() {
  [ -x "$BIN/kube-apiserver" ] && [ -x "$BIN/kube-controller-manager" ] &&
    "$BIN/kube-apiserver" --version >/dev/null 2>&1
}
have_runtime() {
  command -v etcd >/dev/null && command -v openssl >/dev/null && command -v curl >/dev/null &&
    command -v kubectl >/dev/null && command -v setsid >/dev/null &&
    [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import yaml' 2>/dev/null
}
# Debian's kubernetes-client (kubectl 1.20) only when no kubectl is on PATH at all
# (the node image ships one from another package; both own /usr/bin/kubectl).
runtime_pkgs() {
  echo $RUNTIME_PKGS
  command -v kubectl >/dev/null || echo kubernetes-client
}

# True when apt knows a candidate for every package given.
apt_knows() {
  local p c
  for p in "$@"; do
    c=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')
    [ -n "$c" ] && [ "$c" != "(none)" ] || return 1
  done
}

apt_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "need root to apt-get install: ${missing[*]}"
  if ! apt_knows "${missing[@]}"; then
    log "apt does not know all of ${missing[*]} yet: apt-get update"
    apt-get -o DPkg::Lock::Timeout=900 update -qq
  fi
  log "apt-get install ${missing[*]}"
  if ! DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >"$WORK/apt-install.log" 2>&1; then
    log "install failed (stale lists?), retrying after apt-get update"
    apt-get -o DPkg::Lock::Timeout=900 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >"$WORK/apt-install.log" 2>&1 ||
      { tail -20 "$WORK/apt-install.log" >&2; die "apt-get install failed"; }
  fi
}

# Write a deb-src list derived from the machine's own apt sources (no host name is
# hard-coded anywhere): every enabled "deb" entry becomes a "deb-src" entry with the
# same URI, suites, components and options (Signed-By etc.).
derive_deb_src() {
  local d=$1 f
  mkdir -p "$d/sources.list.d"
  : >"$d/sources.list"
  : >"$d/sources.list.d/kube-lab-src.sources"
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk '/^[[:space:]]*deb[[:space:]]/ { sub(/^[[:space:]]*deb/, "deb-src"); print }' "$f" >>"$d/sources.list"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk 'BEGIN { RS = "" }
      { n = split($0, L, "\n"); out = ""; ok = 0; en = 1
        for (i = 1; i <= n; i++) {
          l = L[i]
          if (l ~ /^#/) continue
          if (tolower(l) ~ /^types:/) {
            if (l ~ /[[:space:]:]deb([[:space:]]|$)/) ok = 1
            l = "Types: deb-src"
          }
          if (tolower(l) ~ /^enabled:[[:space:]]*no/) en = 0
          out = out l "\n"
        }
        if (ok && en) printf "%s\n", out
      }' "$f" >>"$d/sources.list.d/kube-lab-src.sources"
  done
  [ -s "$d/sources.list" ] || [ -s "$d/sources.list.d/kube-lab-src.sources" ] ||
    die "found no enabled 'deb' entries in /etc/apt/sources.list{,.d/*.list,.d/*.sources}"
}

mkdir -p "$BIN"
exec 9>"$BIN/.build.lock"
flock 9 # one build at a time on this machine

if [ "${KUBE_LAB_FORCE:-0}" != 1 ] && have_bins; then
  if have_runtime; then
    log "binaries already in $BIN, runtime tools present: nothing to do"
    [ -f "$BIN/BUILD-INFO" ] && cat "$BIN/BUILD-INFO" >&2
    exit 0
  fi
  mkdir -p "$WORK"
  # shellcheck disable=SC2046 # word splitting wanted: a package list
  apt_install $(runtime_pkgs)
  log "binaries already in $BIN; installed missing runtime packages only"
  exit 0
fi

T0=$SECONDS
mkdir -p "$WORK"
# shellcheck disable=SC2046,SC2086 # word splitting wanted: package lists
apt_install $(runtime_pkgs) $BUILD_PKGS
T_APT=$((SECONDS - T0))

# --- source package -----------------------------------------------------------
A="$WORK/apt"
rm -rf "$A" "$WORK/src"
mkdir -p "$A/lists/partial" "$A/cache/archives/partial" "$WORK/src"
derive_deb_src "$A"
APTO=(-o "Dir::Etc::SourceList=$A/sources.list" -o "Dir::Etc::SourceParts=$A/sources.list.d"
  -o "Dir::State::Lists=$A/lists" -o "Dir::Cache=$A/cache" -o "Acquire::Languages=none"
  -o "APT::Sandbox::User=root")
log "apt-get update (throw-away deb-src lists derived from the system's sources)"
apt-get "${APTO[@]}" update -qq >"$WORK/apt-src-update.log" 2>&1 ||
  log "warning: apt-get update of deb-src lists reported errors (see $WORK/apt-src-update.log)"
cd "$WORK/src"
if ! apt-get "${APTO[@]}" source -qq --download-only "kubernetes=$SRC_VERSION" >"$WORK/apt-source.log" 2>&1; then
  log "warning: kubernetes=$SRC_VERSION not offered; falling back to the newest 'kubernetes' source"
  apt-get "${APTO[@]}" source -qq --download-only kubernetes >>"$WORK/apt-source.log" 2>&1 ||
    { cat "$WORK/apt-source.log" >&2; die "apt-get source kubernetes failed"; }
fi
DSC=$(ls kubernetes_*.dsc | head -1)
GOT_VERSION=${DSC#kubernetes_}
GOT_VERSION=${GOT_VERSION%.dsc}
log "extracting $DSC"
dpkg-source -x "$DSC" k8s >"$WORK/dpkg-source.log" 2>&1 ||
  { cat "$WORK/dpkg-source.log" >&2; die "dpkg-source -x failed"; }
T_SRC=$((SECONDS - T0 - T_APT))

# --- reflect2 swap ------------------------------------------------------------------
V=k8s/vendor/github.com/modern-go/reflect2
[ -d "$V" ] || die "$V missing: unexpected source layout"
[ -d "$REFLECT2" ] || die "$REFLECT2 missing (package golang-github-modern-go-reflect2-dev)"
log "replacing vendored modern-go/reflect2 with Debian's $(dpkg-query -W -f='${Version}' golang-github-modern-go-reflect2-dev)"
rm -f "$V"/*.go "$V"/*.s
cp "$REFLECT2"/*.go "$REFLECT2"/*.s "$V"/
rm -f "$V"/*_test.go

# --- build --------------------------------------------------------------------------
log "make WHAT='cmd/kube-apiserver cmd/kube-controller-manager' (about 5 min on 2 cores; log: $WORK/make.log)"
mkdir -p "$GOC" "$WORK/home"
(cd k8s && env GOPROXY=off GOFLAGS=-mod=vendor GO111MODULE=on GOCACHE="$GOC" HOME="$WORK/home" \
  CGO_ENABLED=0 make WHAT="cmd/kube-apiserver cmd/kube-controller-manager") >"$WORK/make.log" 2>&1 ||
  { tail -40 "$WORK/make.log" >&2; die "make failed"; }
T_MAKE=$((SECONDS - T0 - T_APT - T_SRC))

install -m 0755 k8s/_output/bin/kube-apiserver k8s/_output/bin/kube-controller-manager "$BIN"/
T_ALL=$((SECONDS - T0))
{
  echo "built_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "debian_source=kubernetes $GOT_VERSION"
  echo "kube_apiserver=$("$BIN/kube-apiserver" --version 2>&1)"
  echo "go=$(go version 2>/dev/null | awk '{print $3}')"
  echo "reflect2=$(dpkg-query -W -f='${Version}' golang-github-modern-go-reflect2-dev)"
  echo "etcd=$(etcd --version 2>/dev/null | head -1)"
  echo "seconds_apt_install=$T_APT"
  echo "seconds_source_download_extract=$T_SRC"
  echo "seconds_make=$T_MAKE"
  echo "seconds_total=$T_ALL"
  echo "nproc=$(nproc)"
} >"$BIN/BUILD-INFO"
cat "$BIN/BUILD-INFO" >&2
ls -la "$BIN" >&2

cd /
if [ "${KUBE_LAB_KEEP_WORK:-0}" = 1 ]; then
  log "keeping $WORK"
else
  rm -rf "$WORK"
fi
log "done in ${T_ALL}s"
