#!/usr/bin/env bash
# deploy/lab/tests/router-netns.sh VARS_JSON RENDERED_DIR
#
# Runs rt-01's configuration as rendered by deploy/lab/tests/render-templates.yml (RENDERED_DIR/<router>/) with the
# real daemons, gobgpd and FRR's zebra and bgpd, in a network namespace, with two workers played by gobgpd speakers
# in namespaces of their own, and checks what the lab promises on rt-01:
#   - BGP sessions with the workers, and gobgpd's hand-over session to FRR, come up;
#   - gobgpd's gRPC API answers on the k8s-cluster address, from a worker, through haproxy: TLS with the operator's
#     client certificate only (plaintext and TLS without a client certificate are refused);
#   - a LoadBalancer /32 announced by both workers reaches the kernel as ONE route with a next hop per worker;
#   - the NAT range announced by a worker is rejected (not in the RIB, not in the kernel).
# Needs root, iproute2, gobgpd (Debian: gobgpd), FRR (Debian: frr), haproxy and curl. Every address lives in the namespaces this
# script creates and removes; nothing leaves them.
set -euo pipefail

if [ "$#" -ne 2 ]; then
  echo "usage: $0 VARS_JSON RENDERED_DIR" >&2
  exit 2
fi
vars=$1
rendered=$2

