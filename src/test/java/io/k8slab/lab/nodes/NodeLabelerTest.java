package io.k8slab.lab.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8slab.lab.testing.Nodes;
import io.k8slab.lab.testing.TestCluster;

/** Server-side apply with the operator's field manager, on the real API server: owned labels only, many Nodes at once. */
class NodeLabelerTest {

    private static final KubernetesClient client = TestCluster.get().client();
    private static final String NODE = "labeler-test-node";

    private static final NodeLabeler labeler = new NodeLabeler();

    @AfterAll
    static void closeLabeler() {
        labeler.close();
    }

    @AfterEach
    void deleteNodes() {
        client.nodes().withName(NODE).delete();
        client.nodes().withLabel("labeler-test", "many").delete();
    }

    @Test
    void setsItsLabelsRemovesDroppedOnesAndLeavesOthersAlone() {
        Nodes.registerReady(client, NODE, "127.0.50.21", "v1.20.2");
        client.nodes().withName(NODE).edit(n -> {
            n.getMetadata().getLabels().put("team", "storage"); // someone else's, set with a plain update
            return n;
        });

        assertThat(apply(Map.of("node-role.kubernetes.io/node", "", "type", "worker", "rack", "r1"))).isTrue();
        assertThat(node().getMetadata().getLabels()).containsEntry("node-role.kubernetes.io/node", "").containsEntry("type", "worker")
                .containsEntry("rack", "r1").containsEntry("team", "storage");

        assertThat(apply(Map.of("node-role.kubernetes.io/node", "", "type", "gpu"))).isTrue();
        assertThat(node().getMetadata().getLabels()).containsEntry("type", "gpu").doesNotContainKey("rack").containsEntry("team", "storage");

        String version = node().getMetadata().getResourceVersion();
        assertThat(apply(Map.of("node-role.kubernetes.io/node", "", "type", "gpu"))).as("nothing to do").isFalse();
        assertThat(node().getMetadata().getResourceVersion()).isEqualTo(version);
    }

    @Test
    void aLabelAnotherManagerAlsoSetIsNotRemoved() {
        Nodes.registerReady(client, NODE, "127.0.50.21", "v1.20.2");
        apply(Map.of("type", "worker", "zone", "a"));
        client.nodes().withName(NODE).edit(n -> {
            n.getMetadata().getLabels().put("zone", "b"); // kubectl label --overwrite: now kubectl's too
            return n;
        });

        apply(Map.of("type", "worker"));

        assertThat(node().getMetadata().getLabels()).containsEntry("zone", "b");
    }

    @Test
    void labelsManyNodesAtOnceAndSendsNothingForNodesAlreadyLabelled() {
        int count = 3 * NodeLabeler.IN_FLIGHT + 1;
        List<String> names = IntStream.range(0, count).mapToObj(i -> "labeler-many-" + i).toList();
        names.forEach(name -> {
            Nodes.registerReady(client, name, "127.0.51." + (names.indexOf(name) + 1), "v1.20.2");
            client.nodes().withName(name).edit(n -> {
                n.getMetadata().getLabels().put("labeler-test", "many");
                return n;
            });
        });
        Map<String, String> desired = Map.of("type", "worker");

        NodeLabeler.Result first = labeler.applyAll(client, labellings(names, desired));

        assertThat(first.written()).containsExactlyInAnyOrderElementsOf(names);
        assertThat(first.failed()).isEmpty();
        names.forEach(name -> assertThat(client.nodes().withName(name).get().getMetadata().getLabels()).containsEntry("type", "worker"));
        Map<String, String> versions = names.stream().collect(Collectors.toMap(name -> name,
                name -> client.nodes().withName(name).get().getMetadata().getResourceVersion()));

        NodeLabeler.Result again = labeler.applyAll(client, labellings(names, desired));

        assertThat(again.written()).as("a resync with nothing changed sends nothing").isEmpty();
        names.forEach(name -> assertThat(client.nodes().withName(name).get().getMetadata().getResourceVersion()).isEqualTo(versions.get(name)));
    }

    @Test
    void aRefusedPatchIsReportedForItsNodeAndTheOthersAreLabelled() {
        Nodes.registerReady(client, NODE, "127.0.50.21", "v1.20.2");
        Nodes.registerReady(client, "labeler-many-refused", "127.0.50.22", "v1.20.2");
        client.nodes().withName("labeler-many-refused").edit(n -> {
            n.getMetadata().getLabels().put("labeler-test", "many");
            return n;
        });

        NodeLabeler.Result result = labeler.applyAll(client, List.of(
                new NodeLabeler.Labelling(client.nodes().withName("labeler-many-refused").get(), Map.of("type", "not a label value!")),
                new NodeLabeler.Labelling(node(), Map.of("type", "worker"))));

        assertThat(result.written()).containsExactly(NODE);
        assertThat(result.failed()).containsOnlyKeys("labeler-many-refused");
        assertThat(result.failed().get("labeler-many-refused").getCode()).isEqualTo(422);
        assertThat(node().getMetadata().getLabels()).containsEntry("type", "worker");
    }

    private static List<NodeLabeler.Labelling> labellings(List<String> names, Map<String, String> desired) {
        return names.stream().map(name -> new NodeLabeler.Labelling(client.nodes().withName(name).get(), desired)).toList();
    }

    /** Labels the test node; returns whether anything was sent. */
    private static boolean apply(Map<String, String> desired) {
        NodeLabeler.Result result = labeler.applyAll(client, List.of(new NodeLabeler.Labelling(node(), desired)));
        assertThat(result.failed()).isEmpty();
        return !result.written().isEmpty();
    }

    private static Node node() {
        return client.nodes().withName(NODE).get();
    }
}
