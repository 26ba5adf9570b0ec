package io.k8slab.lab.metallb;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import io.k8slab.lab.api.v1alpha1.BgpPeer;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;

/**
 * Several valid BgpPeerPools as the one MetalLB configuration they make. The order is fixed (BgpPeerPools by name,
 * items in spec order) so that the same pools always render the same bytes, whatever order the cache lists them in;
 * peers that would open the same session appear once, declared by the first BgpPeerPool that has them.
 */
record Merged(List<BgpPeerPool> pools, Map<EffectivePeer, Declared> peers) {

    record Declared(BgpPeerPool owner, BgpPeer peer) {
    }

    static Merged of(List<BgpPeerPool> validPools) {
        List<BgpPeerPool> ordered = validPools.stream().sorted(Comparator.comparing(pool -> pool.getMetadata().getName())).toList();
        Map<EffectivePeer, Declared> peers = new LinkedHashMap<>();
        for (BgpPeerPool pool : ordered) {
            for (BgpPeer peer : pool.getSpec().peers) {
                peers.putIfAbsent(EffectivePeer.of(pool.getSpec(), peer), new Declared(pool, peer));
            }
        }
        return new Merged(ordered, peers);
    }

    /** All named communities; the validator has made sure that equal names carry equal values. */
    SortedMap<String, String> communities() {
        SortedMap<String, String> communities = new TreeMap<>();
        pools.stream().filter(pool -> pool.getSpec().communities != null).forEach(pool -> communities.putAll(pool.getSpec().communities));
        return communities;
    }
}
