#!/usr/bin/env bash
# hack/run-local.sh - run the operator against the current kubeconfig context, or, when no cluster answers,
# against a throwaway control plane (etcd + kube-apiserver on loopback) built from the test binaries.
#
# Usage: hack/run-local.sh            (make run)
# Environment:
#   KUBE_API_TEST_DIR   where hack/test-binaries.sh put the binaries (default ~/.kubeapitest)
#   LOCAL_CLUSTER_DIR   state of the throwaway control plane (default target/local-cluster)
#   LAB_EXAMPLES        the manifests applied to a throwaway control plane (default deploy/examples)
#   QUARKUS_HTTP_PORT   the operator's health port (default 8080)
set -euo pipefail

cd "$(dirname "$0")/.."
KUBE_API_TEST_DIR="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}"
STATE="${LOCAL_CLUSTER_DIR:-$PWD/target/local-cluster}"
EXAMPLES="${LAB_EXAMPLES:-deploy/examples}"
JAR=target/quarkus-app/quarkus-run.jar

log() { printf '[run-local] %s\n' "$*" >&2; }
die() { printf '[run-local] ERROR: %s\n' "$*" >&2; exit 1; }

PIDS=()
# Last started, first stopped: kube-apiserver removes its own endpoint from etcd on the way out, and with etcd
# already gone it retries for 20 s.
cleanup() {
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    kill "${PIDS[i]}" 2>/dev/null || true
    wait "${PIDS[i]}" 2>/dev/null || true
  done
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Certificates for a loopback-only API server: a CA, the server's certificate, an admin client in
# system:masters, and the service account signing key.
make_certs() {
  local dir="$1"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=lab-local-ca" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout "$dir/apiserver.key" \
    -out "$dir/apiserver.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$dir/san.ext"
  openssl x509 -req -in "$dir/apiserver.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 30 -extfile "$dir/san.ext" -out "$dir/apiserver.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=lab-admin" -keyout "$dir/admin.key" \
    -out "$dir/admin.csr" 2>/dev/null
  openssl x509 -req -in "$dir/admin.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 30 -out "$dir/admin.crt" 2>/dev/null
  openssl genrsa -out "$dir/sa.key" 2048 2>/dev/null
}

# The test binaries (hack/test-binaries.sh): etcd, kube-apiserver, and kubectl when none is on PATH.
BIN=$(find "$KUBE_API_TEST_DIR/k8s" -mindepth 1 -maxdepth 1 -type d -name '*-linux-amd64' 2>/dev/null | sort -V | tail -n 1)
command -v kubectl >/dev/null || { [ -n "$BIN" ] && PATH="$BIN:$PATH"; }
command -v kubectl >/dev/null || die "no kubectl on PATH and no test binaries under $KUBE_API_TEST_DIR/k8s; run make test-binaries"

start_local_control_plane() {
  local bin="$BIN"
  if [ -z "$bin" ] || [ ! -x "$bin/kube-apiserver" ] || [ ! -x "$bin/etcd" ]; then
    die "no test binaries under $KUBE_API_TEST_DIR/k8s; run hack/test-binaries.sh (make test-binaries) first"
  fi
  rm -rf "$STATE" && mkdir -p "$STATE/etcd"
  make_certs "$STATE"
  local etcd_port peer_port api_port
  etcd_port=$(free_port) peer_port=$(free_port) api_port=$(free_port)

  log "starting etcd on 127.0.0.1:$etcd_port"
  "$bin/etcd" --data-dir "$STATE/etcd" --listen-client-urls "http://127.0.0.1:$etcd_port" \
    --advertise-client-urls "http://127.0.0.1:$etcd_port" --listen-peer-urls "http://127.0.0.1:$peer_port" \
    >"$STATE/etcd.log" 2>&1 &
  PIDS+=($!)

  log "starting kube-apiserver $("$bin/kube-apiserver" --version | cut -d' ' -f2) on 127.0.0.1:$api_port"
  "$bin/kube-apiserver" --etcd-servers "http://127.0.0.1:$etcd_port" --bind-address 127.0.0.1 \
    --secure-port "$api_port" --cert-dir "$STATE" --tls-cert-file "$STATE/apiserver.crt" \
    --tls-private-key-file "$STATE/apiserver.key" --client-ca-file "$STATE/ca.crt" \
    --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$STATE/sa.key" \
    --service-account-signing-key-file "$STATE/sa.key" --service-cluster-ip-range 10.96.0.0/12 \
    --authorization-mode RBAC --enable-bootstrap-token-auth --disable-admission-plugins ServiceAccount \
    >"$STATE/kube-apiserver.log" 2>&1 &
  PIDS+=($!)

  export KUBECONFIG="$STATE/kubeconfig"
  kubectl config set-cluster lab-local --server "https://127.0.0.1:$api_port" \
    --certificate-authority "$STATE/ca.crt" --embed-certs >/dev/null
  kubectl config set-credentials lab-admin --client-certificate "$STATE/admin.crt" \
    --client-key "$STATE/admin.key" --embed-certs >/dev/null
  kubectl config set-context lab-local --cluster lab-local --user lab-admin >/dev/null
  kubectl config use-context lab-local >/dev/null

  local tries=0
  until kubectl get --raw /readyz >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ "$tries" -le 60 ] || die "kube-apiserver did not become ready; see $STATE/kube-apiserver.log"
    sleep 1
  done
  log "installing the CRDs and the examples"
  # crds/ is a kustomize base (its kustomization.yaml is no Kubernetes object): apply it as one.
  kubectl apply --server-side -k crds/ >/dev/null || die "applying the CRDs (crds/) failed"
  kubectl wait --for condition=Established --timeout 60s crd/labclusters.lab.k8slab.io crd/bgppeerpools.lab.k8slab.io >/dev/null ||
    die "the CRDs were not established within 60 s"
  # What deploy/operator's installer applies beside the operator: MetalLB's cluster-wide objects for the release the
  # example pool names (the operator installs only MetalLB's namespaced part). kubectl 1.20 refuses the CRDs' CEL
  # rules in validation and in server-side apply, so they are created unvalidated (1.20 drops the rules).
  local metallb
  metallb=$(grep -rhoE '"?version"? *: *"?v[0-9]+\.[0-9]+\.[0-9]+' "$EXAMPLES" | grep -oE 'v[0-9.]+' | head -n 1)
  if [ -n "$metallb" ] && [ -d "deploy/metallb/$metallb/cluster" ]; then
    log "installing MetalLB $metallb's cluster-wide objects (deploy/metallb/$metallb/cluster)"
    kubectl create --validate=false -k "deploy/metallb/$metallb/cluster" >/dev/null ||
      die "creating MetalLB's cluster-wide objects failed"
  fi
  kubectl apply --server-side -f "$EXAMPLES" >/dev/null || die "applying the examples ($EXAMPLES) failed"
  log "local control plane ready. In another shell:"
  log "  export KUBECONFIG=$KUBECONFIG"
  log "  kubectl get lc,bpp"
}

# Build when the jar is missing or older than the sources, so `make run` never runs stale code.
if [ ! -f "$JAR" ] || [ -n "$(find pom.xml src deploy/metallb -newer "$JAR" -type f -print -quit)" ]; then
  log "building the operator (./mvnw package)"
  ./mvnw -B -q package -DskipTests || die "the build failed"
fi

if kubectl get --raw /readyz --request-timeout=5s >/dev/null 2>&1; then
  log "using the current kubeconfig context: $(kubectl config current-context)"
else
  log "no cluster answers on the current kubeconfig context; starting a local control plane"
  start_local_control_plane
fi

log "starting the operator (Ctrl-C stops it and the local control plane)"
# In the background, so a signal to this script reaches the operator too and the control plane stops after it.
java -jar "$JAR" &
OPERATOR=$!
trap 'kill -TERM "$OPERATOR" 2>/dev/null || true' INT TERM
status=0
wait "$OPERATOR" || status=$?
# A trapped signal interrupts the first wait: wait again for the operator's own exit.
if kill -0 "$OPERATOR" 2>/dev/null; then
  wait "$OPERATOR" || status=$?
fi
exit "$status"
