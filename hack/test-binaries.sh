#!/usr/bin/env bash
# hack/test-binaries.sh - provide a local Kubernetes control plane for the tests.
#
# The tests (src/test/java/io/k8slab/lab/testing/ControlPlane.java) run `etcd`,
# `kube-apiserver` and `kubectl` from
#
#     $KUBE_API_TEST_DIR/k8s/<version>-linux-amd64/
#
# (KUBE_API_TEST_DIR defaults to ~/.kubeapitest). This machine cannot download
# them, so this script builds them from Debian's own `kubernetes` source
# package instead:
#
#   kube-apiserver, kube-controller-manager, kubeadm, kubectl
#       built from `apt-get source kubernetes` (v1.20.2 in bookworm) with
#       Debian's Go, after replacing the vendored github.com/modern-go/reflect2
#       1.0.1 (crashes with "fatal error: fault" in mapiterinit under
#       Go >= 1.18) by Debian's golang-github-modern-go-reflect2-dev (1.0.2),
#       and applying hack/patches/*.patch: kube-openapi-zero-value.patch
#       keeps "" valid in custom resources (Go >= 1.16 made 1.20's schema
#       validator take every empty string for null).
#   etcd
#       taken from Debian's etcd-server package, unpacked with dpkg-deb rather
#       than installed, so no etcd system service gets enabled/started (it
#       would hold ports 2379/2380, e.g. breaking a later `kubeadm init`).
#
# Everything lands in $KUBE_API_TEST_DIR/k8s/1.20.2-linux-amd64/ together with
# a stamp file. A rerun with a valid stamp exits immediately. The unpacked
# source and the Go build cache are kept under $LAB_OPERATOR_CACHE_DIR
# (default ~/.cache/lab-operator) so a rebuild is incremental.
#
# Usage: hack/test-binaries.sh [--force] [--smoke-test] [--help]
#   --force       rebuild and reinstall even if a valid stamp exists
#   --smoke-test  only run the smoke test against the installed binaries
#
# Environment:
#   KUBE_API_TEST_DIR       where the binaries go (default: $HOME/.kubeapitest)
#   LAB_OPERATOR_CACHE_DIR  source + build cache (default: ${XDG_CACHE_HOME:-$HOME/.cache}/lab-operator)
#   BUILD_JOBS              parallel Go compile jobs (default: CPUs, capped by free memory)
#
# Needs root (or passwordless sudo) for apt-get on the first run; runs
# non-interactively on Debian bookworm.
set -euo pipefail

# Bump RECIPE when anything changes in how the binaries are produced: existing
# installations then no longer match their stamp and get rebuilt.
readonly RECIPE="lab-operator-k8s-debian-src-r2"
readonly K8S_VERSION="1.20.2"
readonly PLATFORM_SUFFIX="linux-amd64"
readonly DEB_SOURCE_PACKAGE="kubernetes"
readonly REFLECT2_SRC="/usr/share/gocode/src/github.com/modern-go/reflect2"
PATCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/patches"
readonly PATCH_DIR
readonly BUILT_BINARIES=(kube-apiserver kube-controller-manager kubeadm kubectl)
readonly INSTALLED_BINARIES=(kube-apiserver kube-controller-manager kubeadm kubectl etcd)
readonly APT_PACKAGES=(golang-go make rsync dpkg-dev patch golang-github-modern-go-reflect2-dev openssl)

: "${HOME:?HOME must be set}"
KUBE_API_TEST_DIR="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}"
CACHE_DIR="${LAB_OPERATOR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/lab-operator}"
TARGET_DIR="$KUBE_API_TEST_DIR/k8s/$K8S_VERSION-$PLATFORM_SUFFIX"
STAMP_FILE="$TARGET_DIR/.lab-operator-stamp"
SRC_ROOT="$CACHE_DIR/k8s-src"
GO_CACHE_DIR="$CACHE_DIR/go-build"
export DEBIAN_FRONTEND=noninteractive

log() { printf '[test-binaries] %s\n' "$*" >&2; }
die() {
  printf '[test-binaries] ERROR: %s\n' "$*" >&2
  exit 1
}

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

# --- cleanup of background processes and temp dirs --------------------------
CLEANUP_PIDS=()
CLEANUP_PATHS=()
cleanup() {
  local pid path
  for pid in "${CLEANUP_PIDS[@]+"${CLEANUP_PIDS[@]}"}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  for path in "${CLEANUP_PATHS[@]+"${CLEANUP_PATHS[@]}"}"; do
    rm -rf -- "$path"
  done
}
trap cleanup EXIT

