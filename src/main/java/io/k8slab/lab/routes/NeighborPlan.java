package io.k8slab.lab.routes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.k8slab.lab.kube.Networks;
import io.k8slab.lab.router.NeighborConfig;
import io.k8slab.lab.router.NeighborMarker;
import io.k8slab.lab.router.RouterClient;
import io.k8slab.lab.router.RouterPeer;

/**
 * What to change on a managed router so that its neighbors match the speaker nodes: add a neighbor (marked
 * {@code lab-operator:<pool> <node>}) for every speaker the router lacks, delete every neighbor this pool created
 * whose node no longer speaks, re-create one whose AS number is wrong. Neighbors the operator did not create for
 * this pool (configured by hand, or marked for another pool) are never touched; when one sits on a speaker's
 * address with another AS number, the plan says so in {@code conflicts} instead.
 *
 * @param add neighbors to add, in address order
 * @param delete addresses of neighbors to delete (this pool's only), in address order
 * @param untouched neighbors left as they are because this pool did not create them
 * @param conflicts one message per speaker address held by a neighbor the plan may not change and that cannot work
 */
public record NeighborPlan(List<NeighborConfig> add, List<String> delete, List<RouterPeer> untouched,
        List<String> conflicts) {

    public boolean isEmpty() {
        return add.isEmpty() && delete.isEmpty();
    }

    /**
     * @param pool the BgpPeerPool's name (the marker)
     * @param myASN the speakers' AS number (spec.myASN), the neighbors' peer AS
     * @param speakers the nodes that should peer with the router ({@link ExpectedRoutes.Result#speakers()})
     * @param current the router's neighbors ({@link RouterClient#listPeers()})
     */
    public static NeighborPlan plan(String pool, long myASN, List<ExpectedRoutes.Speaker> speakers,
            List<RouterPeer> current) {
        Map<String, RouterPeer> byAddress = new HashMap<>();
        current.forEach(peer -> byAddress.put(peer.address(), peer));
        Set<String> desired = new HashSet<>();
        List<NeighborConfig> add = new ArrayList<>();
        List<String> delete = new ArrayList<>();
        List<String> conflicts = new ArrayList<>();
        for (ExpectedRoutes.Speaker speaker : speakers) {
            if (!desired.add(speaker.address())) {
                continue;
            }
            NeighborConfig wanted = NeighborConfig.of(speaker.address(), myASN,
                    NeighborMarker.description(pool, speaker.node()));
            RouterPeer existing = byAddress.get(speaker.address());
            if (existing == null) {
                add.add(wanted);
            } else if (NeighborMarker.isManagedBy(existing.description(), pool)) {
                if (existing.asn() != myASN) {
                    delete.add(existing.address());
                    add.add(wanted);
                }
            } else if (existing.asn() != myASN) {
                String owner = NeighborMarker.pool(existing.description());
                conflicts.add("neighbor " + existing.address() + " (node " + speaker.node() + ") has AS " + existing.asn()
                        + ", not " + myASN + ", and was "
                        + (owner == null ? "not created by lab-operator" : "created for BgpPeerPool " + owner)
                        + "; left alone");
            }
        }
        List<RouterPeer> untouched = new ArrayList<>();
        for (RouterPeer peer : current) {
            if (NeighborMarker.isManagedBy(peer.description(), pool)) {
                if (!desired.contains(peer.address())) {
                    delete.add(peer.address());
                }
            } else {
                untouched.add(peer);
            }
        }
        add.sort((a, b) -> Networks.ADDRESS_ORDER.compare(a.address(), b.address()));
        delete.sort(Networks.ADDRESS_ORDER);
        untouched.sort((a, b) -> Networks.ADDRESS_ORDER.compare(a.address(), b.address()));
        return new NeighborPlan(List.copyOf(add), List.copyOf(delete), List.copyOf(untouched), List.copyOf(conflicts));
    }

    /** Carries the plan out: deletions first (so a re-created neighbor's address is free), then additions. */
    public void apply(RouterClient router) {
        delete.forEach(router::deletePeer);
        add.forEach(router::addPeer);
    }
}
