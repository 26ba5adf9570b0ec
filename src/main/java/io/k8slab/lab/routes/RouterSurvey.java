package io.k8slab.lab.routes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.function.Function;

import io.k8slab.lab.api.v1alpha1.BgpPeer;
import io.k8slab.lab.api.v1alpha1.PeerStatus;
import io.k8slab.lab.api.v1alpha1.RouteCounts;
import io.k8slab.lab.api.v1alpha1.RouteStatus;
import io.k8slab.lab.api.v1alpha1.RouterAPI;
import io.k8slab.lab.metallb.AddressBlocks;
import io.k8slab.lab.router.RouterClient;
import io.k8slab.lab.router.RouterException;
import io.k8slab.lab.router.RouterTlsException;

/**
 * What used to be step 5 of the lab, checking on rt-01 by eye, for one BgpPeerPool: ask every peer's router whose
 * API is known for its sessions and routes, and compare them with what the cluster says should be there. Reads
 * only: managed routers' neighbors are put in step before, by {@link RouterNeighborSync}.
 *
 * <p>Routes come from the first peer with a router API: every router learns the same prefixes from the same
 * speakers, and the lab has one. Sessions are reported per peer. Where MetalLB publishes its speakers' view
 * (v0.15 and later) it is compared with each router's, see {@link RouteComparison}.
 */
public final class RouterSurvey {

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
     */
    public record Report(List<PeerStatus> peers, List<RouteStatus> routes, RouteCounts counts, String peersSummary,
            String routesSummary, Verdict sessions, Verdict routesConverged, String unreachable, String unreachableReason) {
    }

    private RouterSurvey() {
    }

    /**
     * Surveys the pool's routers; {@code routers} gives the client for a router's API block, and may throw
     * {@link RouterException} (its TLS Secret unusable, for example), which counts as that router being unreachable.
     *
     * @param expectedRoutes each peer's expected routes ({@link PeerRoutes#of})
     * @param cluster the cluster they were computed from (its nodes' addresses, for the speakers' view)
     * @param speakers per peer, what its speakers say they advertise to it (Service to nodes, see
     *        {@link SpeakerView#toPeer}); null when MetalLB publishes no such view
     */
    public static Report survey(List<PeerRoutes> expectedRoutes, ExpectedRoutes.Cluster cluster,
            Function<RouterAPI, RouterClient> routers, Function<BgpPeer, Map<String, SortedSet<String>>> speakers) {
        Map<String, String> addressByNode = new HashMap<>();
        if (speakers != null) {
            cluster.nodes().forEach(node -> ExpectedRoutes.internalIP(node).ifPresent(ip -> addressByNode.put(node.getMetadata().getName(), ip)));
        }
        List<PeerStatus> peers = new ArrayList<>();
        List<String> unreachable = new ArrayList<>();
        String unreachableReason = UNREACHABLE;
        RouteComparison.Result routeView = null;
        for (PeerRoutes peerRoutes : expectedRoutes) {
            BgpPeer peer = peerRoutes.peer();
            ExpectedRoutes.Result expected = peerRoutes.expected();
            RouteComparison.Claims claims = speakers == null ? null : new RouteComparison.Claims(speakers.apply(peer), addressByNode);
            if (peer.router == null || peer.router.address == null) {
                peers.add(RouteComparison.sessions(peer, expected.speakers(),
                        RouteComparison.Observation.unreachable("no router API in spec.peers[" + peer.name + "].router"), claims));
                continue;
            }
            RouteComparison.Observation observed;
            try {
                observed = observe(expected, routers.apply(peer.router));
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
                    Verdict.NOT_OBSERVED, "", UNREACHABLE);
        }
        Verdict sessions = !unreachable.isEmpty() ? Verdict.UNKNOWN
                : peers.stream().allMatch(p -> p.sessionsEstablished != null && p.sessionsEstablished.equals(p.sessionsExpected))
                        ? Verdict.TRUE : Verdict.FALSE;
        Verdict routes = !routeView.routerReachable() ? Verdict.UNKNOWN : routeView.routesConverged() ? Verdict.TRUE : Verdict.FALSE;
        return new Report(peers, routeView.routes(), routeView.counts(), RouteComparison.peersSummary(peers),
                RouteComparison.routesSummary(routeView.counts()), sessions, routes, String.join("; ", unreachable), unreachableReason);
    }

    /** What the router reports; a RouterException (TLS ones included) propagates to the caller. */
    private static RouteComparison.Observation observe(ExpectedRoutes.Result expected, RouterClient router) {
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
