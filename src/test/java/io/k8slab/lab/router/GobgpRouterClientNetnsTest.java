package io.k8slab.lab.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.k8slab.lab.api.v1alpha1.BgpPeer;
import io.k8slab.lab.api.v1alpha1.RouteStatus;
import io.k8slab.lab.api.v1alpha1.SessionStatus;
import io.k8slab.lab.router.apipb.GobgpApiGrpc;
import io.k8slab.lab.router.apipb.ListPeerRequest;
import io.k8slab.lab.router.gobgp.GobgpRouterClient;
import io.k8slab.lab.routes.ExpectedRoutes;
import io.k8slab.lab.routes.NeighborPlan;
import io.k8slab.lab.routes.RouteComparison;
import io.k8slab.lab.routes.RouteComparison.Observation;
import io.k8slab.lab.routes.RouteState;
import io.k8slab.lab.routes.RoutesFixtures;

/**
 * GobgpRouterClient, ExpectedRoutes, RouteComparison and NeighborPlan against real gobgpd 3.x processes: rt-01 and
 * four speakers in network namespaces ({@link LabNetwork}). rt-01's configuration names the reference lab's three
 * workers (.21-.23) by hand; the fourth worker (.24) runs a speaker that rt-01 knows nothing about until the
 * operator adds it. Every speaker announces the Service IP 172.17.254.1/32. rt-01's API is reached as the operator
 * reaches it: TLS with the operator's client certificate, through rt-01's TLS front.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GobgpRouterClientNetnsTest {

    static final String NODE1 = "172.17.0.21";
    static final String NODE2 = "172.17.0.22";
    static final String NODE3 = "172.17.0.23";
    static final String NODE4 = "172.17.0.24";
    static final String SERVICE_IP = "172.17.254.1";
    static final String PREFIX = SERVICE_IP + "/32";
    static final Map<String, String> NODE_NAMES = Map.of(NODE1, "k8s-node-01", NODE2, "k8s-node-02", NODE3,
            "k8s-node-03", NODE4, "k8s-node-04");
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(30);

    LabNetwork lab;
    GobgpRouterClient router;

    @BeforeAll
    void startLab() {
        lab = LabNetwork.start(List.of(NODE1, NODE2, NODE3, NODE4), List.of(NODE1, NODE2, NODE3));
        lab.workers().forEach(worker -> worker.announce(PREFIX));
        router = GobgpRouterClient.connect(lab.routerApi(), Duration.ofSeconds(2), lab.operatorTls());
        awaitEstablished(NODE1, NODE2, NODE3);
    }

    @AfterAll
    void stopLab() {
        if (router != null) {
            router.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    @Order(1)
    void listsTheReferenceLabsThreeEstablishedSessions() {
        Instant now = Instant.now();
        List<RouterPeer> peers = router.listPeers();

        assertThat(peers).extracting(RouterPeer::address).containsExactlyInAnyOrder(NODE1, NODE2, NODE3);
        assertThat(peers).allSatisfy(peer -> {
            assertThat(peer.state()).isEqualTo("Established");
            assertThat(peer.asn()).isEqualTo(LabNetwork.SPEAKER_ASN);
            assertThat(peer.description()).isEqualTo(LabNetwork.HAND_CONFIGURED);
            assertThat(peer.since()).isBetween(now.minusSeconds(120), now.plusSeconds(1));
            assertThat(peer.prefixesReceived()).isEqualTo(1);
            assertThat(peer.prefixesAccepted()).isEqualTo(1);
            assertThat(peer.adminDown()).isFalse();
        });
    }

    @Test
    @Order(2)
    void listsTheServiceRouteThroughEveryWorker() {
        List<RouterRoute> routes = router.listRoutes();

        assertThat(routes).allSatisfy(route -> {
            assertThat(route.prefix()).isEqualTo(PREFIX);
            assertThat(route.asPath()).containsExactly(LabNetwork.SPEAKER_ASN);
            assertThat(route.neighbor()).isEqualTo(route.nextHop());
        });
        assertThat(routes).extracting(RouterRoute::nextHop).containsExactlyInAnyOrder(NODE1, NODE2, NODE3);
        assertThat(routes).filteredOn(RouterRoute::best).hasSize(1);

        assertThat(router.listRoutes(List.of("172.17.254.0/24"))).containsExactlyInAnyOrderElementsOf(routes);
        assertThat(router.listRoutes(List.of(PREFIX))).containsExactlyInAnyOrderElementsOf(routes);
        assertThat(router.listRoutes(List.of("172.17.253.0/24"))).isEmpty();
        assertThat(router.listRoutes(List.of("172.17.253.0/24", PREFIX))).as("several prefixes, one call").containsExactlyInAnyOrderElementsOf(routes);
    }

    @Test
    @Order(3)
    void reportsTheReferencePictureAsConverged() {
        RouteComparison.Result result = compare(NODE1, NODE2, NODE3);

        assertThat(result.peersSummary()).isEqualTo("3/3");
        assertThat(result.routesSummary()).isEqualTo("1/1");
        assertThat(result.peer().sessions).allSatisfy(session -> {
            assertThat(session.state).isEqualTo("Established");
            assertThat(session.source).isEqualTo("router");
            assertThat(session.prefixesReceived).isEqualTo(1);
            assertThat(session.since).isNotNull();
        });
        RouteStatus route = result.routes().get(0);
        assertThat(route.prefix).isEqualTo(PREFIX);
        assertThat(route.service).isEqualTo("default/nginx");
        assertThat(route.state).isEqualTo("Converged");
        assertThat(route.observedNextHops).containsExactly(NODE1, NODE2, NODE3);
        assertThat(result.counts().unexpected).isZero();
    }

    @Test
    @Order(4)
    void routesInsideThePoolThatNoServiceOwnsAreUnexpected() {
        // The client asks for the pool's prefixes one by one (EXACT lookups, not gobgpd's table-wide LONGER one): an
        // aggregate and a host route inside the /24 must be found all the same, a route covering the pool must not.
        String aggregate = "172.17.254.128/25";
        String stray = "172.17.254.200/32";
        String covering = "172.17.0.0/16";
        List.of(aggregate, stray, covering).forEach(lab.worker(NODE1)::announce);
        try {
            await("the router has node 1's extra routes").atMost(SESSION_TIMEOUT).pollInterval(Duration.ofMillis(200))
                    .until(() -> router.listRoutes(List.of("0.0.0.0/0")).size() == 6);
            assertThat(router.listRoutes(List.of("172.17.254.0/24"))).extracting(RouterRoute::prefix)
                    .containsExactlyInAnyOrder(PREFIX, PREFIX, PREFIX, aggregate, stray);

            RouteComparison.Result result = compare(NODE1, NODE2, NODE3);
            assertThat(result.counts().unexpected).isEqualTo(2);
            assertThat(result.routes()).filteredOn(route -> route.state.equals(RouteState.UNEXPECTED.label))
                    .extracting(route -> route.prefix).containsExactly(aggregate, stray);
        } finally {
            List.of(aggregate, stray, covering).forEach(lab.worker(NODE1)::withdraw);
        }
        await("node 1's extra routes are gone").atMost(SESSION_TIMEOUT).pollInterval(Duration.ofMillis(200))
                .until(() -> compare(NODE1, NODE2, NODE3).counts().unexpected == 0);
    }

    @Test
    @Order(5)
    void aStoppedSpeakerMakesTheRoutePartialUntilItComesBack() {
        Instant stopped = Instant.now();
        lab.worker(NODE2).stop();
        try {
            await("the router sees node 2's session drop and its path go").atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> nextHops().equals(List.of(NODE1, NODE3)) && !peer(NODE2).established());
            assertThat(Duration.between(stopped, Instant.now())).isLessThan(Duration.ofSeconds(5));

            RouteComparison.Result partial = compare(NODE1, NODE2, NODE3);
            assertThat(partial.peersSummary()).isEqualTo("2/3");
            assertThat(partial.routesSummary()).isEqualTo("0/1");
            RouteStatus route = partial.routes().get(0);
            assertThat(route.state).isEqualTo("Partial");
            assertThat(route.expectedNextHops).containsExactly(NODE1, NODE2, NODE3);
            assertThat(route.observedNextHops).containsExactly(NODE1, NODE3);
            SessionStatus down = partial.peer().sessions.stream().filter(s -> s.address.equals(NODE2)).findFirst().orElseThrow();
            assertThat(down.state).isNotEqualTo("Established");
            assertThat(down.node).isEqualTo("k8s-node-02");
            assertThat(down.since).isNotNull();
        } finally {
            lab.worker(NODE2).start();
        }
        awaitEstablished(NODE1, NODE2, NODE3);
        await("node 2's path is back").atMost(Duration.ofSeconds(5)).until(() -> nextHops().size() == 3);
        assertThat(compare(NODE1, NODE2, NODE3).routesSummary()).isEqualTo("1/1");
    }

    @Test
    @Order(6)
    void aManagedRouterGetsTheFourthWorkerAndLosesItAgainLeavingHandConfiguredNeighborsAlone() {
        NeighborPlan grow = NeighborPlan.plan("lab", LabNetwork.SPEAKER_ASN, speakers(NODE1, NODE2, NODE3, NODE4),
                router.listPeers());
        assertThat(grow.add()).singleElement().satisfies(neighbor -> {
            assertThat(neighbor.address()).isEqualTo(NODE4);
            assertThat(neighbor.asn()).isEqualTo(LabNetwork.SPEAKER_ASN);
            assertThat(neighbor.description()).isEqualTo("lab-operator:lab k8s-node-04");
        });
        assertThat(grow.delete()).isEmpty();
        assertThat(grow.untouched()).extracting(RouterPeer::address).containsExactly(NODE1, NODE2, NODE3);
        grow.apply(router);

        RouterPeer added = peer(NODE4);
        assertThat(added.description()).isEqualTo("lab-operator:lab k8s-node-04");
        assertThat(NeighborMarker.isManagedBy(added.description(), "lab")).isTrue();
        awaitEstablished(NODE1, NODE2, NODE3, NODE4);
        await("the route gains the fourth next hop").atMost(Duration.ofSeconds(5))
                .until(() -> nextHops().equals(List.of(NODE1, NODE2, NODE3, NODE4)));
        assertThat(compare(NODE1, NODE2, NODE3, NODE4).routesSummary()).isEqualTo("1/1");
        assertThat(NeighborPlan.plan("lab", LabNetwork.SPEAKER_ASN, speakers(NODE1, NODE2, NODE3, NODE4),
                router.listPeers()).isEmpty()).isTrue();

        assertThatThrownBy(() -> router.addPeer(NODE4, LabNetwork.SPEAKER_ASN, "again"))
                .isInstanceOf(RouterException.class).isNotInstanceOf(RouterUnreachableException.class)
                .hasMessageContaining(lab.routerApi()).hasMessageContaining("AddPeer");

        // Workers 2, 3 and 4 leave: only the neighbor the operator created goes.
        NeighborPlan shrink = NeighborPlan.plan("lab", LabNetwork.SPEAKER_ASN, speakers(NODE1), router.listPeers());
        assertThat(shrink.add()).isEmpty();
        assertThat(shrink.delete()).containsExactly(NODE4);
        shrink.apply(router);
        assertThat(router.listPeers()).extracting(RouterPeer::address).containsExactlyInAnyOrder(NODE1, NODE2, NODE3);
        await("the fourth next hop is gone").atMost(Duration.ofSeconds(5))
                .until(() -> nextHops().equals(List.of(NODE1, NODE2, NODE3)));

        // Another pool's marker is not this pool's: left alone too.
        router.addPeer(NODE4, LabNetwork.SPEAKER_ASN, NeighborMarker.description("other-pool", "k8s-node-04"));
        NeighborPlan other = NeighborPlan.plan("lab", LabNetwork.SPEAKER_ASN, speakers(NODE1), router.listPeers());
        assertThat(other.isEmpty()).isTrue();
        assertThat(other.untouched()).extracting(RouterPeer::address).contains(NODE4);
        router.deletePeer(NODE4);
        assertThatThrownBy(() -> router.deletePeer(NODE4)).isInstanceOf(RouterException.class)
                .isNotInstanceOf(RouterUnreachableException.class).hasMessageContaining("DeletePeer");
    }

    @Test
    @Order(7)
    void aStoppedRouterIsUnreachableQuicklyAndAnswersAgainOnceRestarted() {
        lab.router().stop();
        try {
            for (Function<RouterClient, Object> call : List.<Function<RouterClient, Object>>of(RouterClient::listPeers,
                    RouterClient::listRoutes)) {
                Instant start = Instant.now();
                assertThatThrownBy(() -> call.apply(router)).isInstanceOf(RouterUnreachableException.class)
                        .hasMessageContaining(lab.routerApi())
                        .satisfies(e -> assertThat(e.getStackTrace()).isEmpty());
                assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(2));
            }
            RouteComparison.Result unknown = RouteComparison.compare(rt01(), expected(NODE1, NODE2, NODE3),
                    Observation.unreachable("rt-01 is down"));
            assertThat(unknown.peersSummary()).isEqualTo("?/3");
            assertThat(unknown.routesSummary()).isEqualTo("?/1");
            assertThat(unknown.peer().sessions).extracting(s -> s.state).containsOnly("Unknown");
        } finally {
            lab.router().start();
        }
        Instant restarted = Instant.now();
        await("the same client reaches the restarted router").atMost(Duration.ofSeconds(5))
                .ignoreException(RouterUnreachableException.class)
                .until(() -> router.listPeers().size() == 3);
        assertThat(Duration.between(restarted, Instant.now())).isLessThan(Duration.ofSeconds(3));
        awaitEstablished(NODE1, NODE2, NODE3);
    }

    @Test
    @Order(7)
    void theApiLetsInOnlyTheOperatorsCertificate() throws Exception {
        // Plaintext, as any pod on the lab network would try first.
        try (GobgpRouterClient plaintext = GobgpRouterClient.connect(lab.routerApi(), Duration.ofSeconds(2))) {
            assertThatThrownBy(plaintext::listPeers).isInstanceOf(RouterUnreachableException.class)
                    .isNotInstanceOf(RouterTlsException.class).hasMessageContaining(lab.routerApi())
                    .satisfies(e -> System.out.println("router: plaintext: " + e.getMessage()));
        }
        // TLS that trusts rt-01, without a client certificate.
        ManagedChannel anonymous = Grpc.newChannelBuilder(lab.routerApi(), TlsChannelCredentials.newBuilder()
                .trustManager(lab.certificate("lab-api-ca.crt").toFile()).build()).build();
        try {
            assertThatThrownBy(() -> GobgpApiGrpc.newBlockingStub(anonymous).withDeadlineAfter(2, TimeUnit.SECONDS)
                    .listPeer(ListPeerRequest.getDefaultInstance()).hasNext())
                    .isInstanceOf(StatusRuntimeException.class).hasMessageStartingWith("UNAVAILABLE")
                    .satisfies(e -> System.out.println("router: no client certificate: " + e.getMessage()));
        } finally {
            anonymous.shutdownNow();
        }
        // A client certificate of another CA, with the same name as the operator's.
        RouterTls intruder = RouterTls.fromSecretData(lab.routerApi(), "kube-system/intruder", "1", lab.secretData("intruder", "lab-api-ca"));
        try (GobgpRouterClient client = GobgpRouterClient.connect(lab.routerApi(), Duration.ofSeconds(2), Optional.of(intruder))) {
            assertThatThrownBy(client::listPeers).isExactlyInstanceOf(RouterTlsException.class)
                    .hasMessageStartingWith("router API " + lab.routerApi() + ": the TLS handshake failed (ListPeer)")
                    .hasMessageContaining("kube-system/intruder")
                    .satisfies(e -> assertThat(e.getStackTrace()).isEmpty())
                    .satisfies(e -> System.out.println("router: intruder's certificate: " + e.getMessage()));
        }
        // The operator's own certificate, but a CA that did not sign rt-01's: the operator does not trust the router.
        RouterTls wrongCa = RouterTls.fromSecretData(lab.routerApi(), "kube-system/wrong-ca", "1", lab.secretData("lab-operator", "intruder-ca"));
        try (GobgpRouterClient client = GobgpRouterClient.connect(lab.routerApi(), Duration.ofSeconds(2), Optional.of(wrongCa))) {
            assertThatThrownBy(client::listPeers).isExactlyInstanceOf(RouterTlsException.class)
                    .hasMessageContaining("the TLS handshake failed").hasMessageContaining("kube-system/wrong-ca")
                    .satisfies(e -> System.out.println("router: wrong CA: " + e.getMessage()));
        }
        // gobgp's CLI from a worker's namespace, plaintext and TLS: gobgp 3.10 has no client certificate option.
        String worker = lab.worker(NODE1).namespace();
        String api = LabNetwork.ROUTER_ADDRESS;
        String port = String.valueOf(LabNetwork.API_PORT);
        assertThat(Cmd.tryRun("ip", "netns", "exec", worker, "timeout", "10", "gobgp", "-u", api, "-p", port, "neighbor").exitCode())
                .as("plaintext gobgp neighbor from a worker").isNotZero();
        assertThat(Cmd.tryRun("ip", "netns", "exec", worker, "timeout", "10", "gobgp", "-u", api, "-p", port, "--tls",
                "--tls-ca-file", lab.certificate("lab-api-ca.crt").toString(), "neighbor").exitCode())
                .as("gobgp --tls neighbor from a worker").isNotZero();

        assertThat(router.listPeers()).extracting(RouterPeer::address).containsExactlyInAnyOrder(NODE1, NODE2, NODE3);
    }

    // ---- helpers ----

    void awaitEstablished(String... addresses) {
        try {
            await("sessions with " + String.join(", ", addresses) + " established").atMost(SESSION_TIMEOUT)
                    .pollInterval(Duration.ofMillis(200))
                    .ignoreException(RouterUnreachableException.class)
                    .until(() -> {
                        Map<String, RouterPeer> peers = router.listPeers().stream()
                                .collect(Collectors.toMap(RouterPeer::address, Function.identity()));
                        return List.of(addresses).stream().allMatch(a -> peers.containsKey(a) && peers.get(a).established());
                    });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + lab.logs(), e);
        }
    }

    RouterPeer peer(String address) {
        return router.listPeers().stream().filter(p -> p.address().equals(address)).findFirst().orElseThrow();
    }

    List<String> nextHops() {
        return router.listRoutes(List.of(PREFIX)).stream().map(RouterRoute::nextHop).sorted().toList();
    }

    static BgpPeer rt01() {
        return RoutesFixtures.peer("rt-01", LabNetwork.ROUTER_ADDRESS, LabNetwork.ROUTER_ASN);
    }

    static List<ExpectedRoutes.Speaker> speakers(String... addresses) {
        List<ExpectedRoutes.Speaker> speakers = new ArrayList<>();
        for (String address : addresses) {
            speakers.add(new ExpectedRoutes.Speaker(NODE_NAMES.get(address), address));
        }
        return speakers;
    }

    /** The reference lab in the cluster's terms: the workers with ready speakers, Service nginx on 172.17.254.1. */
    static ExpectedRoutes.Result expected(String... workers) {
        return ExpectedRoutes.compute(RoutesFixtures.referenceSpec(), rt01(), cluster(List.of(workers)));
    }

    /** The reference lab's cluster: these workers with ready speakers, Service nginx on 172.17.254.1. */
    static ExpectedRoutes.Cluster cluster(List<String> workers) {
        RoutesFixtures.ClusterBuilder cluster = new RoutesFixtures.ClusterBuilder();
        for (String address : workers) {
            cluster.node(NODE_NAMES.get(address), address).speaker(NODE_NAMES.get(address));
        }
        cluster.service("default", "nginx", SERVICE_IP, "Cluster");
        return cluster.build();
    }

    RouteComparison.Result compare(String... workers) {
        return RouteComparison.compare(rt01(), expected(workers),
                Observation.of(router.listPeers(), router.listRoutes(List.of("172.17.254.0/24"))));
    }
}
