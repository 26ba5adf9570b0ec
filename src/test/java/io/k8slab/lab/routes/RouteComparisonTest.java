package io.k8slab.lab.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.k8slab.lab.api.v1alpha1.BgpPeer;
import io.k8slab.lab.api.v1alpha1.PeerStatus;
import io.k8slab.lab.api.v1alpha1.RouteStatus;
import io.k8slab.lab.api.v1alpha1.SessionStatus;
import io.k8slab.lab.kube.Networks;
import io.k8slab.lab.kube.client.StatusDiff;
import io.k8slab.lab.router.RouterPeer;
import io.k8slab.lab.router.RouterRoute;
import io.k8slab.lab.routes.RouteComparison.Observation;

class RouteComparisonTest {

    static final String N1 = "172.17.0.21";
    static final String N2 = "172.17.0.22";
    static final String N3 = "172.17.0.23";
    static final BgpPeer RT01 = RoutesFixtures.peer("rt-01", "172.17.0.1", 64512);
    static final Instant UP = Instant.parse("2026-01-02T03:04:05.678Z");

    static ExpectedRoutes.Result expected(ExpectedRoutes.Route... routes) {
        return new ExpectedRoutes.Result(List.of(new ExpectedRoutes.Speaker("k8s-node-01", N1),
                new ExpectedRoutes.Speaker("k8s-node-02", N2), new ExpectedRoutes.Speaker("k8s-node-03", N3)),
                List.of(routes), List.of(Networks.parseCIDR("172.17.254.0/24").orElseThrow()), List.of());
    }

    static ExpectedRoutes.Route route(String prefix, String service, String... hops) {
        return new ExpectedRoutes.Route(prefix, List.of(service), List.of(hops));
    }

    static List<RouterRoute> paths(String prefix, String... hops) {
        List<RouterRoute> paths = new ArrayList<>();
        for (String hop : hops) {
            paths.add(new RouterRoute(prefix, hop, List.of(64522L), hop, paths.isEmpty()));
        }
        return paths;
    }

    static List<RouterPeer> established(String... addresses) {
        return Stream.of(addresses).map(a -> new RouterPeer(a, 64522, "", "Established", false, UP, 1, 1)).toList();
    }

    record Case(String name, List<RouterRoute> observed, String state, List<String> observedHops) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("every expected next hop: Converged", paths("172.17.254.1/32", N3, N1, N2), "Converged",
                        List.of(N1, N2, N3)),
                new Case("an extra next hop is still Converged", paths("172.17.254.1/32", N1, N2, N3, "172.17.0.24"),
                        "Converged", List.of(N1, N2, N3, "172.17.0.24")),
                new Case("some next hops: Partial", paths("172.17.254.1/32", N1, N3), "Partial", List.of(N1, N3)),
                new Case("only a foreign next hop: Partial", paths("172.17.254.1/32", "172.17.0.99"), "Partial",
                        List.of("172.17.0.99")),
                new Case("not held: Missing", List.of(), "Missing", List.of()),
                new Case("another prefix is not this one", paths("172.17.254.0/24", N1, N2, N3), "Missing", List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void routeState(Case row) {
        RouteComparison.Result result = RouteComparison.compare(RT01,
                expected(route("172.17.254.1/32", "default/nginx", N1, N2, N3)),
                Observation.of(established(N1, N2, N3), row.observed()));

        RouteStatus route = result.routes().stream().filter(r -> r.prefix.equals("172.17.254.1/32")).findFirst().orElseThrow();
        assertThat(route.state).isEqualTo(row.state());
        assertThat(route.service).isEqualTo("default/nginx");
        assertThat(route.expectedNextHops).containsExactly(N1, N2, N3);
        assertThat(route.observedNextHops).containsExactlyElementsOf(row.observedHops());
        assertThat(result.routesSummary()).isEqualTo(row.state().equals("Converged") ? "1/1" : "0/1");
    }

    @Test
    void prefixesInThePoolThatNoServiceOwnsAreUnexpectedOthersAreNotOurs() {
        List<RouterRoute> observed = new ArrayList<>(paths("172.17.254.1/32", N1, N2, N3));
        observed.addAll(paths("172.17.254.9/32", N2));
        observed.addAll(paths("172.17.254.128/25", N1));
        observed.addAll(paths("172.17.0.0/16", "172.17.0.1"));
        observed.addAll(paths("0.0.0.0/0", "172.17.0.1"));
        observed.addAll(paths("10.0.0.0/8", N1));

        RouteComparison.Result result = RouteComparison.compare(RT01,
                expected(route("172.17.254.1/32", "default/nginx", N1, N2, N3)), Observation.of(established(N1, N2, N3), observed));

        assertThat(result.routes()).extracting(r -> r.prefix + " " + r.state + " " + r.service + " " + r.observedNextHops)
                .containsExactly("172.17.254.9/32 Unexpected null [172.17.0.22]",
                        "172.17.254.128/25 Unexpected null [172.17.0.21]",
                        "172.17.254.1/32 Converged default/nginx [172.17.0.21, 172.17.0.22, 172.17.0.23]");
        assertThat(result.counts().unexpected).isEqualTo(2);
        assertThat(result.counts().converged).isEqualTo(1);
        assertThat(result.routesConverged()).isFalse();
        assertThat(result.routesSummary()).isEqualTo("1/1");
    }

    @Test
    void theCapKeepsProblemsFirstAndTheCountsComplete() {
        List<ExpectedRoutes.Route> routes = new ArrayList<>();
        List<RouterRoute> observed = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            String prefix = "172.17.254." + i + "/32";
            routes.add(route(prefix, "default/svc-" + i, N1, N2, N3));
            if (i % 5 == 0) {
                continue; // 5, 10, 15, 20: Missing
            }
            observed.addAll(i % 7 == 0 ? paths(prefix, N1) : paths(prefix, N1, N2, N3)); // 7, 14: Partial
        }
        observed.addAll(paths("172.17.254.200/32", N1));

        RouteComparison.Result result = RouteComparison.compare(RT01,
                expected(routes.toArray(ExpectedRoutes.Route[]::new)), Observation.of(established(N1, N2, N3), observed), 8);

        assertThat(result.routes()).extracting(r -> r.prefix + " " + r.state).containsExactly(
                "172.17.254.5/32 Missing", "172.17.254.10/32 Missing", "172.17.254.15/32 Missing",
                "172.17.254.20/32 Missing", "172.17.254.7/32 Partial", "172.17.254.14/32 Partial",
                "172.17.254.200/32 Unexpected", "172.17.254.1/32 Converged");
        assertThat(result.counts().expected).isEqualTo(20);
        assertThat(result.counts().converged).isEqualTo(14);
        assertThat(result.counts().partial).isEqualTo(2);
        assertThat(result.counts().missing).isEqualTo(4);
        assertThat(result.counts().unexpected).isEqualTo(1);
        assertThat(result.routesSummary()).isEqualTo("14/20");
    }

