package io.k8slab.lab.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.k8slab.lab.api.v1alpha1.BgpPeer;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolSpec;
import io.k8slab.lab.api.v1alpha1.MetalLbTarget;
import io.k8slab.lab.api.v1alpha1.PoolProtocol;
import io.k8slab.lab.routes.RoutesFixtures.ClusterBuilder;

class ExpectedRoutesTest {

    static final String N1 = "172.17.0.21";
    static final String N2 = "172.17.0.22";
    static final String N3 = "172.17.0.23";

    /** One row: the pool and the cluster, and the prefixes with their next hops that should result. */
    record Case(String name, Consumer<BgpPeerPoolSpec> specChange, BgpPeer peer, ClusterBuilder cluster,
            Map<String, List<String>> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static ClusterBuilder lab() {
        return new ClusterBuilder()
                .node("k8s-master-01", "172.17.0.10")
                .node("k8s-node-01", N1, Map.of("rack", "a")).speaker("k8s-node-01")
                .node("k8s-node-02", N2, Map.of("rack", "a")).speaker("k8s-node-02")
                .node("k8s-node-03", N3, Map.of("rack", "b")).speaker("k8s-node-03");
    }

    static Map<String, List<String>> routes(Object... prefixAndHops) {
        Map<String, List<String>> routes = new LinkedHashMap<>();
        for (int i = 0; i < prefixAndHops.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<String> hops = (List<String>) prefixAndHops[i + 1];
            routes.put((String) prefixAndHops[i], hops);
        }
        return routes;
    }

    static Consumer<BgpPeerPoolSpec> version(String version) {
        return spec -> {
            spec.metallb = new MetalLbTarget();
            spec.metallb.version = version;
        };
    }

    static Stream<Case> cases() {
        Consumer<BgpPeerPoolSpec> none = spec -> {
        };
        BgpPeer rackA = RoutesFixtures.peer("rt-01", "172.17.0.1", 64512);
        rackA.nodeSelector = Map.of("rack", "a");
        return Stream.of(
                new Case("the reference lab: nginx from every worker", none, null,
                        lab().service("default", "nginx", "172.17.254.1", "Cluster"),
                        routes("172.17.254.1/32", List.of(N1, N2, N3))),
                new Case("externalTrafficPolicy unset means Cluster", none, null,
                        lab().service("default", "nginx", "172.17.254.1", null),
                        routes("172.17.254.1/32", List.of(N1, N2, N3))),
                new Case("no ingress IP yet: nothing", none, null,
                        lab().service("default", "pending", null, "Cluster"), routes()),
                new Case("not a LoadBalancer: nothing", none, null,
                        lab().service(new ServiceBuilder().withNewMetadata().withNamespace("default").withName("np")
                                .endMetadata().withNewSpec().withType("NodePort").endSpec().withNewStatus()
                                .withNewLoadBalancer().addNewIngress().withIp("172.17.254.9").endIngress()
                                .endLoadBalancer().endStatus().build()),
                        routes()),
                new Case("an IP outside the pool: another pool's business", none, null,
                        lab().service("default", "elsewhere", "172.17.253.5", "Cluster"), routes()),
                new Case("a speaker that is not ready does not announce", none, null,
                        new ClusterBuilder().node("k8s-node-01", N1).speaker("k8s-node-01")
                                .node("k8s-node-02", N2).speaker("k8s-node-02", false)
                                .node("k8s-node-03", N3).speaker("k8s-node-03")
                                .service("default", "nginx", "172.17.254.1", "Cluster"),
                        routes("172.17.254.1/32", List.of(N1, N3))),
                new Case("a node without speaker does not announce", none, null,
                        new ClusterBuilder().node("k8s-node-01", N1).speaker("k8s-node-01").node("k8s-node-02", N2)
                                .service("default", "nginx", "172.17.254.1", "Cluster"),
                        routes("172.17.254.1/32", List.of(N1))),
                new Case("no ready speaker at all: the route is expected, with no next hop (Missing)", none, null,
                        new ClusterBuilder().node("k8s-node-01", N1).service("default", "nginx", "172.17.254.1", "Cluster"),
                        routes("172.17.254.1/32", List.of())),
                new Case("Local: only nodes with a ready local endpoint (Endpoints)", none, null,
                        lab().service("default", "web", "172.17.254.2", "Local")
                                .endpoints("default", "web", List.of("k8s-node-01"), List.of("k8s-node-03")),
                        routes("172.17.254.2/32", List.of(N1))),
                new Case("Local: only nodes with a ready local endpoint (EndpointSlices)", none, null,
                        lab().service("default", "web", "172.17.254.2", "Local")
                                .endpointSlice("default", "web", List.of("k8s-node-02", "k8s-node-03"), List.of("k8s-node-01")),
                        routes("172.17.254.2/32", List.of(N2, N3))),
                new Case("Local without endpoints: expected, no next hop", none, null,
                        lab().service("default", "web", "172.17.254.2", "Local"),
                        routes("172.17.254.2/32", List.of())),
                new Case("Local: endpoints of another Service do not count", none, null,
                        lab().service("default", "web", "172.17.254.2", "Local")
                                .endpoints("other", "web", List.of("k8s-node-01"), List.of()),
                        routes("172.17.254.2/32", List.of())),
                new Case("aggregation length 24: one route for two Services", spec -> spec.addressPools = List.of(
                        RoutesFixtures.pool("my-ip-space", PoolProtocol.bgp, List.of("172.17.254.0/24"), 24)), null,
                        lab().service("default", "a", "172.17.254.1", "Cluster").service("default", "b", "172.17.254.2", "Cluster"),
                        routes("172.17.254.0/24", List.of(N1, N2, N3))),
                new Case("two advertisements: the /32 and the aggregate", spec -> spec.addressPools = List.of(
                        RoutesFixtures.pool("my-ip-space", null, List.of("172.17.254.0/24"), 32, 24)), null,
                        lab().service("default", "a", "172.17.254.1", "Cluster"),
                        routes("172.17.254.0/24", List.of(N1, N2, N3), "172.17.254.1/32", List.of(N1, N2, N3))),
                new Case("aggregates union their Services' next hops", spec -> spec.addressPools = List.of(
                        RoutesFixtures.pool("my-ip-space", PoolProtocol.bgp, List.of("172.17.254.0/24"), 30)), null,
                        lab().service("default", "a", "172.17.254.1", "Local").service("default", "b", "172.17.254.2", "Local")
                                .endpoints("default", "a", List.of("k8s-node-01"), List.of())
                                .endpoints("default", "b", List.of("k8s-node-03"), List.of()),
                        routes("172.17.254.0/30", List.of(N1, N3))),
                new Case("a layer2 pool is not announced over BGP", spec -> spec.addressPools = List.of(
                        RoutesFixtures.pool("l2", PoolProtocol.layer2, List.of("172.17.254.0/24"))), null,
                        lab().service("default", "nginx", "172.17.254.1", "Cluster"), routes()),
                new Case("a range pool", spec -> spec.addressPools = List.of(
                        RoutesFixtures.pool("range", PoolProtocol.bgp, List.of("172.17.254.10-172.17.254.20"))), null,
                        lab().service("default", "in", "172.17.254.15", "Cluster").service("default", "out", "172.17.254.21", "Cluster"),
                        routes("172.17.254.15/32", List.of(N1, N2, N3))),
                new Case("the peer's node selector picks the speakers", none, rackA,
                        lab().service("default", "nginx", "172.17.254.1", "Cluster"),
                        routes("172.17.254.1/32", List.of(N1, N2))),
                new Case("v0.7.3 ignores a Service with two ingress IPs", none, null,
                        lab().service(twoIngress()), routes()),
                new Case("v0.12 and later announce each ingress IP", version("v0.13.12"), null,
                        lab().service(twoIngress()).endpoints("default", "dual", List.of("k8s-node-01"), List.of()),
                        routes("172.17.254.3/32", List.of(N1, N2, N3), "172.17.254.4/32", List.of(N1, N2, N3))),
                new Case("v0.7.3 announces a Cluster Service without endpoints", version("v0.7.3"), null,
                        lab().service("default", "nginx", "172.17.254.1", "Cluster")
                                .endpoints("default", "nginx", List.of(), List.of("k8s-node-01")),
                        routes("172.17.254.1/32", List.of(N1, N2, N3))),
                new Case("v0.8 and later: a Cluster Service without ready endpoints is not announced", version("v0.8.3"), null,
                        lab().service("default", "nginx", "172.17.254.1", "Cluster")
                                .endpoints("default", "nginx", List.of(), List.of("k8s-node-01")),
                        routes("172.17.254.1/32", List.of())),
                new Case("v0.8 and later: one ready endpoint anywhere is enough for Cluster", version("v0.9.6"), null,
                        lab().service("default", "nginx", "172.17.254.1", "Cluster")
                                .endpointSlice("default", "nginx", List.of("k8s-master-01"), List.of()),
                        routes("172.17.254.1/32", List.of(N1, N2, N3))),
                new Case("next hops in address order, not text order", none, null,
                        new ClusterBuilder().node("a", "172.17.0.100").speaker("a").node("b", "172.17.0.9").speaker("b")
                                .node("c", N1).speaker("c").service("default", "nginx", "172.17.254.1", "Cluster"),
                        routes("172.17.254.1/32", List.of("172.17.0.9", N1, "172.17.0.100"))));
    }

    static io.fabric8.kubernetes.api.model.Service twoIngress() {
        return new ServiceBuilder().withNewMetadata().withNamespace("default").withName("dual").endMetadata()
                .withNewSpec().withType("LoadBalancer").endSpec().withNewStatus().withNewLoadBalancer()
                .addNewIngress().withIp("172.17.254.3").endIngress().addNewIngress().withIp("172.17.254.4").endIngress()
                .endLoadBalancer().endStatus().build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void expectedPrefixesAndNextHops(Case row) {
        BgpPeerPoolSpec spec = RoutesFixtures.referenceSpec();
        row.specChange().accept(spec);

        ExpectedRoutes.Result result = ExpectedRoutes.compute(spec, row.peer(), row.cluster().build());

        Map<String, List<String>> actual = new LinkedHashMap<>();
        result.routes().forEach(route -> actual.put(route.prefix(), route.nextHops()));
        assertThat(actual).containsExactlyEntriesOf(row.expected());
    }

    @Test
    void speakersAreTheReadySpeakerNodesWithAnAddressSelectedByThePeer() {
        ClusterBuilder cluster = lab().node("k8s-node-04", null).speaker("k8s-node-04").speaker("ghost");
        BgpPeer rackA = RoutesFixtures.peer("rt-01", "172.17.0.1", 64512);
        rackA.nodeSelector = Map.of("rack", "a");

        ExpectedRoutes.Result all = ExpectedRoutes.compute(RoutesFixtures.referenceSpec(), null, cluster.build());
        ExpectedRoutes.Result selected = ExpectedRoutes.compute(RoutesFixtures.referenceSpec(), rackA, cluster.build());

        assertThat(all.speakers()).containsExactly(new ExpectedRoutes.Speaker("k8s-node-01", N1),
                new ExpectedRoutes.Speaker("k8s-node-02", N2), new ExpectedRoutes.Speaker("k8s-node-03", N3));
        assertThat(all.notes()).containsExactlyInAnyOrder(
                "node k8s-node-04 runs a ready speaker but has no IPv4 InternalIP to peer from",
                "speaker pod on node ghost, which does not exist");
        assertThat(selected.speakers()).extracting(ExpectedRoutes.Speaker::node).containsExactly("k8s-node-01", "k8s-node-02");
    }

    @Test
    void routesNameTheirServicesAndThePoolRanges() {
        BgpPeerPoolSpec spec = RoutesFixtures.referenceSpec();
        spec.addressPools = List.of(RoutesFixtures.pool("agg", PoolProtocol.bgp, List.of("172.17.254.0/24"), 24),
                RoutesFixtures.pool("l2", PoolProtocol.layer2, List.of("172.17.253.0/24")));

        ExpectedRoutes.Result result = ExpectedRoutes.compute(spec, null, lab()
                .service("web", "b", "172.17.254.2", "Cluster").service("default", "a", "172.17.254.1", "Cluster")
                .service("default", "a-again", "172.17.254.1", "Cluster").build());

        assertThat(result.routes()).singleElement().satisfies(route -> assertThat(route.services())
                .containsExactly("default/a", "default/a-again", "web/b"));
        assertThat(result.ranges()).extracting(Object::toString).containsExactly("172.17.254.0-172.17.254.255");
        assertThat(result.notes()).isEmpty();
    }

    @Test
    void noteWhenASingleIngressReleaseSkipsAService() {
        ExpectedRoutes.Result result = ExpectedRoutes.compute(RoutesFixtures.referenceSpec(), null,
                lab().service(twoIngress()).build(), SpeakerBehaviour.V0_7);

        assertThat(result.routes()).isEmpty();
        assertThat(result.notes()).containsExactly("service default/dual has 2 ingress IPs; this MetalLB announces none of them");
    }

    /** Which Node updates can move a route: its InternalIP, or a label some peer selects speakers' nodes by. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("nodeUpdates")
    void nodeUpdatesThatMoveRoutes(String description, Node after, boolean moves) {
        assertThat(ExpectedRoutes.movesRoutes(node("172.17.0.11", Map.of("rack", "a", "lab.k8slab.io/type", "worker")), after,
                Set.of("rack"))).isEqualTo(moves);
    }

    static Stream<Arguments> nodeUpdates() {
        return Stream.of(
                Arguments.of("nothing the routes read", node("172.17.0.11", Map.of("rack", "a", "lab.k8slab.io/type", "worker")), false),
                Arguments.of("a label no peer selects by", node("172.17.0.11", Map.of("rack", "a", "lab.k8slab.io/type", "storage")), false),
                Arguments.of("a label added that no peer selects by", node("172.17.0.11", Map.of("rack", "a", "lab.k8slab.io/type", "worker", "x", "y")), false),
                Arguments.of("a selected label changed", node("172.17.0.11", Map.of("rack", "b", "lab.k8slab.io/type", "worker")), true),
                Arguments.of("a selected label removed", node("172.17.0.11", Map.of("lab.k8slab.io/type", "worker")), true),
                Arguments.of("InternalIP changed", node("172.17.0.12", Map.of("rack", "a", "lab.k8slab.io/type", "worker")), true),
                Arguments.of("InternalIP gone", node(null, Map.of("rack", "a", "lab.k8slab.io/type", "worker")), true));
    }

    @Test
    void selectorKeysAreEveryPeersNodeSelectorKeys() {
        assertThat(ExpectedRoutes.selectorKeys(Stream.of(pool(Map.of("rack", "a")), pool(Map.of("zone", "z1", "rack", "b")), pool(null))))
                .containsExactly("rack", "zone");
    }

    private static BgpPeerPool pool(Map<String, String> nodeSelector) {
        BgpPeerPool pool = new BgpPeerPool();
        pool.setSpec(RoutesFixtures.referenceSpec());
        pool.getSpec().peers.get(0).nodeSelector = nodeSelector;
        return pool;
    }

    private static Node node(String internalIP, Map<String, String> labels) {
        var node = new NodeBuilder().withNewMetadata().withName("k8s-node-01").withLabels(labels).endMetadata()
                .withNewStatus().endStatus().build();
        if (internalIP != null) {
            node.getStatus().getAddresses().add(new NodeAddress(internalIP, "InternalIP"));
        }
        return node;
    }
}
