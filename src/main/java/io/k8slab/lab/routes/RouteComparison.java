package io.k8slab.lab.routes;

import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;

import io.k8slab.lab.api.v1alpha1.BgpPeer;
import io.k8slab.lab.api.v1alpha1.PeerStatus;
import io.k8slab.lab.api.v1alpha1.RouteCounts;
import io.k8slab.lab.api.v1alpha1.RouteStatus;
import io.k8slab.lab.api.v1alpha1.SessionStatus;
import io.k8slab.lab.kube.Networks;
import io.k8slab.lab.kube.Networks.Range;
import io.k8slab.lab.router.RouterPeer;
import io.k8slab.lab.router.RouterRoute;

/**
 * Compares what a router should hold ({@link ExpectedRoutes}) with what it reports ({@link Observation}): the
 * peer's sessions, one per speaker node, and one {@link RouteStatus} per prefix. Pure function; the result is
 * deterministic (sorted), so an unchanged picture yields an equal status and nothing needs writing.
 *
 * <p>Route states ({@link RouteState}): {@code Converged} (the router holds the prefix through every expected next hop), {@code Partial}
 * (through some, not all), {@code Missing} (not at all), {@code Unexpected} (a prefix inside the pool's ranges that
 * no Service owns), and {@code Unknown} when the router could not be asked. With the speakers' own view
 * ({@link Claims}, MetalLB v0.15 and later) a route that some node's speaker says it advertises to this peer while
 * the router holds no path from that node is {@code NotReceived}, naming those nodes, whatever the other next hops
 * show: the two views disagree. The route list is capped (problems first: NotReceived, Missing, Partial,
 * Unexpected, then Converged; each in prefix order); the counts are always complete.
 */
public final class RouteComparison {

    /** Session state of a speaker node whose router could not be asked. */
    public static final String SESSION_UNKNOWN = "Unknown";
    /** Session state of a speaker node the router has no neighbor for. */
    public static final String NOT_CONFIGURED = "NotConfigured";
    /** SessionStatus.source and RouteStatus.source for facts read from the router's API. */
    public static final String SOURCE_ROUTER = "router";
    /** ... and for facts from MetalLB's speakers (ServiceBGPStatus). */
    public static final String SOURCE_SPEAKER = "speaker";
    /** How many RouteStatus entries a status carries by default. */
    public static final int DEFAULT_ROUTE_LIMIT = 50;
    /** How many Service names one RouteStatus lists before "+N more". */
    static final int SERVICE_NAMES_SHOWN = 3;

    private RouteComparison() {
    }

    /**
     * What one router reported, or why it could not be asked.
     *
     * @param unreachable null when the router answered; otherwise the reason (RouterUnreachableException's message)
     */
    public record Observation(List<RouterPeer> peers, List<RouterRoute> routes, String unreachable) {

        public static Observation of(List<RouterPeer> peers, List<RouterRoute> routes) {
            return new Observation(List.copyOf(peers), List.copyOf(routes), null);
        }

        public static Observation unreachable(String reason) {
            return new Observation(List.of(), List.of(), reason == null ? "unreachable" : reason);
        }

        public boolean reachable() {
            return unreachable == null;
        }
    }

    /**
     * What MetalLB's speakers say about one peer.
     *
     * @param byService per Service (namespace/name), the nodes whose speakers advertise it to this peer
     * @param addressByNode every node's InternalIP, to find its paths at the router
     */
    public record Claims(Map<String, SortedSet<String>> byService, Map<String, String> addressByNode) {
    }

    /**
     * @param peer the peer with one session per speaker node
     * @param routes the route entries, capped, problems first
     * @param counts complete counts; only {@code expected} is set when the router could not be asked
     * @param routerReachable whether the observation came from the router
     */
    public record Result(PeerStatus peer, List<RouteStatus> routes, RouteCounts counts, boolean routerReachable) {

        /** "established/expected", e.g. 3/3; "?/3" when unknown. */
        public String peersSummary() {
            return RouteComparison.peersSummary(List.of(peer));
        }

        /** "converged/expected", e.g. 1/1; "?/1" when unknown. */
        public String routesSummary() {
            return RouteComparison.routesSummary(counts);
        }

        public boolean sessionsEstablished() {
            return routerReachable && peer.sessionsEstablished != null
                    && peer.sessionsEstablished.equals(peer.sessionsExpected);
        }

        public boolean routesConverged() {
            return routerReachable && counts.converged != null && counts.converged.equals(counts.expected)
                    && counts.unexpected != null && counts.unexpected == 0;
        }
    }

    /** Sessions and routes of one router, with the default route cap and without the speakers' view. */
    public static Result compare(BgpPeer peer, ExpectedRoutes.Result expected, Observation observed) {
        return compare(peer, expected, observed, null, DEFAULT_ROUTE_LIMIT);
    }

