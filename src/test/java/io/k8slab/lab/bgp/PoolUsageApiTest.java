package io.k8slab.lab.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolStatus;
import io.k8slab.lab.router.gobgp.RouterClients;
import io.k8slab.lab.testing.Kubectl;
import io.k8slab.lab.testing.LoadBalancers;
import io.k8slab.lab.testing.LocalOperator;
import io.k8slab.lab.testing.Manifests;
import io.k8slab.lab.testing.TestCluster;

/**
 * Pool usage on the real API server: LoadBalancer Services holding addresses of a BgpPeerPool's two pools (a CIDR
 * avoiding .0 and .255, and a range), counted in status and shown in the IPS column, following Services as they come
 * and go.
 */
class PoolUsageApiTest {

    private static final KubernetesClient client = TestCluster.get().client();
    private static final String POOL = "usage";
    private static final String NAMESPACE = "usage-services";
    private static LocalOperator operator;

    @BeforeAll
    static void start() {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).serverSideApply();
        operator = new LocalOperator(List.of(new BgpPeerPoolReconciler(Clock.systemUTC(), new RouterClients(),
                BgpPeerPoolReconciler.ROUTER_REFRESH, TestCluster.METALLB_NAMESPACE)));
    }

    @AfterAll
    static void stop() {
        operator.close();
        client.resources(BgpPeerPool.class).withName(POOL).delete();
        client.namespaces().withName(NAMESPACE).delete();
    }

    @Test
    void statusCountsTheAddressesServicesHoldAndFollowsThem() {
        client.resource(Manifests.toResource(Manifests.variant(Manifests.BGP_PEER_POOL, POOL, m -> {
            ((ObjectNode) m.at("/spec/metallb")).put("version", "v0.7.3").put("install", false).put("configMapName", "usage-config");
            ((ObjectNode) m.at("/spec/peers/0")).remove("router");
            ArrayNode pools = (ArrayNode) m.at("/spec/addressPools");
            ObjectNode space = (ObjectNode) pools.get(0);
            space.put("name", "usage-space").put("avoidBuggyIPs", true);
            space.withArray("addresses").removeAll().add("172.17.230.0/24");
            ObjectNode range = pools.addObject().put("name", "usage-range").put("avoidBuggyIPs", false);
            range.withArray("addresses").add("172.17.231.10-172.17.231.19");
        }), BgpPeerPool.class)).create();
        LoadBalancers.assigned(client, NAMESPACE, "web", "172.17.230.10");
        LoadBalancers.assigned(client, NAMESPACE, "api", "172.17.230.1");
        LoadBalancers.assigned(client, NAMESPACE, "dns", "172.17.231.15");
        LoadBalancers.assigned(client, NAMESPACE, "elsewhere", "172.17.229.1");

        BgpPeerPoolStatus status = awaitIps("3/264");
        assertThat(status.addressPoolStatuses).extracting(p -> p.name, p -> p.total, p -> p.assigned, p -> p.available).containsExactly(
                org.assertj.core.groups.Tuple.tuple("usage-space", "254", 2L, "252"),
                org.assertj.core.groups.Tuple.tuple("usage-range", "10", 1L, "9"));
        assertThat(status.addressPoolStatuses.get(0).assignments).extracting(a -> a.address, a -> a.services).containsExactly(
                org.assertj.core.groups.Tuple.tuple("172.17.230.1", List.of(NAMESPACE + "/api")),
                org.assertj.core.groups.Tuple.tuple("172.17.230.10", List.of(NAMESPACE + "/web")));
        String table = Kubectl.run("get", "bgppeerpool", POOL);
        assertThat(table.lines().findFirst().orElseThrow()).contains("IPS");
        assertThat(table).contains("3/264");

        // Services come and go: the counts follow (Services are watched).
        LoadBalancers.assigned(client, NAMESPACE, "web-2", "172.17.230.11");
        awaitIps("4/264");
        client.services().inNamespace(NAMESPACE).withName("dns").delete();
        BgpPeerPoolStatus after = awaitIps("3/264");
        assertThat(after.addressPoolStatuses.get(1).assigned).isZero();
        assertThat(after.addressPoolStatuses.get(1).assignments).isEmpty();
    }

    private static BgpPeerPoolStatus awaitIps(String ips) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> {
            BgpPeerPool pool = client.resources(BgpPeerPool.class).withName(POOL).get();
            return pool == null ? null : pool.getStatus();
        }, status -> status != null && ips.equals(status.ips));
    }
}
