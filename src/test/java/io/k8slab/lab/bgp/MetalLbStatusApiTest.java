package io.k8slab.lab.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions;
import io.k8slab.lab.api.v1alpha1.RouteStatus;
import io.k8slab.lab.api.v1alpha1.RouterAPI;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.router.gobgp.RouterClients;
import io.k8slab.lab.testing.LoadBalancers;
import io.k8slab.lab.testing.LocalOperator;
import io.k8slab.lab.testing.Manifests;
import io.k8slab.lab.testing.MetalLbCrds;
import io.k8slab.lab.testing.Nodes;
import io.k8slab.lab.testing.TestCluster;

/**
 * MetalLB's own status resources (v0.15 and later) read by the reconciler on the real API server, with the real
 * CRDs of the embedded release: a ConfigurationState that says MetalLB refused its configuration turns
 * ConfigApplied False with MetalLB's message; ServiceBGPStatus gives the speakers' view when rt-01 cannot be asked.
 * (The speakers' view against a real rt-01 is router/SpeakerViewNetnsTest.) Each test targets its own namespace,
 * with an operator whose MetalLB namespace (its setting lab.metallb.namespace) is that one.
 */
class MetalLbStatusApiTest {

    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private static final KubernetesClient client = TestCluster.get().client();
    private LocalOperator operator;

    @BeforeAll
    static void installCrds() {
        MetalLbCrds.install();
    }

    @AfterEach
    void stop() {
        if (operator != null) {
            operator.close();
        }
    }

    @AfterAll
    static void deletePools() {
        client.resources(BgpPeerPool.class).delete();
    }

    @Test
    void aConfigurationStateErrorTurnsConfigAppliedFalseWithMetalLbsMessage() {
        String namespace = namespace();
        client.resource(pool("refused", namespace, "v0.16.1", "172.17.240.0/24")).create();
        awaitCondition("refused", c -> c.getType().equals(BgpPeerPoolConditions.CONFIG_APPLIED) && c.getReason().equals("Applied"));

        String error = "parsing peer refused-rt-01 invalid BGPPeer timers: invalid hold time \"1s\": must be 0 or >=3s";
        GenericKubernetesResource state = MetalLbCrds.createWithStatus(client,
                MetalLbCrds.configurationState(namespace, "speaker-k8s-node-01", "Invalid", error));

        Condition applied = awaitCondition("refused", c -> c.getType().equals(BgpPeerPoolConditions.CONFIG_APPLIED) && c.getStatus().equals("False"));
        assertThat(applied.getReason()).isEqualTo("MetalLBRejectedConfig");
        assertThat(applied.getMessage()).isEqualTo("MetalLB refused its configuration (ConfigurationState): speaker-k8s-node-01: " + error);
        assertThat(Conditions.find(pool("refused").getStatus().conditions, BgpPeerPoolConditions.READY).orElseThrow().getStatus()).isEqualTo("False");

        // MetalLB takes the configuration again: so does the condition.
        state.setAdditionalProperty("status", Map.of("result", "Valid"));
        client.resource(state).updateStatus();
        awaitCondition("refused", c -> c.getType().equals(BgpPeerPoolConditions.CONFIG_APPLIED) && c.getReason().equals("Applied"));
    }

    @Test
    void beforeV0153NoConfigurationStateIsRead() {
        String namespace = namespace();
        MetalLbCrds.createWithStatus(client, MetalLbCrds.configurationState(namespace, "controller", "Invalid", "not for this release"));
        client.resource(pool("older", namespace, "v0.15.2", "172.17.241.0/24")).create();

        awaitCondition("older", c -> c.getType().equals(BgpPeerPoolConditions.CONFIG_APPLIED) && c.getReason().equals("Applied"));
        assertThat(pool("older").getStatus().conditions).noneSatisfy(c -> assertThat(c.getMessage()).contains("not for this release"));
    }

