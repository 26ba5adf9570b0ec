package io.k8slab.lab.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.router.gobgp.RouterClients;
import io.k8slab.lab.testing.LocalOperator;
import io.k8slab.lab.testing.Manifests;
import io.k8slab.lab.testing.Nodes;
import io.k8slab.lab.testing.TestCluster;

/**
 * A Node's update wakes the BgpPeerPools only when it can move a route: labelling a lab's Nodes for other reasons
 * (the LabCluster's role and type labels, say, on 1,000 of them) reconciles no pool, a label a peer selects speakers'
 * nodes by does. Counted by JOSDK's reconciles, on the real API server.
 */
class NodeEventsApiTest {

    private static final KubernetesClient client = TestCluster.get().client();
    private static final String POOL = "node-events";
    private static final String NODE = "node-events-1";
    private LocalOperator operator;

    @AfterEach
    void stop() {
        client.resources(BgpPeerPool.class).withName(POOL).delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> client.resources(BgpPeerPool.class).withName(POOL).get() == null);
        operator.close();
        client.nodes().withName(NODE).delete();
    }

    @Test
    void onlyNodeChangesThatCanMoveARouteReconcileThePools() {
        Nodes.registerReady(client, NODE, "127.0.0.31", "v1.30.2");
        operator = new LocalOperator(List.of(new BgpPeerPoolReconciler(Clock.systemUTC(), new RouterClients(), BgpPeerPoolReconciler.ROUTER_REFRESH)));
        // No router to ask, so no timed reconciles: every reconcile below comes from an event.
        client.resource(Manifests.toResource(Manifests.variant(Manifests.BGP_PEER_POOL, POOL, m -> {
            ((ObjectNode) m.at("/spec/metallb")).put("install", false);
            ((ObjectNode) m.at("/spec/peers/0")).remove("router");
            ((ObjectNode) m.at("/spec/peers/0")).putObject("nodeSelector").put("rack", "a");
            ((ObjectNode) m.at("/spec/addressPools/0")).put("name", "node-events-space").putArray("addresses").add("172.17.252.0/24");
        }), BgpPeerPool.class)).create();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            BgpPeerPool live = client.resources(BgpPeerPool.class).withName(POOL).get();
            return live.getStatus() != null && live.getMetadata().getGeneration().equals(live.getStatus().observedGeneration);
        });
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> true);
        int quiet = operator.reconciles(POOL);

        for (int i = 0; i < 5; i++) {
            String value = "t" + i;
            client.nodes().withName(NODE).edit(n -> new NodeBuilder(n).editMetadata().addToLabels("lab.k8slab.io/type", value)
                    .addToAnnotations("touched", value).endMetadata().build());
        }
        await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> true);
        assertThat(operator.reconciles(POOL)).as("reconciles after labels no peer selects by").isEqualTo(quiet);

        client.nodes().withName(NODE).edit(n -> new NodeBuilder(n).editMetadata().addToLabels("rack", "a").endMetadata().build());
        await().atMost(Duration.ofSeconds(10)).until(() -> operator.reconciles(POOL) > quiet);
    }
}
