package io.k8slab.lab.routes;

import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.RouterAPI;
import io.k8slab.lab.router.RouterClient;
import io.k8slab.lab.router.RouterException;

/**
 * Keeps the neighbors of managed routers ({@code spec.peers[].router.managed: true}) in step with the speaker
 * nodes, as {@link NeighborPlan} says, before the survey reads them. The only step that writes to a router.
 */
public final class RouterNeighborSync {

    private static final Logger LOG = Logger.getLogger(RouterNeighborSync.class);

    private RouterNeighborSync() {
    }

    /**
     * @return what was added to or deleted from the routers, for Events; a router that fails here is marked in
     *         {@code routers}, so the survey reports it unreachable without asking it again
     */
    public static List<String> sync(BgpPeerPool pool, List<PeerRoutes> peers, RouterConnections routers) {
        List<String> changes = new ArrayList<>();
        for (PeerRoutes peer : peers) {
            RouterAPI api = peer.peer().router;
            if (api == null || api.address == null || !Boolean.TRUE.equals(api.managed)) {
                continue;
            }
            try {
                RouterClient router = routers.apply(api);
                NeighborPlan plan = NeighborPlan.plan(pool.getMetadata().getName(), pool.getSpec().myASN, peer.expected().speakers(),
                        router.listPeers());
                if (!plan.isEmpty()) {
                    plan.apply(router);
                    plan.add().forEach(n -> changes.add("added neighbor " + n.address() + " to " + router.endpoint()));
                    plan.delete().forEach(a -> changes.add("deleted neighbor " + a + " from " + router.endpoint()));
                }
                plan.conflicts().forEach(conflict -> LOG.warnf("router %s: %s", router.endpoint(), conflict));
            } catch (RouterException e) {
                routers.failed(api, e);
            }
        }
        return changes;
    }
}