    public static Result compare(BgpPeer peer, ExpectedRoutes.Result expected, Observation observed, int routeLimit) {
        return compare(peer, expected, observed, null, routeLimit);
    }

    /** @param claims the speakers' view of this peer; null when MetalLB publishes none (before v0.15) */
    public static Result compare(BgpPeer peer, ExpectedRoutes.Result expected, Observation observed, Claims claims, int routeLimit) {
        PeerStatus peerStatus = sessions(peer, expected.speakers(), observed, claims);
        if (!observed.reachable()) {
            List<RouteStatus> routes = new ArrayList<>();
            for (ExpectedRoutes.Route route : expected.routes()) {
                if (routes.size() >= routeLimit) {
                    break;
                }
                RouteStatus status = status(route.prefix(), services(route.services()), RouteState.UNKNOWN, route.nextHops(), List.of());
                if (claims != null) {
                    status.advertisedBy = List.copyOf(SpeakerView.advertisers(claims.byService(), route.services()));
                    status.source = status.advertisedBy.isEmpty() ? null : SOURCE_SPEAKER;
                }
                routes.add(status);
            }
            RouteCounts counts = new RouteCounts();
            counts.expected = expected.routes().size();
            return new Result(peerStatus, routes, counts, false);
        }
        return compareRoutes(peerStatus, expected, observed, claims, routeLimit);
    }

    private static Result compareRoutes(PeerStatus peerStatus, ExpectedRoutes.Result expected, Observation observed,
            Claims claims, int routeLimit) {
        Map<String, Set<String>> observedHops = new HashMap<>();
        for (RouterRoute route : observed.routes()) {
            observedHops.computeIfAbsent(route.prefix(), p -> new HashSet<>()).add(route.nextHop());
        }
        List<ExpectedRoutes.Route> routes = expected.routes();
        List<RouteState> state = new ArrayList<>(routes.size());
        List<List<String>> advertisedBy = new ArrayList<>(routes.size());
        List<List<String>> notReceivedFrom = new ArrayList<>(routes.size());
        Set<String> expectedPrefixes = new HashSet<>(routes.size() * 2);
        Map<RouteState, Integer> count = new EnumMap<>(RouteState.class);
        for (int i = 0; i < routes.size(); i++) {
            ExpectedRoutes.Route route = routes.get(i);
            expectedPrefixes.add(route.prefix());
            Set<String> hops = observedHops.getOrDefault(route.prefix(), Set.of());
            List<String> advertisers = claims == null ? null : List.copyOf(SpeakerView.advertisers(claims.byService(), route.services()));
            List<String> lacking = advertisers == null ? List.of()
                    : advertisers.stream().filter(node -> !hops.contains(claims.addressByNode().get(node))).toList();
            advertisedBy.add(advertisers);
            notReceivedFrom.add(lacking);
            RouteState routeState = !lacking.isEmpty() ? RouteState.NOT_RECEIVED : hops.isEmpty() ? RouteState.MISSING
                    : hops.containsAll(route.nextHops()) ? RouteState.CONVERGED : RouteState.PARTIAL;
            state.add(routeState);
            count.merge(routeState, 1, Integer::sum);
        }
        List<String> unexpected = new ArrayList<>();
        for (String prefix : observedHops.keySet()) {
            if (!expectedPrefixes.contains(prefix) && inside(prefix, expected.ranges())) {
                unexpected.add(prefix);
            }
        }
        unexpected.sort(Networks.ADDRESS_ORDER);

        List<RouteStatus> statuses = new ArrayList<>(Math.min(routeLimit, routes.size() + unexpected.size()));
        for (RouteState listed : List.of(RouteState.NOT_RECEIVED, RouteState.MISSING, RouteState.PARTIAL, RouteState.UNEXPECTED,
                RouteState.CONVERGED)) {
            if (listed == RouteState.UNEXPECTED) {
                for (String prefix : unexpected) {
                    if (statuses.size() >= routeLimit) {
                        break;
                    }
                    RouteStatus status = status(prefix, null, RouteState.UNEXPECTED, List.of(), ExpectedRoutes.sortedAddresses(observedHops.get(prefix)));
                    status.source = SOURCE_ROUTER;
                    statuses.add(status);
                }
                continue;
            }
            for (int i = 0; i < routes.size() && statuses.size() < routeLimit; i++) {
                if (state.get(i) == listed) {
                    ExpectedRoutes.Route route = routes.get(i);
                    RouteStatus status = status(route.prefix(), services(route.services()), listed, route.nextHops(),
                            ExpectedRoutes.sortedAddresses(observedHops.getOrDefault(route.prefix(), Set.of())));
                    status.source = listed == RouteState.NOT_RECEIVED ? SOURCE_SPEAKER : SOURCE_ROUTER;
                    status.advertisedBy = advertisedBy.get(i);
                    status.notReceivedFrom = listed == RouteState.NOT_RECEIVED ? notReceivedFrom.get(i) : null;
                    statuses.add(status);
                }
            }
        }
        RouteCounts counts = new RouteCounts();
        counts.expected = routes.size();
        counts.converged = count.getOrDefault(RouteState.CONVERGED, 0);
        counts.partial = count.getOrDefault(RouteState.PARTIAL, 0);
        counts.missing = count.getOrDefault(RouteState.MISSING, 0);
        counts.notReceived = claims == null ? null : count.getOrDefault(RouteState.NOT_RECEIVED, 0);
        counts.unexpected = unexpected.size();
        return new Result(peerStatus, statuses, counts, true);
    }

