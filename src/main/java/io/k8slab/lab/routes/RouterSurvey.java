package io.k8slab.lab.routes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.k8slab.lab.api.v1alpha1.BgpPeer;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.PeerStatus;
import io.k8slab.lab.api.v1alpha1.RouteCounts;
import io.k8slab.lab.api.v1alpha1.RouteStatus;
import io.k8slab.lab.api.v1alpha1.RouterAPI;
import io.k8slab.lab.metallb.AddressBlocks;
import io.k8slab.lab.metallb.ResolvedTarget;
import io.k8slab.lab.router.RouterClient;
import io.k8slab.lab.router.RouterException;
import io.k8slab.lab.router.RouterTlsException;

/**
 * What used to be step 5 of the lab, checking on rt-01 by eye, for one BgpPeerPool: for every peer whose router
 * API is known, keep the router's neighbors in step with the speakers (when the router is managed), ask it for its
 * sessions and routes, and compare them with what the cluster says should be there.
 *
 * <p>Routes come from the first peer with a router API: every router learns the same prefixes from the same
 * speakers, and the lab has one. Sessions are reported per peer. Where MetalLB publishes its speakers' view
 * (v0.15 and later) it is compared with each router's, see {@link RouteComparison}.
 */
public final class RouterSurvey {

    private static final Logger LOG = Logger.getLogger(RouterSurvey.class);

    /** Whether a fact could be established: the conditions' True, False and Unknown, plus "nobody to ask". */
    public enum Verdict {
        TRUE, FALSE, UNKNOWN, NOT_OBSERVED
    }

    /** Condition reasons for a router that could not be asked. */
    public static final String UNREACHABLE = "RouterUnreachable";
    public static final String TLS_FAILED = "RouterTLSFailed";

    /**
     * @param unreachable why a router could not be asked, empty when every router answered
     * @param unreachableReason {@link #TLS_FAILED} when TLS was why, else {@link #UNREACHABLE}
     * @param neighborChanges what was added to or deleted from managed routers, for Events
     */
    public record Report(List<PeerStatus> peers, List<RouteStatus> routes, RouteCounts counts, String peersSummary,
            String routesSummary, Verdict sessions, Verdict routesConverged, String unreachable, String unreachableReason,
            List<String> neighborChanges) {
    }

    private RouterSurvey() {
    }

    /**
     * Surveys the pool's routers; {@code routers} gives the client for a router's API block, and may throw
     * {@link RouterException} (its TLS Secret unusable, for example), which counts as that router being unreachable.
     *
     * @param speakers per peer, what its speakers say they advertise to it (Service to nodes, see
     *        {@link SpeakerView#toPeer}); null when MetalLB publishes no such view
     */
    public static Report survey(BgpPeerPool pool, ExpectedRoutes.Cluster cluster, Function<RouterAPI, RouterClient> routers,
            Function<BgpPeer, Map<String, SortedSet<String>>> speakers) {
        Map<String, String> addressByNode = new HashMap<>();
        if (speakers != null) {
            cluster.nodes().forEach(node -> ExpectedRoutes.internalIP(node).ifPresent(ip -> addressByNode.put(node.getMetadata().getName(), ip)));
        }
        SpeakerBehaviour behaviour = SpeakerBehaviour.forVersion(ResolvedTarget.of(pool.getSpec().metallb).version());
        List<PeerStatus> peers = new ArrayList<>();
        List<String> changes = new ArrayList<>();
        List<String> unreachable = new ArrayList<>();
        String unreachableReason = UNREACHABLE;
        RouteComparison.Result routeView = null;
        for (BgpPeer peer : pool.getSpec().peers) {
            ExpectedRoutes.Result expected = ExpectedRoutes.compute(pool.getSpec(), peer, cluster, behaviour);
            RouteComparison.Claims claims = speakers == null ? null : new RouteComparison.Claims(speakers.apply(peer), addressByNode);
            if (peer.router == null || peer.router.address == null) {
                peers.add(RouteComparison.sessions(peer, expected.speakers(),
                        RouteComparison.Observation.unreachable("no router API in spec.peers[" + peer.name + "].router"), claims));
                continue;
            }
            RouteComparison.Observation observed;
            try {
                observed = observe(pool, peer, expected, routers.apply(peer.router), changes);
            } catch (RouterTlsException e) {
                unreachableReason = TLS_FAILED;
                observed = RouteComparison.Observation.unreachable(e.getMessage());
            } catch (RouterException e) {
                observed = RouteComparison.Observation.unreachable(e.getMessage());
            }
            if (!observed.reachable()) {
                unreachable.add(observed.unreachable());
            }
            RouteComparison.Result result = RouteComparison.compare(peer, expected, observed, claims, RouteComparison.DEFAULT_ROUTE_LIMIT);
            peers.add(result.peer());
            if (routeView == null) {
                routeView = result;
            }
        }
        if (routeView == null) {
            RouteCounts counts = new RouteCounts();
            return new Report(peers, List.of(), counts, RouteComparison.peersSummary(peers), "?/?", Verdict.NOT_OBSERVED,
                    Verdict.NOT_OBSERVED, "", UNREACHABLE, changes);
        }
        Verdict sessions = !unreachable.isEmpty() ? Verdict.UNKNOWN
                : peers.stream().allMatch(p -> p.sessionsEstablished != null && p.sessionsEstablished.equals(p.sessionsExpected))
                        ? Verdict.TRUE : Verdict.FALSE;
        Verdict routes = !routeView.routerReachable() ? Verdict.UNKNOWN : routeView.routesConverged() ? Verdict.TRUE : Verdict.FALSE;
        return new Report(peers, routeView.routes(), routeView.counts(), RouteComparison.peersSummary(peers),
                RouteComparison.routesSummary(routeView.counts()), sessions, routes, String.join("; ", unreachable), unreachableReason,
                changes);
    }

    /** What the router reports; a RouterException (TLS ones included) propagates to the caller. */
    private static RouteComparison.Observation observe(BgpPeerPool pool, BgpPeer peer, ExpectedRoutes.Result expected,
            RouterClient router, List<String> changes) {
        if (Boolean.TRUE.equals(peer.router.managed)) {
            NeighborPlan plan = NeighborPlan.plan(pool.getMetadata().getName(), pool.getSpec().myASN, expected.speakers(),
                    router.listPeers());
            if (!plan.isEmpty()) {
                plan.apply(router);
                plan.add().forEach(n -> changes.add("added neighbor " + n.address() + " to " + router.endpoint()));
                plan.delete().forEach(a -> changes.add("deleted neighbor " + a + " from " + router.endpoint()));
            }
            plan.conflicts().forEach(conflict -> LOG.warnf("router %s: %s", router.endpoint(), conflict));
        }
        return RouteComparison.Observation.of(router.listPeers(), router.listRoutes(prefixes(expected)));
    }

    /**
     * What to ask the router about: the pool's BGP ranges as CIDRs. The comparison looks at nothing outside them (an
     * expected route lies inside its pool's CIDRs, MetalLB makes sure of that), so the rest of the table stays unread.
     */
    static List<String> prefixes(ExpectedRoutes.Result expected) {
        return expected.ranges().stream().flatMap(range -> AddressBlocks.split(range).stream()).map(AddressBlocks.Cidr::toString)
                .distinct().toList();
    }
}
