package io.k8slab.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8slab.lab.api.v1alpha1.LabCluster;
import io.k8slab.lab.api.v1alpha1.LabNode;
import io.k8slab.lab.api.v1alpha1.NodeRole;
import io.k8slab.lab.testing.LocalOperator;
import io.k8slab.lab.testing.Nodes;
import io.k8slab.lab.testing.TestCluster;

/** A LabCluster whose nodes are all registered and labelled: a resync with nothing changed writes nothing. */
class LabClusterResyncTest {

    private static final KubernetesClient client = TestCluster.get().client();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int NODES = 40;

    @Test
    void aResyncWithNothingChangedWritesNothing() {
        LabFixture lab = LabFixture.start("resync", 31, 0);
        LocalOperator operator = new LocalOperator(List.of(LabFixture.reconciler()));
        try {
            IntStream.rangeClosed(1, NODES).forEach(i -> Nodes.registerReady(client, lab.nodeName(i), lab.address(i), "v1.20.2"));
            lab.apply(lab.cluster(spec -> IntStream.rangeClosed(1, NODES).forEach(i -> {
                LabNode node = new LabNode();
                node.name = lab.nodeName(i);
                node.address = lab.address(i);
                node.role = NodeRole.NODE;
                node.type = "worker";
                spec.nodes.add(node);
            })));
            await().atMost(WAIT).until(() -> lab.get().getStatus() != null && (NODES + "/" + NODES).equals(lab.get().getStatus().ready));
            IntStream.rangeClosed(1, NODES).forEach(i -> assertThat(client.nodes().withName(lab.nodeName(i)).get().getMetadata().getLabels())
                    .containsEntry(NodeLabels.CLUSTER, lab.name));
            // Events go out in the background: let them, and the last status write, land before counting.
            await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> true);
            int writesBefore = TestCluster.get().auditLog().writesBy(TestCluster.OPERATOR_USER_AGENT).size();

            // A restart lists and reconciles everything again; someone else's edit of a Node wakes the reconcile once more.
            operator.close();
            operator = new LocalOperator(List.of(LabFixture.reconciler()));
            await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> true);
            client.nodes().withName(lab.nodeName(1)).edit(n -> {
                n.getMetadata().setAnnotations(java.util.Map.of("resync-test", "touched"));
                return n;
            });
            await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).until(() -> true);

            var writes = TestCluster.get().auditLog().writesBy(TestCluster.OPERATOR_USER_AGENT);
            assertThat(writes.subList(writesBefore, writes.size())).as("the operator's writes during a resync with nothing changed").isEmpty();
            assertThat(writesBefore).as("the audit log does record the operator's writes (its labels and status)").isGreaterThanOrEqualTo(NODES);
        } finally {
            operator.close();
            client.resources(LabCluster.class).withName(lab.name).delete();
            IntStream.rangeClosed(1, NODES).forEach(i -> client.nodes().withName(lab.nodeName(i)).delete());
            lab.close();
        }
    }
}