    /** The peer with one session per speaker node that should peer with it, in address order. */
    public static PeerStatus sessions(BgpPeer peer, List<ExpectedRoutes.Speaker> speakers, Observation observed) {
        return sessions(peer, speakers, observed, null);
    }

    /** ... with each node's count of Services its speaker says it advertises to the peer, when {@code claims} are known. */
    public static PeerStatus sessions(BgpPeer peer, List<ExpectedRoutes.Speaker> speakers, Observation observed, Claims claims) {
        PeerStatus status = new PeerStatus();
        status.name = peer.name;
        status.address = peer.address;
        status.asn = peer.asn;
        status.sessionsExpected = speakers.size();
        Map<String, RouterPeer> neighbors = new HashMap<>();
        observed.peers().forEach(neighbor -> neighbors.put(neighbor.address(), neighbor));
        int established = 0;
        for (ExpectedRoutes.Speaker speaker : speakers) {
            SessionStatus session = new SessionStatus();
            session.node = speaker.node();
            session.address = speaker.address();
            if (claims != null) {
                session.advertisedServices = SpeakerView.servicesOf(claims.byService(), speaker.node());
            }
            if (!observed.reachable()) {
                session.state = SESSION_UNKNOWN;
                session.source = claims == null ? null : SOURCE_SPEAKER;
            } else {
                session.source = SOURCE_ROUTER;
                RouterPeer neighbor = neighbors.get(speaker.address());
                if (neighbor == null) {
                    session.state = NOT_CONFIGURED;
                } else {
                    session.state = neighbor.state();
                    session.since = neighbor.since() == null ? null
                            : neighbor.since().truncatedTo(ChronoUnit.SECONDS).toString();
                    session.prefixesReceived = neighbor.prefixesReceived();
                    if (neighbor.established()) {
                        established++;
                    }
                }
            }
            status.sessions.add(session);
        }
        status.sessionsEstablished = observed.reachable() ? established : null;
        return status;
    }

    /** Established over expected sessions across peers, e.g. "3/3"; "?/3" when a router could not be asked. */
    public static String peersSummary(List<PeerStatus> peers) {
        int expected = 0;
        int established = 0;
        boolean unknown = false;
        for (PeerStatus peer : peers) {
            expected += peer.sessionsExpected == null ? 0 : peer.sessionsExpected;
            if (peer.sessionsEstablished == null) {
                unknown = true;
            } else {
                established += peer.sessionsEstablished;
            }
        }
        return (unknown ? "?" : String.valueOf(established)) + "/" + expected;
    }

    /** Converged over expected routes, e.g. "1/1"; "?/1" when the router could not be asked. */
    public static String routesSummary(RouteCounts counts) {
        int expected = counts.expected == null ? 0 : counts.expected;
        return (counts.converged == null ? "?" : String.valueOf(counts.converged)) + "/" + expected;
    }

    // ---- helpers ----

    private static RouteStatus status(String prefix, String service, RouteState state, List<String> expectedHops,
            List<String> observedHops) {
        RouteStatus status = new RouteStatus();
        status.prefix = prefix;
        status.service = service;
        status.state = state.label;
        status.expectedNextHops = new ArrayList<>(expectedHops);
        status.observedNextHops = new ArrayList<>(observedHops);
        return status;
    }

    /** "ns/a", or "ns/a,ns/b,ns/c,+2 more" for an aggregate carrying many Services. */
    static String services(List<String> services) {
        if (services.isEmpty()) {
            return null;
        }
        if (services.size() <= SERVICE_NAMES_SHOWN) {
            return String.join(",", services);
        }
        return String.join(",", services.subList(0, SERVICE_NAMES_SHOWN)) + ",+"
                + (services.size() - SERVICE_NAMES_SHOWN) + " more";
    }

    private static boolean inside(String prefix, List<Range> ranges) {
        Optional<Range> range = Networks.parseCIDR(prefix);
        return range.isPresent() && ranges.stream().anyMatch(r -> r.contains(range.get()));
    }
}