    @Test
    void withRt01UnreachableTheRoutesSayWhatTheSpeakersAdvertise() {
        String namespace = namespace();
        advertisedService(namespace, "status-node-1", "172.17.242.9", "unreachable-rt-01");
        client.resource(unreachablePool("unreachable", namespace, "v0.16.1", "172.17.242.0/24")).create();

        BgpPeerPool seen = await().atMost(Duration.ofSeconds(30)).until(() -> pool("unreachable"),
                p -> p != null && p.getStatus() != null && !p.getStatus().routeStatuses.isEmpty() && p.getStatus().routeStatuses.get(0).advertisedBy != null);
        RouteStatus route = seen.getStatus().routeStatuses.get(0);
        assertThat(route.prefix).isEqualTo("172.17.242.9/32");
        assertThat(route.state).isEqualTo("Unknown");
        assertThat(route.source).isEqualTo("speaker");
        assertThat(route.advertisedBy).containsExactly("status-node-1");
        assertThat(seen.getStatus().peerStatuses.get(0).sessions).singleElement().satisfies(session -> {
            assertThat(session.state).isEqualTo("Unknown");
            assertThat(session.source).isEqualTo("speaker");
            assertThat(session.advertisedServices).isEqualTo(1);
        });
        client.nodes().withName("status-node-1").delete();
    }

    @Test
    void beforeV015NoSpeakerViewIsRead() {
        String namespace = namespace();
        advertisedService(namespace, "status-node-2", "172.17.243.9", "v014-rt-01");
        client.resource(unreachablePool("v014", namespace, "v0.14.8", "172.17.243.0/24")).create();

        BgpPeerPool seen = await().atMost(Duration.ofSeconds(30)).until(() -> pool("v014"),
                p -> p != null && p.getStatus() != null && !p.getStatus().routeStatuses.isEmpty());
        RouteStatus route = seen.getStatus().routeStatuses.get(0);
        assertThat(route.state).isEqualTo("Unknown");
        assertThat(route.source).isNull();
        assertThat(route.advertisedBy).isNull();
        assertThat(seen.getStatus().peerStatuses.get(0).sessions).singleElement()
                .satisfies(session -> assertThat(session.advertisedServices).isNull());
        client.nodes().withName("status-node-2").delete();
    }

    /** A node with a ready speaker, a Service on {@code ip} with an endpoint there, and the speaker's ServiceBGPStatus for it. */
    private static void advertisedService(String namespace, String node, String ip, String bgpPeer) {
        Nodes.registerReady(client, node, "127.0.80.21", "v1.35.0");
        Nodes.readySpeaker(client, namespace, "speaker-" + node, node, "127.0.80.21", "quay.io/metallb/speaker:v0.16.1");
        LoadBalancers.assigned(client, namespace, "web", ip);
        LoadBalancers.readyEndpoint(client, namespace, "web", "10.244.3.3", node);
        MetalLbCrds.createWithStatus(client, MetalLbCrds.serviceBgpStatus(namespace, "bgp-web", node, namespace, "web", List.of(bgpPeer)));
    }

    /** A pool whose rt-01 API nothing answers on. */
    private static BgpPeerPool unreachablePool(String name, String namespace, String version, String addresses) {
        BgpPeerPool pool = pool(name, namespace, version, addresses);
        pool.getSpec().peers.get(0).router = new RouterAPI();
        pool.getSpec().peers.get(0).router.address = "127.0.0.1:9";
        return pool;
    }

    private static BgpPeerPool pool(String name, String namespace, String version, String addresses) {
        return Manifests.toResource(Manifests.variant(Manifests.BGP_PEER_POOL, name, m -> {
            ((ObjectNode) m.at("/spec/metallb")).put("namespace", namespace).put("install", false).put("version", version);
            ((ObjectNode) m.at("/spec/peers/0")).remove("router");
            ObjectNode addressPool = (ObjectNode) m.at("/spec/addressPools/0");
            addressPool.put("name", name + "-space");
            ((ArrayNode) addressPool.withArray("addresses")).removeAll().add(addresses);
        }), BgpPeerPool.class);
    }

    private static BgpPeerPool pool(String name) {
        return client.resources(BgpPeerPool.class).withName(name).get();
    }

    /** A fresh MetalLB namespace, and an operator allowed to write there. */
    private String namespace() {
        String name = "status-mlb-" + NAMESPACES.incrementAndGet();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).serverSideApply();
        TestCluster.get().grantMetalLbNamespace(name);
        operator = new LocalOperator(List.of(new BgpPeerPoolReconciler(Clock.systemUTC(), new RouterClients(), Duration.ofSeconds(2), name)));
        return name;
    }

    private static Condition awaitCondition(String name, Predicate<Condition> wanted) {
        BgpPeerPool pool = await().atMost(Duration.ofSeconds(30)).until(() -> pool(name),
                p -> p != null && p.getStatus() != null && p.getStatus().conditions.stream().anyMatch(wanted));
        return pool.getStatus().conditions.stream().filter(wanted).findFirst().orElseThrow();
    }
}
