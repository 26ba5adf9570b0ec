#!/usr/bin/env bash
# deploy/lab/scripts/status.sh - `make status`: the VMs, the LabCluster and BgpPeerPool as the master sees them,
# MetalLB's pods and the metallb.io resources the operator wrote (MetalLB v0.13+ reads those, not a ConfigMap),
# and rt-01's view of BGP (sessions, RIB, the kernel routes FRR installed).
set -euo pipefail
cd "$(dirname "$0")/../../.."

master=$(ruby deploy/lab/render.rb names control-plane)
router=$(ruby deploy/lab/render.rb names router)

on() { # on VM COMMAND: runs COMMAND on VM through vagrant ssh, quietly
  vagrant ssh "$1" --no-tty -c "$2" -- -q
}

echo "== VMs"
vagrant status
echo
echo "== $master: nodes, LabCluster, BgpPeerPool, operator"
on "$master" 'kubectl get nodes -o wide; echo; kubectl get labclusters,bgppeerpools; echo; kubectl --namespace=lab-operator get pods -o wide'
echo
echo "== $master: MetalLB (pods, IPAddressPools, BGPPeers, BGPAdvertisements)"
on "$master" 'kubectl get pods --all-namespaces --selector=app=metallb -o wide; echo; kubectl get ipaddresspools,bgppeers,bgpadvertisements --all-namespaces'
echo
echo "== $router: BGP sessions, RIB, kernel routes from BGP"
on "$router" 'gobgp neighbor; echo; gobgp global rib; echo; ip route show proto bgp'
