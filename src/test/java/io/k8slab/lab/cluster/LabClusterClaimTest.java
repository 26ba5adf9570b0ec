package io.k8slab.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8slab.lab.api.v1alpha1.LabCluster;
import io.k8slab.lab.api.v1alpha1.LabClusterConditions;
import io.k8slab.lab.api.v1alpha1.NodePhase;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.testing.LocalOperator;
import io.k8slab.lab.testing.TestCluster;

/** One machine, one owner: a second LabCluster listing a node the first one has is refused and touches nothing. */
class LabClusterClaimTest {

    private static final KubernetesClient client = TestCluster.get().client();
    private static final Duration WAIT = Duration.ofSeconds(45);

    @Test
    void aNodeClaimedByAnotherLabClusterIsRefusedNamingIt() {
        String second = "claim-second";
        try (LabFixture lab = LabFixture.start("claim", 18, 1); LocalOperator operator = new LocalOperator(List.of(LabFixture.reconciler()))) {
            lab.apply(lab.cluster(spec -> {
            }));
            await().atMost(WAIT).until(() -> lab.node(lab.nodeName(1)) != null && lab.node(lab.nodeName(1)).phase == NodePhase.Ready);

            LabCluster rival = lab.cluster(spec -> spec.nodes.get(0).labels = java.util.Map.of("lab.k8slab.io/rival", "yes"));
            rival.getMetadata().setName(second);
            client.resource(rival).serverSideApply();

            Condition valid = await().atMost(WAIT).until(() -> validOf(second), c -> c != null && "False".equals(c.getStatus()));
            assertThat(valid.getReason()).isEqualTo("NodeClaimedByAnotherLabCluster");
            assertThat(valid.getMessage()).contains("spec.nodes[" + lab.nodeName(1) + "]", "already claimed by LabCluster " + lab.name);
            assertThat(client.nodes().withName(lab.nodeName(1)).get().getMetadata().getLabels())
                    .as("the rival labelled nothing").doesNotContainKey("lab.k8slab.io/rival")
                    .containsEntry(NodeLabels.CLUSTER, lab.name);
            assertThat(lab.machines.get(0).joins()).as("joined once, by its owner").hasSize(1);
            assertThat(client.secrets().inNamespace("kube-system").withLabel(io.k8slab.lab.join.BootstrapTokenIssuer.CLUSTER_LABEL, second)
                    .list().getItems()).as("no token for the rival").isEmpty();

            // The owner gives the node up: the rival takes it at its next look, without an edit of its own.
            client.resources(LabCluster.class).withName(lab.name).delete();
            await().atMost(Duration.ofSeconds(75)).untilAsserted(() -> {
                assertThat(Conditions.isTrue(client.resources(LabCluster.class).withName(second).get().getStatus().conditions,
                        LabClusterConditions.VALID)).isTrue();
                assertThat(client.nodes().withName(lab.nodeName(1)).get().getMetadata().getLabels())
                        .containsEntry("lab.k8slab.io/rival", "yes").containsEntry(NodeLabels.CLUSTER, second);
            });
        } finally {
            client.resources(LabCluster.class).withName(second).delete();
        }
    }

    private static Condition validOf(String name) {
        LabCluster cluster = client.resources(LabCluster.class).withName(name).get();
        return cluster == null || cluster.getStatus() == null ? null
                : Conditions.find(cluster.getStatus().conditions, LabClusterConditions.VALID).orElse(null);
    }
}