    @Test
    void oneSessionPerSpeakerNodeWithTheRoutersView() {
        List<RouterPeer> peers = List.of(
                new RouterPeer(N1, 64522, "configured by hand", "Established", false, UP, 1, 1),
                new RouterPeer(N2, 64522, "", "Active", false, UP.plusSeconds(60), 0, 0),
                new RouterPeer("172.17.0.99", 64522, "", "Active", false, null, 0, 0));

        PeerStatus peer = RouteComparison.compare(RT01, expected(), Observation.of(peers, List.of())).peer();

        assertThat(peer.name).isEqualTo("rt-01");
        assertThat(peer.address).isEqualTo("172.17.0.1");
        assertThat(peer.asn).isEqualTo(64512L);
        assertThat(peer.sessionsEstablished).isEqualTo(1);
        assertThat(peer.sessionsExpected).isEqualTo(3);
        assertThat(peer.sessions).extracting(RouteComparisonTest::describe).containsExactly(
                "k8s-node-01 172.17.0.21 Established 2026-01-02T03:04:05Z 1 router",
                "k8s-node-02 172.17.0.22 Active 2026-01-02T03:05:05Z 0 router",
                "k8s-node-03 172.17.0.23 NotConfigured null null router");
        assertThat(RouteComparison.peersSummary(List.of(peer))).isEqualTo("1/3");
    }

    @Test
    void anUnreachableRouterMakesEverythingUnknownNotWrong() {
        RouteComparison.Result result = RouteComparison.compare(RT01,
                expected(route("172.17.254.1/32", "default/nginx", N1, N2, N3), route("172.17.254.2/32", "default/b", N1)),
                Observation.unreachable("router API 172.17.0.1:50051 is unreachable"), 1);

        assertThat(result.routerReachable()).isFalse();
        assertThat(result.peersSummary()).isEqualTo("?/3");
        assertThat(result.routesSummary()).isEqualTo("?/2");
        assertThat(result.sessionsEstablished()).isFalse();
        assertThat(result.routesConverged()).isFalse();
        assertThat(result.peer().sessionsEstablished).isNull();
        assertThat(result.peer().sessions).extracting(RouteComparisonTest::describe).containsExactly(
                "k8s-node-01 172.17.0.21 Unknown null null null", "k8s-node-02 172.17.0.22 Unknown null null null",
                "k8s-node-03 172.17.0.23 Unknown null null null");
        assertThat(result.routes()).extracting(r -> r.prefix + " " + r.state).containsExactly("172.17.254.1/32 Unknown");
        assertThat(result.counts().expected).isEqualTo(2);
        assertThat(result.counts().converged).isNull();
    }

