package io.k8slab.lab.routes;

import java.util.List;

import io.k8slab.lab.api.v1alpha1.BgpPeer;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.metallb.ResolvedTarget;

/**
 * What one peer of a pool should see: its speaker nodes and routes, computed once a round for both the neighbor
 * sync ({@link RouterNeighborSync}) and the survey ({@link RouterSurvey}).
 */
public record PeerRoutes(BgpPeer peer, ExpectedRoutes.Result expected) {

    /** One per peer of the pool, in spec order. */
    public static List<PeerRoutes> of(BgpPeerPool pool, ExpectedRoutes.Cluster cluster) {
        SpeakerBehaviour behaviour = SpeakerBehaviour.forVersion(ResolvedTarget.of(pool.getSpec().metallb).version());
        return pool.getSpec().peers.stream()
                .map(peer -> new PeerRoutes(peer, ExpectedRoutes.compute(pool.getSpec(), peer, cluster, behaviour)))
                .toList();
    }
}