for tool in ip gobgpd gobgp /usr/lib/frr/zebra /usr/lib/frr/bgpd python3 haproxy curl; do
  command -v "$tool" >/dev/null || { echo "router-netns: $tool is missing (Debian packages iproute2 gobgpd frr python3 haproxy curl)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "router-netns: needs root (network namespaces)" >&2; exit 1; }

# What the settings say, from the variables the playbook runs with.
read -r router router_ip prefix_len api_port frr_port lb_ip nat_prefix w1_ip w2_ip worker_asn router_asn \
  local_api tls_pem tls_ca installed_pem installed_ca client_crt client_key < <(
  python3 - "$vars" <<'PY'
import ipaddress, json, sys
lab = json.load(open(sys.argv[1]))["lab"]
r = lab["router"]
pool = next(ipaddress.ip_network(lab["loadbalancer_cidrs"][0]).hosts())  # the first LoadBalancer IP
n = r["neighbors"]
if len(n) < 2:
    sys.exit("router-netns: the settings need at least two workers for an ECMP check")
t, s = r["api_tls"], lab["router_api_secret"]
print(r["name"], r["listen_address"], lab["networks"]["k8s-cluster"].split("/")[1],
      t["listen"].rsplit(":", 1)[1], r["frr"]["bgp_port"], pool, r["rejected_prefixes"][0],
      n[0]["address"], n[1]["address"], n[0]["asn"], r["asn"], r["api_hosts"][0],
      t["certificate"], t["client_ca"], t["installed_certificate"], t["installed_client_ca"], s["certificate"], s["key"])
PY
)
conf=$rendered/$router
for f in gobgpd.conf gobgpd-lab.conf frr.conf haproxy.cfg; do
  [ -s "$conf/$f" ] || { echo "router-netns: $conf/$f is missing (run render-templates.yml first)" >&2; exit 1; }
done
read -ra gobgpd_options < <(sed -n 's/^Environment="GOBGPD_OPTIONS=\(.*\)"$/\1/p' "$conf/gobgpd-lab.conf")

suffix=$$
ns_rt=labrt-$suffix
ns_w1=labw1-$suffix
ns_w2=labw2-$suffix
work=$(mktemp -d)
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for ns in "$ns_rt" "$ns_w1" "$ns_w2"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "router-netns: FAILED: $*" >&2
  for log in "$work"/*.log; do
    echo "--- $(basename "$log")" >&2
    tail -n 20 "$log" >&2
  done
  exit 1
}

start() { # start NAME NAMESPACE COMMAND...: runs COMMAND in NAMESPACE in the background, logging to NAME.log
  local name=$1 ns=$2
  shift 2
  ip netns exec "$ns" "$@" >"$work/$name.log" 2>&1 &
  pids+=("$!")
}

all_running() { # fails when a daemon started here has exited
  local pid
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || return 1; done
}

# rt-01 with a bridge on the k8s-cluster network; each worker on a veth port of it.
for ns in "$ns_rt" "$ns_w1" "$ns_w2"; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
done
ip -n "$ns_rt" link add br0 type bridge
ip -n "$ns_rt" addr add "$router_ip/$prefix_len" dev br0
ip -n "$ns_rt" link set br0 up
i=0
for pair in "$ns_w1:$w1_ip" "$ns_w2:$w2_ip"; do
  i=$((i + 1))
  ns=${pair%%:*}
  ip link add "lab$i-$suffix" type veth peer name eth1 netns "$ns"
  ip link set "lab$i-$suffix" netns "$ns_rt"
  ip -n "$ns_rt" link set "lab$i-$suffix" master br0 up
  ip -n "$ns" addr add "${pair#*:}/$prefix_len" dev eth1
  ip -n "$ns" link set eth1 up
done

# FRR (zebra + bgpd, the rendered frr.conf) and gobgpd (the rendered gobgpd.conf and options) on rt-01.
chmod 755 "$work"
frr=$work/frr # FRR's daemons drop to the frr user: their files live in a folder of its own
install -d -o frr -g frr -m 0750 "$frr"
install -o frr -g frr -m 0640 "$conf/frr.conf" "$frr/frr.conf"
install -o frr -g frr -m 0640 /dev/null "$frr/zebra.conf"
start zebra "$ns_rt" /usr/lib/frr/zebra -f "$frr/zebra.conf" -z "$frr/zserv.api" -i "$frr/zebra.pid" \
  --vty_socket "$frr" -A 127.0.0.1 -P 0
for _ in $(seq 50); do [ -S "$frr/zserv.api" ] && break; sleep 0.1; done
[ -S "$frr/zserv.api" ] || fail "zebra did not start"
start bgpd "$ns_rt" /usr/lib/frr/bgpd -f "$frr/frr.conf" -z "$frr/zserv.api" -i "$frr/bgpd.pid" \
  --vty_socket "$frr" -A 127.0.0.1 -P 0 -p "$frr_port"
start gobgpd-router "$ns_rt" gobgpd -f "$conf/gobgpd.conf" "${gobgpd_options[@]}"
# haproxy with the rendered configuration, the certificates from the generated files instead of /etc/haproxy.
sed -e "s|$installed_pem|$tls_pem|" -e "s|$installed_ca|$tls_ca|" "$conf/haproxy.cfg" >"$work/haproxy.cfg"
haproxy -c -q -f "$work/haproxy.cfg" >"$work/haproxy-check.log" 2>&1 || fail "haproxy rejects the rendered haproxy.cfg"
start haproxy "$ns_rt" haproxy -db -f "$work/haproxy.cfg"

# Two workers announcing like MetalLB's speakers.
for pair in "w1:$ns_w1:$w1_ip" "w2:$ns_w2:$w2_ip"; do
  IFS=: read -r name ns ip_addr <<<"$pair"
  cat >"$work/$name.conf" <<EOF
[global.config]
  as = $worker_asn
  router-id = "$ip_addr"
  local-address-list = ["$ip_addr"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "$router_ip"
    peer-as = $router_asn
EOF
  start "gobgpd-$name" "$ns" gobgpd -f "$work/$name.conf" --api-hosts=127.0.0.1:50051 --pprof-disable
done

# gobgpd's API on the k8s-cluster address, asked from a worker: only over TLS with the operator's certificate.
grpc_get_bgp() { # grpc_get_bgp CURL_OPTION...: gobgpd's GetBgp through haproxy from worker 1; prints the grpc-status
  printf '\0\0\0\0\0' >"$work/empty.grpc"
  ip netns exec "$ns_w1" curl -sS --max-time 5 --http2 --cacert "$tls_ca" \
    -H 'content-type: application/grpc' -H 'te: trailers' --data-binary @"$work/empty.grpc" -o /dev/null \
    -D - "$@" "https://$router_ip:$api_port/apipb.GobgpApi/GetBgp" 2>>"$work/curl.log" | tr -d '\r' | sed -n 's/^grpc-status: //p'
}
established=0
for _ in $(seq 60); do
  all_running || fail "a daemon exited"
  out=$(ip netns exec "$ns_rt" gobgp -u "${local_api%:*}" -p "${local_api##*:}" neighbor 2>/dev/null || true)
  if grep -q "^$w1_ip .*Establ" <<<"$out" && grep -q "^$w2_ip .*Establ" <<<"$out" \
     && grep -q "^$router_ip .*Establ" <<<"$out"; then
    established=1
    break
  fi
  sleep 1
done
[ "$established" -eq 1 ] || fail "sessions not established after 60 s; rt-01's API said: ${out:-nothing}"
echo "router-netns: sessions established"
status=$(grpc_get_bgp --cert "$client_crt" --key "$client_key" || true)
[ "$status" = "0" ] || fail "GetBgp with the operator's certificate through haproxy: grpc-status '${status}' ($(tail -n 2 "$work/curl.log"))"
echo "router-netns: gobgpd's API answers on $router_ip:$api_port over TLS with the operator's client certificate"
if [ -n "$(grpc_get_bgp || true)" ]; then
  fail "GetBgp without a client certificate was answered"
fi
if ip netns exec "$ns_w1" timeout 10 gobgp -u "$router_ip" -p "$api_port" neighbor >/dev/null 2>&1; then
  fail "gobgpd's API answered plaintext on $router_ip:$api_port"
fi
echo "router-netns: without a client certificate, and in plaintext, the API is refused"

for ns in "$ns_w1" "$ns_w2"; do ip netns exec "$ns" gobgp global rib add "$lb_ip/32" >/dev/null; done
ip netns exec "$ns_w1" gobgp global rib add "$nat_prefix" >/dev/null

ecmp=0
for _ in $(seq 30); do
  all_running || fail "a daemon exited"
  route=$(ip -n "$ns_rt" route show "$lb_ip")
  if grep -q "nexthop via $w1_ip " <<<"$route" && grep -q "nexthop via $w2_ip " <<<"$route"; then
    ecmp=1
    break
  fi
  sleep 1
done
[ "$ecmp" -eq 1 ] || fail "no ECMP kernel route for $lb_ip via $w1_ip and $w2_ip; ip route: $(ip -n "$ns_rt" route)"
echo "router-netns: kernel route on rt-01: $(tr -s ' \n\t' ' ' <<<"$route")"

[ -z "$(ip -n "$ns_rt" route show "$nat_prefix")" ] || fail "$nat_prefix reached rt-01's kernel"
if ip netns exec "$ns_rt" gobgp global rib | grep -q "${nat_prefix%/*}"; then
  fail "$nat_prefix is in rt-01's RIB; the NAT policy did not reject it"
fi
echo "router-netns: $nat_prefix rejected by policy"
echo "router-netns: OK"
