package io.k8slab.lab.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions;
import io.k8slab.lab.api.v1alpha1.RouteStatus;
import io.k8slab.lab.bgp.BgpPeerPoolReconciler;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.router.gobgp.RouterClients;
import io.k8slab.lab.testing.LoadBalancers;
import io.k8slab.lab.testing.LocalOperator;
import io.k8slab.lab.testing.Manifests;
import io.k8slab.lab.testing.MetalLbCrds;
import io.k8slab.lab.testing.Nodes;
import io.k8slab.lab.testing.TestCluster;

/**
 * The speakers' view beside rt-01's, for MetalLB v0.16.1: MetalLB's ServiceBGPStatus objects (created here as its
 * speakers would) say which node advertises the Service to which BGPPeer; real gobgpd processes in network
 * namespaces ({@link LabNetwork}) are the speakers' sessions and rt-01. When a speaker says it advertises and rt-01
 * holds no path from it, the route is NotReceived and names the node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SpeakerViewNetnsTest {

    static final List<String> WORKERS = List.of("172.17.0.21", "172.17.0.22", "172.17.0.23");
    static final String SERVICE_IP = "172.17.252.7";
    static final String PREFIX = SERVICE_IP + "/32";
    static final String MLB = "speaker-mlb";
    static final String POOL = "speakers";
    /** The BGPPeer the operator renders for the pool's rt-01: MetalLB names peers by it. */
    static final String BGP_PEER = POOL + "-rt-01";

    final KubernetesClient client = TestCluster.get().client();
    LabNetwork lab;
    LocalOperator operator;
    private static final String TLS_SECRET = "rt-01-api-speaker-view";

    @BeforeAll
    void startLab() {
        MetalLbCrds.install();
        lab = LabNetwork.start(WORKERS, WORKERS);
        // rt-01 learns the Service's route from the first two workers only.
        lab.worker(WORKERS.get(0)).announce(PREFIX);
        lab.worker(WORKERS.get(1)).announce(PREFIX);

        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(MLB).endMetadata().build()).serverSideApply();
        for (int i = 0; i < WORKERS.size(); i++) {
            registerSpeakerNode(i + 1, WORKERS.get(i));
        }
        LoadBalancers.assigned(client, "default", "shop", SERVICE_IP);
        LoadBalancers.readyEndpoint(client, "default", "shop", "10.244.1.5", nodeName(1));
        // Every speaker says it advertises the Service to rt-01.
        for (int i = 1; i <= WORKERS.size(); i++) {
            MetalLbCrds.createWithStatus(client, MetalLbCrds.serviceBgpStatus(MLB, "bgp-" + i, nodeName(i), "default", "shop", List.of(BGP_PEER)));
        }

        // rt-01's API takes TLS with a client certificate only.
        client.secrets().inNamespace("kube-system").resource(new SecretBuilder().withNewMetadata().withName(TLS_SECRET).endMetadata()
                .withType("kubernetes.io/tls").withData(lab.operatorSecretData()).build()).serverSideApply();
        TestCluster.get().grantMetalLbNamespace(MLB);
        operator = new LocalOperator(List.of(new BgpPeerPoolReconciler(Clock.systemUTC(), new RouterClients(), Duration.ofSeconds(2), MLB)));
        client.resource(pool()).create();
    }

    @AfterAll
    void stopLab() {
        if (operator != null) {
            operator.close();
        }
        client.resources(BgpPeerPool.class).withName(POOL).delete();
        client.services().inNamespace("default").withName("shop").delete();
        LoadBalancers.deleteEndpoints(client, "default", "shop");
        client.genericKubernetesResources("metallb.io/v1beta1", "ServiceBGPStatus").inNamespace(MLB).delete();
        client.pods().inNamespace(MLB).delete();
        client.secrets().inNamespace("kube-system").withName(TLS_SECRET).delete();
        for (int i = 1; i <= WORKERS.size(); i++) {
            client.nodes().withName(nodeName(i)).delete();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    @Order(1)
    void aRouteTheRouterLacksFromAnAdvertisingSpeakerIsNotReceived() {
        // Until the sessions are up the router lacks every path; then only the third worker's. The third session
        // may come up after the first two paths arrive, so both are awaited together.
        BgpPeerPool pool = awaitStatus(p -> {
            assertThat(p.getStatus().routeStatuses).singleElement().satisfies(route -> assertThat(route.observedNextHops).hasSize(2));
            assertThat(p.getStatus().peerStatuses.get(0).sessions).hasSize(WORKERS.size())
                    .allSatisfy(session -> assertThat(session.state).isEqualTo("Established"));
        });

        RouteStatus route = pool.getStatus().routeStatuses.get(0);
        assertThat(route.prefix).isEqualTo(PREFIX);
        assertThat(route.service).isEqualTo("default/shop");
        assertThat(route.source).isEqualTo("speaker");
        assertThat(route.advertisedBy).containsExactly(nodeName(1), nodeName(2), nodeName(3));
        assertThat(route.notReceivedFrom).containsExactly(nodeName(3));
        assertThat(route.observedNextHops).containsExactly(WORKERS.get(0), WORKERS.get(1));
        assertThat(pool.getStatus().routeCounts.notReceived).isEqualTo(1);
        assertThat(pool.getStatus().routes).isEqualTo("0/1");
        assertThat(pool.getStatus().peerStatuses.get(0).sessions).allSatisfy(session -> {
            assertThat(session.source).isEqualTo("router");
            assertThat(session.state).isEqualTo("Established");
            assertThat(session.advertisedServices).isEqualTo(1);
        });
        assertThat(Conditions.find(pool.getStatus().conditions, BgpPeerPoolConditions.ROUTES_CONVERGED).orElseThrow().getStatus())
                .isEqualTo("False");
    }

    @Test
    @Order(2)
    void theViewsAgreeOnceTheRouterHoldsEveryAdvertisedPath() {
        lab.worker(WORKERS.get(2)).announce(PREFIX);

        BgpPeerPool pool = awaitStatus(p -> assertThat(p.getStatus().routeStatuses.get(0).state).isEqualTo("Converged"));
        RouteStatus route = pool.getStatus().routeStatuses.get(0);
        assertThat(route.source).isEqualTo("router");
        assertThat(route.notReceivedFrom).isNull();
        assertThat(route.advertisedBy).containsExactly(nodeName(1), nodeName(2), nodeName(3));
        assertThat(pool.getStatus().routes).isEqualTo("1/1");
    }

    @Test
    @Order(3)
    void aSpeakerThatStopsAdvertisingLeavesTheRoutersPartial() {
        // The third speaker's status goes (MetalLB deletes it when it advertises to no peer), and its session with it.
        client.genericKubernetesResources("metallb.io/v1beta1", "ServiceBGPStatus").inNamespace(MLB).withName("bgp-3").delete();
        lab.worker(WORKERS.get(2)).withdraw(PREFIX);

        BgpPeerPool pool = awaitStatus(p -> assertThat(p.getStatus().routeStatuses.get(0).state).isEqualTo("Partial"));
        RouteStatus route = pool.getStatus().routeStatuses.get(0);
        assertThat(route.source).isEqualTo("router");
        assertThat(route.advertisedBy).containsExactly(nodeName(1), nodeName(2));
        assertThat(route.observedNextHops).containsExactly(WORKERS.get(0), WORKERS.get(1));
    }

    private BgpPeerPool pool() {
        return Manifests.toResource(Manifests.variant(Manifests.BGP_PEER_POOL, POOL, m -> {
            ((ObjectNode) m.at("/spec/metallb")).put("namespace", MLB).put("install", false).put("version", MetalLbCrds.VERSION);
            ObjectNode router = ((ObjectNode) m.at("/spec/peers/0/router")).put("address", lab.routerApi()).put("managed", false);
            router.putObject("tlsSecretRef").put("name", TLS_SECRET).put("namespace", "kube-system");
            ObjectNode addressPool = (ObjectNode) m.at("/spec/addressPools/0");
            addressPool.put("name", "speaker-space");
            ((ArrayNode) addressPool.withArray("addresses")).removeAll().add("172.17.252.0/24");
        }), BgpPeerPool.class);
    }

    /** A Ready node whose MetalLB speaker pod is Ready, as the kubelet and the DaemonSet would leave them. */
    private void registerSpeakerNode(int index, String address) {
        Nodes.registerReady(client, nodeName(index), address, "v1.35.0");
        Nodes.readySpeaker(client, MLB, "speaker-" + index, nodeName(index), address, "quay.io/metallb/speaker:v0.16.1");
    }

    private static String nodeName(int index) {
        return "k8s-node-0" + index;
    }

    private BgpPeerPool awaitStatus(Consumer<BgpPeerPool> assertion) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            BgpPeerPool pool = client.resources(BgpPeerPool.class).withName(POOL).get();
            assertThat(pool.getStatus()).isNotNull();
            assertion.accept(pool);
        });
        return client.resources(BgpPeerPool.class).withName(POOL).get();
    }
}
