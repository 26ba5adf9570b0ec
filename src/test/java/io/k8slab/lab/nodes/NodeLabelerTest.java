package io.k8slab.lab.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8slab.lab.testing.Nodes;
import io.k8slab.lab.testing.TestCluster;

/** Server-side apply with the operator's field manager, on the real API server: owned labels only. */
class NodeLabelerTest {

    private static final KubernetesClient client = TestCluster.get().client();
    private static final String NODE = "labeler-test-node";

    @AfterEach
    void deleteNode() {
        client.nodes().withName(NODE).delete();
    }

    @Test
    void setsItsLabelsRemovesDroppedOnesAndLeavesOthersAlone() {
        Nodes.registerReady(client, NODE, "127.0.50.21", "v1.20.2");
        client.nodes().withName(NODE).edit(n -> {
            n.getMetadata().getLabels().put("team", "storage"); // someone else's, set with a plain update
            return n;
        });

        assertThat(NodeLabeler.apply(client, node(), Map.of("node-role.kubernetes.io/node", "", "type", "worker", "rack", "r1"))).isTrue();
        assertThat(node().getMetadata().getLabels()).containsEntry("node-role.kubernetes.io/node", "").containsEntry("type", "worker")
                .containsEntry("rack", "r1").containsEntry("team", "storage");

        assertThat(NodeLabeler.apply(client, node(), Map.of("node-role.kubernetes.io/node", "", "type", "gpu"))).isTrue();
        assertThat(node().getMetadata().getLabels()).containsEntry("type", "gpu").doesNotContainKey("rack").containsEntry("team", "storage");

        String version = node().getMetadata().getResourceVersion();
        assertThat(NodeLabeler.apply(client, node(), Map.of("node-role.kubernetes.io/node", "", "type", "gpu"))).as("nothing to do").isFalse();
        assertThat(node().getMetadata().getResourceVersion()).isEqualTo(version);
    }

    @Test
    void aLabelAnotherManagerAlsoSetIsNotRemoved() {
        Nodes.registerReady(client, NODE, "127.0.50.21", "v1.20.2");
        NodeLabeler.apply(client, node(), Map.of("type", "worker", "zone", "a"));
        client.nodes().withName(NODE).edit(n -> {
            n.getMetadata().getLabels().put("zone", "b"); // kubectl label --overwrite: now kubectl's too
            return n;
        });

        NodeLabeler.apply(client, node(), Map.of("type", "worker"));

        assertThat(node().getMetadata().getLabels()).containsEntry("zone", "b");
    }

    private static Node node() {
        return client.nodes().withName(NODE).get();
    }
}