    @Test
    void summariesAcrossPeersAndConditionsHelpers() {
        PeerStatus a = new PeerStatus();
        a.sessionsEstablished = 3;
        a.sessionsExpected = 3;
        PeerStatus b = new PeerStatus();
        b.sessionsEstablished = 1;
        b.sessionsExpected = 2;
        PeerStatus unknown = new PeerStatus();
        unknown.sessionsExpected = 2;

        assertThat(RouteComparison.peersSummary(List.of(a, b))).isEqualTo("4/5");
        assertThat(RouteComparison.peersSummary(List.of(a, unknown))).isEqualTo("?/5");
        assertThat(RouteComparison.peersSummary(List.of())).isEqualTo("0/0");

        RouteComparison.Result converged = RouteComparison.compare(RT01,
                expected(route("172.17.254.1/32", "default/nginx", N1, N2, N3)),
                Observation.of(established(N1, N2, N3), paths("172.17.254.1/32", N1, N2, N3)));
        assertThat(converged.sessionsEstablished()).isTrue();
        assertThat(converged.routesConverged()).isTrue();
        assertThat(converged.peersSummary()).isEqualTo("3/3");
        assertThat(converged.routesSummary()).isEqualTo("1/1");
    }

    @Test
    void manyServicesOnOneAggregateAreShortened() {
        assertThat(RouteComparison.services(List.of("a/1"))).isEqualTo("a/1");
        assertThat(RouteComparison.services(List.of("a/1", "a/2", "a/3"))).isEqualTo("a/1,a/2,a/3");
        assertThat(RouteComparison.services(List.of("a/1", "a/2", "a/3", "a/4", "a/5"))).isEqualTo("a/1,a/2,a/3,+2 more");
        assertThat(RouteComparison.services(List.of())).isNull();
    }

    @Test
    void anUnchangedPictureGivesAnEqualStatus() {
        List<RouterRoute> observed = new ArrayList<>(paths("172.17.254.1/32", N2, N1));
        observed.addAll(paths("172.17.254.9/32", N3));
        RouteComparison.Result first = RouteComparison.compare(RT01,
                expected(route("172.17.254.1/32", "default/nginx", N1, N2, N3)), Observation.of(established(N2, N1), observed));
        java.util.Collections.reverse(observed);
        RouteComparison.Result second = RouteComparison.compare(RT01,
                expected(route("172.17.254.1/32", "default/nginx", N1, N2, N3)), Observation.of(established(N1, N2), observed));

        assertThat(StatusDiff.changed(first.routes(), second.routes())).isFalse();
        assertThat(StatusDiff.changed(first.peer(), second.peer())).isFalse();
        assertThat(StatusDiff.changed(first.counts(), second.counts())).isFalse();
    }

    // ---- the speakers' view (MetalLB's ServiceBGPStatus) beside the router's ----

    static final Map<String, String> ADDRESSES = Map.of("k8s-node-01", N1, "k8s-node-02", N2, "k8s-node-03", N3);

    static RouteComparison.Claims claims(String service, String... nodes) {
        return new RouteComparison.Claims(nodes.length == 0 ? Map.of() : Map.of(service, new TreeSet<>(List.of(nodes))), ADDRESSES);
    }

