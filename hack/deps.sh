#!/usr/bin/env bash
# hack/deps.sh - install the Debian packages the test suite uses, when missing.
# Needs root (CI and the lab machines run as root); prints what it would install otherwise.
set -euo pipefail

# openssl: the tests' control plane certificates (and hack/run-local.sh). python3: hack/run-local.sh. lua5.1: deploy/argocd's health checks (Argo CD runs Lua 5.1). gobgpd (with the gobgp CLI), frr, iproute2, socat: the BGP tests' routers
# in network namespaces; haproxy: rt-01's TLS front (client certificates) there; curl: the lab check's gRPC call through it.
# ruby, vagrant, ansible, ansible-lint, shellcheck, openssh-client: the lab's static checks.
PACKAGES=(openssl python3 lua5.1 gobgpd frr iproute2 socat haproxy curl ruby vagrant ansible ansible-lint shellcheck openssh-client)
# kubectl for the tests' kubectl calls: Debian has no package for it, so the one built by
# hack/test-binaries.sh is used when none is on PATH (see the Makefile).

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "[deps] missing Debian packages: ${missing[*]} (run as root: apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "[deps] installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
