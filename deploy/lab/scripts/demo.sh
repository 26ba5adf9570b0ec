#!/usr/bin/env bash
# deploy/lab/scripts/demo.sh - `make demo`: deploys nginx behind a LoadBalancer Service (deploy/lab/demo/nginx.yaml)
# on the lab, waits for MetalLB to give it an address, shows rt-01's route to it and curls it from client-01.
# `make demo` again is harmless; `vagrant ssh k8s-master-01 -c 'kubectl delete -f -' < deploy/lab/demo/nginx.yaml`
# removes it.
set -euo pipefail
cd "$(dirname "$0")/../../.."

master=$(ruby deploy/lab/render.rb names control-plane)
router=$(ruby deploy/lab/render.rb names router)
client=$(ruby deploy/lab/render.rb names client)

on() { # on VM COMMAND: runs COMMAND on VM through vagrant ssh, quietly
  vagrant ssh "$1" --no-tty -c "$2" -- -q
}

echo "== $master: kubectl apply -f deploy/lab/demo/nginx.yaml"
on "$master" 'kubectl apply -f -' <deploy/lab/demo/nginx.yaml
on "$master" 'kubectl rollout status deployment/nginx --timeout=300s'

echo "== waiting for the Service's EXTERNAL-IP (MetalLB)"
ip=""
for _ in $(seq 60); do
  ip=$(on "$master" "kubectl get service nginx -o jsonpath='{.status.loadBalancer.ingress[0].ip}'" | tr -d '\r')
  [ -n "$ip" ] && break
  sleep 5
done
if [ -z "$ip" ]; then
  echo "demo: the Service got no EXTERNAL-IP in 5 minutes; see \`make status\` (is the BgpPeerPool Ready?)" >&2
  on "$master" 'kubectl get service nginx; kubectl get bgppeerpools; kubectl get ipaddresspools,bgppeers --all-namespaces' >&2 || true
  exit 1
fi
on "$master" 'kubectl get service nginx -o wide'

echo "== $router: the route to $ip (one next hop per worker announcing it)"
for _ in $(seq 24); do
  route=$(on "$router" "ip route show $ip" | tr -d '\r')
  [ -n "$route" ] && break
  sleep 5
done
echo "${route:-(no route to $ip on $router yet)}"
on "$router" "gobgp global rib $ip/32" || true

echo "== $client: curl http://$ip/"
on "$client" "curl --silent --show-error --max-time 10 http://$ip/ | grep -i '<title>'"
echo "demo: client-01 reached nginx at $ip through $router"
