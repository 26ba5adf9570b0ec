package io.k8slab.lab.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.router.gobgp.RouterClients;
import io.k8slab.lab.routes.ExpectedRoutes;
import io.k8slab.lab.testing.LoadBalancers;
import io.k8slab.lab.testing.LocalOperator;
import io.k8slab.lab.testing.Manifests;
import io.k8slab.lab.testing.Nodes;
import io.k8slab.lab.testing.TestCluster;

/**
 * The expected routes read the endpoints the pool's MetalLB reads, on the real API server: a Cluster-policy Service
 * is announced from v0.8 on only while it has a ready endpoint, so which of two Services gets next hops shows which
 * source was read. One Service has only an EndpointSlice, the other only v1 Endpoints. MetalLB v0.12.1 reads slices
 * (discovery.k8s.io/v1beta1 on this 1.20 server, which serves no v1), v0.9.6 reads Endpoints; the same pool switches
 * between them. rt-01's API is not reachable here: the routes are Unknown, with their expected next hops.
 */
class EndpointSlicesApiTest {

    private static final KubernetesClient client = TestCluster.get().client();
    private static final String POOL = "slices";
    private static final String NAMESPACE = "slices-services";
    private static final String NODE = "slices-node-1";
    private static final String NODE_ADDRESS = "127.0.81.21";
    private static LocalOperator operator;

    @BeforeAll
    static void start() {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).serverSideApply();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(TestCluster.METALLB_NAMESPACE).endMetadata().build())
                .serverSideApply();
        Nodes.registerReady(client, NODE, NODE_ADDRESS, "v1.20.2");
        Nodes.readySpeaker(client, TestCluster.METALLB_NAMESPACE, "speaker-" + NODE, NODE, NODE_ADDRESS, "metallb/speaker:v0.12.1");
        operator = new LocalOperator(List.of(new BgpPeerPoolReconciler(Clock.systemUTC(), new RouterClients(), Duration.ofSeconds(2),
                TestCluster.METALLB_NAMESPACE)));
    }

    @AfterAll
    static void stop() {
        operator.close();
        client.resources(BgpPeerPool.class).withName(POOL).delete();
        client.pods().inNamespace(TestCluster.METALLB_NAMESPACE).withName("speaker-" + NODE).withGracePeriod(0).delete();
        client.nodes().withName(NODE).delete();
        client.namespaces().withName(NAMESPACE).delete();
    }

    @Test
    void routesFollowTheSlicesOrTheEndpointsAsTheReleaseReadsThem() {
        boolean v1 = client.supports(EndpointSlice.class);
        boolean v1beta1 = client.supports(io.fabric8.kubernetes.api.model.discovery.v1beta1.EndpointSlice.class);
        // The tests' kube-apiserver 1.20.2 serves discovery.k8s.io/v1beta1 only (v1 is served from 1.21).
        assertThat(v1 || v1beta1).as("the API server serves EndpointSlices").isTrue();

        LoadBalancers.assigned(client, NAMESPACE, "sliced", "172.17.232.1");
        sliceOnly("sliced", "10.244.5.1", v1);
        LoadBalancers.assigned(client, NAMESPACE, "legacy", "172.17.232.2");
        client.resource(new EndpointsBuilder().withNewMetadata().withName("legacy").withNamespace(NAMESPACE).endMetadata()
                .addNewSubset().addNewAddress().withIp("10.244.5.2").withNodeName(NODE).endAddress().addNewPort().withPort(80).endPort()
                .endSubset().build()).create();

        client.resource(pool("v0.12.1")).create();
        assertThat(awaitNextHops()).containsExactly(Map.entry("172.17.232.1/32", List.of(NODE_ADDRESS)),
                Map.entry("172.17.232.2/32", List.of()));

        // A merge patch without resourceVersion: the operator writes the pool's status meanwhile.
        client.resources(BgpPeerPool.class).withName(POOL).patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"metallb\":{\"version\":\"v0.9.6\"}}}");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(nextHops()).containsExactly(
                Map.entry("172.17.232.1/32", List.of()), Map.entry("172.17.232.2/32", List.of(NODE_ADDRESS))));
    }

    /** A ready endpoint on {@link #NODE} in an EndpointSlice only, in the newest version served. */
    private static void sliceOnly(String service, String podIP, boolean v1) {
        if (v1) {
            client.resource(new io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder().withNewMetadata().withName(service + "-x")
                    .withNamespace(NAMESPACE).addToLabels(ExpectedRoutes.SERVICE_NAME_LABEL, service).endMetadata().withAddressType("IPv4")
                    .addNewEndpoint().withAddresses(podIP).withNodeName(NODE).withNewConditions().withReady(true).endConditions().endEndpoint()
                    .build()).create();
        } else {
            client.resource(new io.fabric8.kubernetes.api.model.discovery.v1beta1.EndpointSliceBuilder().withNewMetadata().withName(service + "-x")
                    .withNamespace(NAMESPACE).addToLabels(ExpectedRoutes.SERVICE_NAME_LABEL, service).endMetadata().withAddressType("IPv4")
                    .addNewEndpoint().withAddresses(podIP).addToTopology("kubernetes.io/hostname", NODE).withNewConditions().withReady(true)
                    .endConditions().endEndpoint().build()).create();
        }
    }

    private static BgpPeerPool pool(String version) {
        return Manifests.toResource(Manifests.variant(Manifests.BGP_PEER_POOL, POOL, m -> {
            ((ObjectNode) m.at("/spec/metallb")).put("version", version).put("install", false).put("configMapName", "slices-config");
            ObjectNode router = (ObjectNode) m.at("/spec/peers/0/router");
            router.put("address", "127.0.0.1:9").remove("tlsSecretRef");
            ObjectNode addressPool = (ObjectNode) m.at("/spec/addressPools/0");
            addressPool.put("name", "slices-space");
            ((ArrayNode) addressPool.withArray("addresses")).removeAll().add("172.17.232.0/24");
        }), BgpPeerPool.class);
    }

    private static Map<String, List<String>> awaitNextHops() {
        return await().atMost(Duration.ofSeconds(30)).until(EndpointSlicesApiTest::nextHops, hops -> hops.size() == 2);
    }

    private static Map<String, List<String>> nextHops() {
        BgpPeerPool pool = client.resources(BgpPeerPool.class).withName(POOL).get();
        if (pool == null || pool.getStatus() == null) {
            return Map.of();
        }
        Map<String, List<String>> hops = new java.util.TreeMap<>();
        pool.getStatus().routeStatuses.forEach(route -> hops.put(route.prefix, route.expectedNextHops));
        return hops;
    }
}