    record SpeakerCase(String name, RouteComparison.Claims claims, List<RouterRoute> observed, String state, String source,
            List<String> advertisedBy, List<String> notReceivedFrom) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<SpeakerCase> speakerCases() {
        String nginx = "default/nginx";
        return Stream.of(
                new SpeakerCase("both views agree: Converged", claims(nginx, "k8s-node-01", "k8s-node-02", "k8s-node-03"),
                        paths("172.17.254.1/32", N1, N2, N3), "Converged", "router",
                        List.of("k8s-node-01", "k8s-node-02", "k8s-node-03"), null),
                new SpeakerCase("a speaker advertises, the router lacks its path: NotReceived naming it",
                        claims(nginx, "k8s-node-01", "k8s-node-02", "k8s-node-03"), paths("172.17.254.1/32", N1, N2), "NotReceived",
                        "speaker", List.of("k8s-node-01", "k8s-node-02", "k8s-node-03"), List.of("k8s-node-03")),
                new SpeakerCase("every speaker advertises, the router holds nothing: NotReceived from all",
                        claims(nginx, "k8s-node-01", "k8s-node-02", "k8s-node-03"), List.of(), "NotReceived", "speaker",
                        List.of("k8s-node-01", "k8s-node-02", "k8s-node-03"), List.of("k8s-node-01", "k8s-node-02", "k8s-node-03")),
                new SpeakerCase("a speaker that does not advertise: the router's Partial stands",
                        claims(nginx, "k8s-node-01", "k8s-node-02"), paths("172.17.254.1/32", N1, N2), "Partial", "router",
                        List.of("k8s-node-01", "k8s-node-02"), null),
                new SpeakerCase("no speaker advertises, the router holds nothing: Missing", claims(nginx), List.of(), "Missing", "router",
                        List.of(), null),
                new SpeakerCase("a speaker on a node without an address", claims(nginx, "k8s-node-04"), paths("172.17.254.1/32", N1, N2, N3),
                        "NotReceived", "speaker", List.of("k8s-node-04"), List.of("k8s-node-04")),
                new SpeakerCase("claims for another Service change nothing", claims("default/other", "k8s-node-01"),
                        paths("172.17.254.1/32", N1, N2, N3), "Converged", "router", List.of(), null),
                new SpeakerCase("without the speakers' view (MetalLB before v0.15)", null, paths("172.17.254.1/32", N1), "Partial", "router",
                        null, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("speakerCases")
    void speakersViewBesideTheRouters(SpeakerCase row) {
        RouteComparison.Result result = RouteComparison.compare(RT01, expected(route("172.17.254.1/32", "default/nginx", N1, N2, N3)),
                Observation.of(established(N1, N2, N3), row.observed()), row.claims(), RouteComparison.DEFAULT_ROUTE_LIMIT);

        RouteStatus route = result.routes().get(0);
        assertThat(route.state).isEqualTo(row.state());
        assertThat(route.source).isEqualTo(row.source());
        assertThat(route.advertisedBy).isEqualTo(row.advertisedBy());
        assertThat(route.notReceivedFrom).isEqualTo(row.notReceivedFrom());
        assertThat(result.counts().notReceived).isEqualTo(row.claims() == null ? null : row.state().equals("NotReceived") ? 1 : 0);
        assertThat(result.routesConverged()).isEqualTo(row.state().equals("Converged"));
        assertThat(result.peer().sessions).allSatisfy(session -> assertThat(session.source).isEqualTo("router"));
    }

    @Test
    void notReceivedComesFirstAndSessionsCountWhatEachSpeakerAdvertises() {
        Map<String, SortedSet<String>> byService = Map.of(
                "default/a", new TreeSet<>(List.of("k8s-node-01", "k8s-node-02")),
                "default/b", new TreeSet<>(List.of("k8s-node-02")));
        List<RouterRoute> observed = new ArrayList<>(paths("172.17.254.1/32", N1));
        observed.addAll(paths("172.17.254.2/32", N2));
        RouteComparison.Result result = RouteComparison.compare(RT01,
                expected(route("172.17.254.1/32", "default/a", N1, N2), route("172.17.254.2/32", "default/b", N2), route("172.17.254.3/32", "default/c", N3)),
                Observation.of(established(N1, N2, N3), observed), new RouteComparison.Claims(byService, ADDRESSES), 50);

        assertThat(result.routes()).extracting(r -> r.prefix + " " + r.state + " " + r.source + " " + r.notReceivedFrom).containsExactly(
                "172.17.254.1/32 NotReceived speaker [k8s-node-02]", "172.17.254.3/32 Missing router null",
                "172.17.254.2/32 Converged router null");
        assertThat(result.peer().sessions).extracting(s -> s.node + " " + s.advertisedServices + " " + s.source)
                .containsExactly("k8s-node-01 1 router", "k8s-node-02 2 router", "k8s-node-03 0 router");
        assertThat(result.counts().notReceived).isEqualTo(1);
        assertThat(result.counts().missing).isEqualTo(1);
        assertThat(result.counts().converged).isEqualTo(1);
    }

    @Test
    void withTheRouterUnreachableOnlyTheSpeakersSpeak() {
        RouteComparison.Result result = RouteComparison.compare(RT01,
                expected(route("172.17.254.1/32", "default/nginx", N1, N2, N3), route("172.17.254.2/32", "default/b", N1)),
                Observation.unreachable("router API 172.17.0.1:50051 is unreachable"), claims("default/nginx", "k8s-node-01"), 50);

        assertThat(result.routes()).extracting(r -> r.prefix + " " + r.state + " " + r.source + " " + r.advertisedBy).containsExactly(
                "172.17.254.1/32 Unknown speaker [k8s-node-01]", "172.17.254.2/32 Unknown null []");
        assertThat(result.peer().sessions).extracting(s -> s.node + " " + s.state + " " + s.advertisedServices + " " + s.source)
                .containsExactly("k8s-node-01 Unknown 1 speaker", "k8s-node-02 Unknown 0 speaker", "k8s-node-03 Unknown 0 speaker");
        assertThat(result.routesConverged()).isFalse();
    }

    static String describe(SessionStatus s) {
        return s.node + " " + s.address + " " + s.state + " " + s.since + " " + s.prefixesReceived + " " + s.source;
    }
}