# --- fast path ----------------------------------------------------------------
# True when TARGET_DIR holds binaries built by this recipe that still run.
installed_ok() {
  local bin version
  [[ -f "$STAMP_FILE" ]] || return 1
  grep -qxF "recipe=$RECIPE" "$STAMP_FILE" || return 1
  for bin in "${INSTALLED_BINARIES[@]}"; do
    [[ -x "$TARGET_DIR/$bin" ]] || return 1
  done
  version=$("$TARGET_DIR/kube-apiserver" --version 2>/dev/null) || return 1
  [[ "$version" == "Kubernetes v$K8S_VERSION" ]] || return 1
  "$TARGET_DIR/etcd" --version >/dev/null 2>&1 || return 1
}

# --- root / apt helpers -------------------------------------------------------
as_root() {
  if [[ $EUID -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    die "need root (or passwordless sudo) to run: $*"
  fi
}

pkg_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

pkg_version() {
  dpkg-query -W -f='${Version}' "$1"
}

has_deb_src() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$f" ]] && grep -qE '^[[:space:]]*deb-src[[:space:]]' "$f" && return 0
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$f" ]] && grep -qiE '^Types:.*deb-src' "$f" && return 0
  done
  return 1
}

# Writes a deb-src twin of every enabled `deb` entry (deb822 and one-line
# formats) to /etc/apt/sources.list.d/lab-operator-deb-src.{sources,list}.
add_deb_src() {
  local f tmp_sources tmp_list
  tmp_sources=$(mktemp)
  tmp_list=$(mktemp)
  CLEANUP_PATHS+=("$tmp_sources" "$tmp_list")
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$f" ]] || continue
    # Keep stanzas whose Types include "deb" and which are not disabled.
    awk '
      function flush() {
        if (stanza != "" && isdeb && !disabled) { printf "%s\n", stanza }
        stanza = ""; isdeb = 0; disabled = 0
      }
      /^[[:space:]]*$/ { flush(); next }
      /^#/ { next }
      /^Types:/ {
        for (i = 2; i <= NF; i++) if ($i == "deb") isdeb = 1
        stanza = stanza "Types: deb-src\n"; next
      }
      /^Enabled:[[:space:]]*no/ { disabled = 1 }
      { stanza = stanza $0 "\n" }
      END { flush() }
    ' "$f" >>"$tmp_sources"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$f" ]] || continue
    sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >>"$tmp_list"
  done
  if [[ ! -s "$tmp_sources" && ! -s "$tmp_list" ]]; then
    log "no deb entries found to mirror; using deb.debian.org bookworm"
    printf '%s\n' 'Types: deb-src' 'URIs: http://deb.debian.org/debian' \
      'Suites: bookworm bookworm-updates' 'Components: main' \
      'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' >"$tmp_sources"
  fi
  if [[ -s "$tmp_sources" ]]; then
    log "adding /etc/apt/sources.list.d/lab-operator-deb-src.sources"
    as_root install -m 0644 "$tmp_sources" /etc/apt/sources.list.d/lab-operator-deb-src.sources
  fi
  if [[ -s "$tmp_list" ]]; then
    log "adding /etc/apt/sources.list.d/lab-operator-deb-src.list"
    as_root install -m 0644 "$tmp_list" /etc/apt/sources.list.d/lab-operator-deb-src.list
  fi
}

deb_source_version() {
  apt-cache showsrc --only-source "$DEB_SOURCE_PACKAGE" 2>/dev/null |
    sed -n 's/^Version: //p' | sort -V | tail -n 1
}

ensure_apt() {
  local need_update=0 missing=() pkg
  if ! has_deb_src; then
    log "no deb-src entries configured"
    add_deb_src
    need_update=1
  fi
  for pkg in "${APT_PACKAGES[@]}"; do
    pkg_installed "$pkg" || missing+=("$pkg")
  done
  if [[ $need_update -eq 0 && ( ${#missing[@]} -gt 0 || -z "$(deb_source_version)" ) ]]; then
    need_update=1
  fi
  if [[ $need_update -eq 1 ]]; then
    log "apt-get update"
    as_root apt-get update -q || die "apt-get update failed"
  fi
  if [[ ${#missing[@]} -gt 0 ]]; then
    log "installing: ${missing[*]}"
    as_root apt-get install -y -q --no-install-recommends "${missing[@]}" ||
      die "apt-get install ${missing[*]} failed"
  fi
  [[ -d "$REFLECT2_SRC" ]] || die "$REFLECT2_SRC missing (golang-github-modern-go-reflect2-dev broken?)"
}

# Unpacks the etcd-server .deb into the cache; prints the path of its etcd.
fetch_etcd() {
  local ver dir tmp
  ver=$(apt-cache show --no-all-versions etcd-server 2>/dev/null | sed -n 's/^Version: //p' | head -n 1)
  [[ -n "$ver" ]] || die "apt-cache knows no package etcd-server"
  dir="$CACHE_DIR/etcd-server_$ver"
  if [[ ! -x "$dir/usr/bin/etcd" ]]; then
    log "fetching etcd-server $ver (unpacked, not installed)"
    tmp=$(mktemp -d "$CACHE_DIR/.etcd-download.XXXXXX")
    (cd "$tmp" && apt-get download -q "etcd-server=$ver") >&2 ||
      die "apt-get download etcd-server=$ver failed"
    rm -rf -- "$dir"
    dpkg-deb -x "$tmp"/etcd-server_*.deb "$dir" || die "dpkg-deb -x etcd-server failed"
    rm -rf -- "$tmp"
    [[ -x "$dir/usr/bin/etcd" ]] || die "etcd-server $ver has no usr/bin/etcd"
    printf '%s\n' "$ver" >"$dir/.version"
  fi
  printf '%s\n' "$dir/usr/bin/etcd"
}

# --- source -------------------------------------------------------------------
# Prints the path of the unpacked, patched source tree.
prepare_source() {
  local deb_ver upstream tree marker
  deb_ver=$(deb_source_version)
  [[ -n "$deb_ver" ]] || die "apt-cache knows no source package '$DEB_SOURCE_PACKAGE' (deb-src entries / apt-get update?)"
  upstream=${deb_ver#*:}
  upstream=${upstream%-*}
  tree="$SRC_ROOT/$DEB_SOURCE_PACKAGE-$upstream"
  marker="$tree/.lab-operator-unpacked"

  if [[ -f "$marker" ]] && grep -qxF "$deb_ver" "$marker"; then
    log "using unpacked source $tree (Debian $deb_ver)"
  else
    log "fetching Debian source $DEB_SOURCE_PACKAGE=$deb_ver into $SRC_ROOT"
    # Other versions or a half-finished unpack: start over, but keep the Go
    # build cache, which lives outside the tree.
    rm -rf -- "$SRC_ROOT"
    mkdir -p "$SRC_ROOT"
    # stdout carries this function's result: send apt-get's chatter to stderr.
    (cd "$SRC_ROOT" && apt-get source -q "$DEB_SOURCE_PACKAGE=$deb_ver") >&2 ||
      die "apt-get source $DEB_SOURCE_PACKAGE=$deb_ver failed"
    [[ -d "$tree" ]] || die "apt-get source did not produce $tree"
    printf '%s\n' "$deb_ver" >"$marker"
  fi

  # The version baked into the binaries comes from the git-archive stamp in
  # hack/lib/version.sh; refuse to install another version under 1.20.2.
  grep -qF "'tag: v$K8S_VERSION'" "$tree/hack/lib/version.sh" ||
    die "Debian source $deb_ver is not Kubernetes v$K8S_VERSION; update K8S_VERSION/RECIPE in $0"
  patch_reflect2 "$tree"
  apply_patches "$tree"
  printf '%s\n' "$tree"
}

# Applies hack/patches/*.patch to the tree, each once: the tree is kept between
# runs, so a patch already in place is recognised and left alone. Each patch
# says in its header what it fixes and where it comes from.
apply_patches() {
  local tree=$1 p name
  for p in "$PATCH_DIR"/*.patch; do
    [[ -f "$p" ]] || die "no patches in $PATCH_DIR"
    name=$(basename "$p")
    if patch -d "$tree" -p1 -R --dry-run --force --fuzz=0 --silent <"$p" >/dev/null 2>&1; then
      log "patch $name: already applied"
    elif patch -d "$tree" -p1 --forward --fuzz=0 --no-backup-if-mismatch --silent <"$p" >&2; then
      log "patch $name: applied"
    else
      die "patch $name does not apply to $tree"
    fi
  done
}

# Replace vendored reflect2 1.0.1 (breaks under Go >= 1.18) by Debian's 1.0.2.
patch_reflect2() {
  local tree=$1 ver vendored
  ver=$(pkg_version golang-github-modern-go-reflect2-dev)
  ver=${ver#*:}
  ver=${ver%-*}
  vendored="$tree/vendor/github.com/modern-go/reflect2"
  [[ -d "$vendored" ]] || die "unexpected source layout: $vendored missing"
  log "replacing vendored github.com/modern-go/reflect2 with Debian's $ver"
  rsync -a --delete --exclude=BUILD --exclude=go.mod --exclude='*_test.go' \
    "$REFLECT2_SRC/" "$vendored/"
  [[ -f "$vendored/go_above_118.go" ]] ||
    die "reflect2 $ver has no go_above_118.go; it will not fix the Go >= 1.18 crash"
  # Keep go.mod and vendor/modules.txt consistent with the vendored code (the
  # GOPATH-mode build ignores them, module-mode tooling does not).
  sed -i -E "s#^([[:space:]]*github\.com/modern-go/reflect2 => github\.com/modern-go/reflect2) v[^[:space:]]+\$#\1 v$ver#" \
    "$tree/go.mod"
  sed -i -E "s#^(\# github\.com/modern-go/reflect2( v[^[:space:]]+)? => github\.com/modern-go/reflect2) v[^[:space:]]+\$#\1 v$ver#" \
    "$tree/vendor/modules.txt"
  grep -qE "=> github\.com/modern-go/reflect2 v$ver\$" "$tree/go.mod" ||
    die "could not point the reflect2 replace in go.mod to v$ver"
  [[ $(grep -cE "^# github\.com/modern-go/reflect2.* => github\.com/modern-go/reflect2 v$ver\$" \
    "$tree/vendor/modules.txt") -eq 2 ]] ||
    die "could not update reflect2 in vendor/modules.txt to v$ver"
}

# --- build --------------------------------------------------------------------
build_jobs() {
  local cpus mem_gb jobs
  cpus=$(nproc)
  mem_gb=$(awk '/^MemAvailable:/ {print int($2 / 1048576)}' /proc/meminfo)
  # Linking kube-apiserver takes ~1.5 GB; allow one job per 2 GB available.
  jobs=$((mem_gb / 2))
  ((jobs > cpus)) && jobs=$cpus
  ((jobs < 1)) && jobs=1
  printf '%s\n' "${BUILD_JOBS:-$jobs}"
}

build() {
  local tree=$1 jobs targets=() bin log_file start
  jobs=$(build_jobs)
  for bin in "${BUILT_BINARIES[@]}"; do targets+=("cmd/$bin"); done
  # Debian's debian/rules layout; the Kubernetes scripts build in GOPATH mode
  # (GO111MODULE=off) against vendor/ and never touch the network.
  mkdir -p "$tree/.go/src/k8s.io"
  [[ -L "$tree/.go/src/k8s.io/kubernetes" ]] || ln -s ../../.. "$tree/.go/src/k8s.io/kubernetes"
  # hack/lib/golang.sh forces GOCACHE=_output/local/go/cache; point that at a
  # cache outside the tree so it survives a fresh source unpack.
  mkdir -p "$GO_CACHE_DIR" "$tree/_output/local/go"
  # Re-pointed if it leads elsewhere, e.g. in a cache dir copied from another.
  if [[ $(readlink "$tree/_output/local/go/cache" 2>/dev/null) != "$GO_CACHE_DIR" ]]; then
    rm -rf "$tree/_output/local/go/cache"
    ln -s "$GO_CACHE_DIR" "$tree/_output/local/go/cache"
  fi
  log_file="$CACHE_DIR/build.log"
  log "building ${targets[*]} with $(go version | cut -d' ' -f3), $jobs parallel job(s)"
  log "(a cold build takes ~4-5 minutes on 2 cores; full log: $log_file)"
  start=$SECONDS
  # GOFLAGS is left empty on purpose: hack/lib/golang.sh turns GOFLAGS into
  # build tags.
  if ! (cd "$tree" && env -u GOFLAGS -u GOBIN -u GO111MODULE -u KUBE_BUILD_PLATFORMS \
    PATH="/usr/lib/go/bin:$PATH" GOPATH="$tree/.go" GOMAXPROCS="$jobs" \
    CGO_ENABLED=0 GOPROXY=off GOTOOLCHAIN=local \
    make WHAT="${targets[*]}") 2>&1 | tee "$log_file" >&2; then
    tail -n 40 "$log_file" >&2
    die "build failed; see $log_file"
  fi
  for bin in "${BUILT_BINARIES[@]}"; do
    [[ -x "$tree/_output/bin/$bin" ]] || die "build did not produce _output/bin/$bin; see $log_file"
  done
  log "build finished in $((SECONDS - start)) s"
}

# --- smoke test -----------------------------------------------------------------
free_port() {
  local port i
  for ((i = 0; i < 100; i++)); do
    port=$((20000 + RANDOM % 10000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      printf '%s\n' "$port"
      return 0
    fi
  done
  die "no free TCP port found"
}

# Starts etcd + kube-apiserver from $1 on loopback, server-side applies a CRD
# and a custom resource with map fields (the old reflect2 crashed the
# apiserver in mapiterinit right there), creates another, and checks that both
# read back as written, empty strings included (unpatched, the schema
# validator refused every "" as null).
smoke_test() {
  local dir=$1 tmp etcd_port peer_port api_port etcd_pid api_pid kc i got
  local kubectl="$dir/kubectl"
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/lab-operator-smoke.XXXXXX")
  CLEANUP_PATHS+=("$tmp")
  log "smoke test: versions"
  [[ $("$dir/kube-apiserver" --version) == "Kubernetes v$K8S_VERSION" ]] ||
    die "kube-apiserver --version is not v$K8S_VERSION"
  [[ $("$dir/kube-controller-manager" --version) == "Kubernetes v$K8S_VERSION" ]] ||
    die "kube-controller-manager --version is not v$K8S_VERSION"
  [[ $("$dir/kubeadm" version -o short) == "v$K8S_VERSION" ]] ||
    die "kubeadm version is not v$K8S_VERSION"
  "$kubectl" version --client >/dev/null || die "kubectl does not run"
  "$dir/etcd" --version >/dev/null || die "etcd does not run"

  log "smoke test: starting etcd and kube-apiserver on loopback"
  etcd_port=$(free_port)
  peer_port=$(free_port)
  api_port=$(free_port)
  openssl genrsa -out "$tmp/sa.key" 2048 2>/dev/null || die "openssl genrsa failed"
  printf 'smoke-token,smoke-admin,smoke-admin,"system:masters"\n' >"$tmp/tokens.csv"
  "$dir/etcd" --name default --data-dir "$tmp/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" \
    --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "default=http://127.0.0.1:$peer_port" >"$tmp/etcd.log" 2>&1 &
  etcd_pid=$!
  CLEANUP_PIDS+=("$etcd_pid")
  "$dir/kube-apiserver" --bind-address 127.0.0.1 --secure-port "$api_port" \
    --etcd-servers "http://127.0.0.1:$etcd_port" --cert-dir "$tmp/certs" \
    --token-auth-file "$tmp/tokens.csv" --authorization-mode RBAC \
    --enable-bootstrap-token-auth \
    --service-account-issuer https://localhost \
    --service-account-key-file "$tmp/sa.key" \
    --service-account-signing-key-file "$tmp/sa.key" \
    --service-cluster-ip-range 10.0.0.0/24 \
    --disable-admission-plugins ServiceAccount >"$tmp/apiserver.log" 2>&1 &
  api_pid=$!
  CLEANUP_PIDS+=("$api_pid")

  kc="$tmp/kubeconfig"
  cat >"$kc" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: smoke
  cluster:
    server: https://127.0.0.1:$api_port
    insecure-skip-tls-verify: true
users:
- name: smoke
  user:
    token: smoke-token
contexts:
- name: smoke
  context:
    cluster: smoke
    user: smoke
current-context: smoke
EOF
  smoke_fail() {
    if grep -qE '^(fatal error|panic):' "$tmp/apiserver.log"; then
      log "--- kube-apiserver crashed:"
      grep -m 1 -A 14 -E '^(fatal error|panic):' "$tmp/apiserver.log" >&2 || true
    else
      log "--- tail of kube-apiserver log:"
      tail -n 30 "$tmp/apiserver.log" >&2 || true
    fi
    log "--- tail of etcd log:"
    tail -n 10 "$tmp/etcd.log" >&2 || true
    die "smoke test: $*"
  }
  for ((i = 0; ; i++)); do
    kill -0 "$api_pid" 2>/dev/null || smoke_fail "kube-apiserver exited during startup"
    kill -0 "$etcd_pid" 2>/dev/null || smoke_fail "etcd exited during startup"
    [[ $("$kubectl" --kubeconfig "$kc" get --raw /readyz 2>/dev/null) == ok ]] && break
    ((i < 120)) || smoke_fail "kube-apiserver not ready after 60 s"
    sleep 0.5
  done
  log "smoke test: kube-apiserver ready after ~$((i / 2)) s; applying CRD and custom resource"
  "$kubectl" --kubeconfig "$kc" apply --server-side -f - >/dev/null <<'EOF' ||
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.smoke.lab-operator.local
spec:
  group: smoke.lab-operator.local
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
              note: {type: string}
              settings:
                type: object
                additionalProperties: {type: string}
EOF
    smoke_fail "applying the CRD failed"
  "$kubectl" --kubeconfig "$kc" wait --for condition=established --timeout=60s \
    crd/widgets.smoke.lab-operator.local >/dev/null || smoke_fail "CRD not established"
  for i in 1 2; do
    # The discovery of a fresh CRD may lag; retry the first apply briefly.
    for ((got = 0; got < 20; got++)); do
      "$kubectl" --kubeconfig "$kc" apply --server-side --field-manager=smoke -f - \
        >/dev/null 2>"$tmp/apply.err" <<EOF && break
apiVersion: smoke.lab-operator.local/v1
kind: Widget
metadata:
  name: w1
  namespace: default
  labels: {app: smoke, round: "r$i"}
  annotations: {a: "1", b: "2"}
spec:
  size: $i
  note: ""
  settings: {colour: blue, empty: "", round: "r$i"}
EOF
      kill -0 "$api_pid" 2>/dev/null || smoke_fail "kube-apiserver died applying a custom resource (reflect2/mapiterinit crash?)"
      sleep 0.5
    done
    ((got < 20)) || smoke_fail "server-side apply of the custom resource failed: $(cat "$tmp/apply.err")"
  done
  "$kubectl" --kubeconfig "$kc" create -f - >/dev/null 2>"$tmp/create.err" <<'EOF' ||
apiVersion: smoke.lab-operator.local/v1
kind: Widget
metadata: {name: w2, namespace: default}
spec: {size: 3, note: "", settings: {empty: ""}}
EOF
    smoke_fail "creating a custom resource with empty strings failed: $(cat "$tmp/create.err")"
  got=$("$kubectl" --kubeconfig "$kc" get widgets.smoke.lab-operator.local w1 -n default \
    -o 'jsonpath={.spec}/{.metadata.managedFields[0].manager}') ||
    smoke_fail "reading the applied custom resource back failed"
  [[ "$got" == '{"note":"","settings":{"colour":"blue","empty":"","round":"r2"},"size":2}/smoke' ]] ||
    smoke_fail "unexpected content of the applied custom resource: $got"
  got=$("$kubectl" --kubeconfig "$kc" get widgets.smoke.lab-operator.local w2 -n default -o 'jsonpath={.spec}') ||
    smoke_fail "reading the created custom resource back failed"
  [[ "$got" == '{"note":"","settings":{"empty":""},"size":3}' ]] ||
    smoke_fail "unexpected content of the created custom resource: $got"
  "$kubectl" --kubeconfig "$kc" delete widgets.smoke.lab-operator.local w1 w2 -n default >/dev/null ||
    smoke_fail "deleting the custom resources failed"
  sleep 1
  kill -0 "$api_pid" 2>/dev/null || smoke_fail "kube-apiserver exited after the test"
  if grep -q 'fatal error' "$tmp/apiserver.log"; then
    smoke_fail "kube-apiserver logged a fatal error"
  fi
  log "smoke test: passed (CRD, server-side apply and create of custom resources with empty strings)"
}

# --- install ------------------------------------------------------------------
install_binaries() {
  local tree=$1 etcd=$2 staging old bin
  mkdir -p "$KUBE_API_TEST_DIR/k8s"
  # The tests look only at $K8S_VERSION-linux-amd64, so these temporary names
  # are invisible to a test running concurrently.
  staging=$(mktemp -d "$KUBE_API_TEST_DIR/k8s/.staging-$K8S_VERSION.XXXXXX")
  CLEANUP_PATHS+=("$staging")
  for bin in "${BUILT_BINARIES[@]}"; do
    install -m 0755 "$tree/_output/bin/$bin" "$staging/$bin"
  done
  install -m 0755 "$etcd" "$staging/etcd"

  smoke_test "$staging"

  {
    printf 'recipe=%s\n' "$RECIPE"
    printf 'kubernetes=v%s\n' "$K8S_VERSION"
    printf 'debian-source=%s %s\n' "$DEB_SOURCE_PACKAGE" "$(cat "$tree/.lab-operator-unpacked")"
    printf 'reflect2=golang-github-modern-go-reflect2-dev %s\n' "$(pkg_version golang-github-modern-go-reflect2-dev)"
    (cd "$PATCH_DIR" && sha256sum -- *.patch) | sed 's/^/patch=/'
    printf 'etcd=etcd-server %s\n' "$(cat "$(dirname "$(dirname "$(dirname "$etcd")")")/.version")"
    printf 'go=golang-go %s (%s)\n' "$(pkg_version golang-go)" "$(go version | cut -d' ' -f3)"
    printf 'built-at=%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    (cd "$staging" && sha256sum "${INSTALLED_BINARIES[@]}")
  } >"$staging/.lab-operator-stamp"

  old=""
  if [[ -e "$TARGET_DIR" ]]; then
    old="$KUBE_API_TEST_DIR/k8s/.old-$K8S_VERSION.$$"
    mv -- "$TARGET_DIR" "$old"
    CLEANUP_PATHS+=("$old")
  fi
  mv -- "$staging" "$TARGET_DIR"
  chmod 0755 "$TARGET_DIR"
  log "installed into $TARGET_DIR:"
  (cd "$TARGET_DIR" && ls -l "${INSTALLED_BINARIES[@]}") >&2
}

warn_other_versions() {
  local d
  for d in "$KUBE_API_TEST_DIR"/k8s/*-"$PLATFORM_SUFFIX"; do
    [[ -d "$d" && "$d" != "$TARGET_DIR" ]] || continue
    log "NOTE: $d also exists; the tests use $TARGET_DIR only"
  done
}

main() {
  local force=0 smoke_only=0 tree etcd bin
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --force) force=1 ;;
      --smoke-test) smoke_only=1 ;;
      -h | --help) usage; exit 0 ;;
      *) die "unknown argument: $1 (see --help)" ;;
    esac
    shift
  done

  if [[ $smoke_only -eq 1 ]]; then
    for bin in "${INSTALLED_BINARIES[@]}"; do
      [[ -x "$TARGET_DIR/$bin" ]] || die "$TARGET_DIR/$bin missing; run $0 first"
    done
    smoke_test "$TARGET_DIR"
    return 0
  fi

  if [[ $force -eq 0 ]] && installed_ok; then
    log "up to date: $TARGET_DIR ($RECIPE)"
    return 0
  fi

  [[ $(uname -s)/$(uname -m) == Linux/x86_64 ]] || die "only linux/amd64 is supported"
  command -v apt-get >/dev/null || die "apt-get not found; this script needs Debian bookworm"

  mkdir -p "$CACHE_DIR"
  # Serialise concurrent runs (e.g. parallel test modules).
  exec 9>"$CACHE_DIR/.lock"
  if ! flock -n 9; then
    log "another run holds $CACHE_DIR/.lock; waiting"
    flock 9
  fi
  if [[ $force -eq 0 ]] && installed_ok; then
    log "up to date: $TARGET_DIR (built by a concurrent run)"
    return 0
  fi

  if [[ $force -eq 1 ]]; then
    log "--force: rebuilding"
  elif [[ -e "$TARGET_DIR" ]]; then
    log "$TARGET_DIR has no valid stamp for $RECIPE (or its binaries do not run); rebuilding"
  fi
  log "building Kubernetes v$K8S_VERSION test binaries for $TARGET_DIR"
  ensure_apt
  etcd=$(fetch_etcd)
  tree=$(prepare_source)
  build "$tree"
  install_binaries "$tree" "$etcd"
  warn_other_versions
  log "done"
}

main "$@"
