package io.k8slab.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.policy.v1beta1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1beta1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1beta1.PodDisruptionBudgetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8slab.lab.api.v1alpha1.LabCluster;
import io.k8slab.lab.api.v1alpha1.LabClusterConditions;
import io.k8slab.lab.api.v1alpha1.LabNode;
import io.k8slab.lab.api.v1alpha1.NodePhase;
import io.k8slab.lab.api.v1alpha1.NodeRemovalPolicy;
import io.k8slab.lab.api.v1alpha1.NodeRole;
import io.k8slab.lab.api.v1alpha1.NodeStatus;
import io.k8slab.lab.join.FakeMachine;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.testing.LocalOperator;
import io.k8slab.lab.testing.Nodes;
import io.k8slab.lab.testing.TestCluster;

/**
 * A node dropped from the spec is drained through the real Eviction API (a PodDisruptionBudget holds it back until
 * it allows the eviction; DaemonSet pods stay), reset over SSH and deleted; with the Orphan policy it is left alone.
 * There is no controller manager here, so the test plays the disruption controller (PDB status) itself.
 */
class NodeRemovalTest {

    private static final KubernetesClient client = TestCluster.get().client();
    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final String NAMESPACE = "drain-test";

    @Test
    void aRemovedNodeIsDrainedRespectingItsPdbResetAndDeleted() {
        try (LabFixture lab = LabFixture.start("shrink", 21, 2); LocalOperator operator = new LocalOperator(List.of(LabFixture.reconciler()))) {
            lab.apply(lab.cluster(spec -> spec.nodeRemovalPolicy = NodeRemovalPolicy.DrainAndReset));
            await().atMost(WAIT).until(() -> lab.get().getStatus() != null && "2/2".equals(lab.get().getStatus().ready));
            String leaving = lab.nodeName(2);
            FakeMachine machine = lab.machines.get(1);

            client.resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).serverSideApply();
            Pod guarded = runningAndReady(client.resource(pod("web-0", leaving, "web", null)).create());
            client.resource(pod("scratch", leaving, "scratch", null)).create();
            client.resource(pod("speaker-x", leaving, "speaker", "DaemonSet")).create();
            PodDisruptionBudget pdb = client.resource(new PodDisruptionBudgetBuilder().withNewMetadata().withName("web").withNamespace(NAMESPACE)
                    .endMetadata().withNewSpec().withNewMinAvailable(1).withNewSelector().addToMatchLabels("app", "web").endSelector()
                    .endSpec().build()).create();
            allowDisruptions(pdb, 0);

            // The leaving Node claims the other worker's address: the reset must still go where the spec said.
            Node reported = client.nodes().withName(leaving).get();
            reported.getStatus().getAddresses().forEach(a -> a.setAddress(lab.machines.get(0).address()));
            client.resource(reported).updateStatus();
            await().atMost(WAIT).until(() -> lab.node(leaving).address, machine.address()::equals);

            lab.apply(lab.cluster(spec -> {
                spec.nodeRemovalPolicy = NodeRemovalPolicy.DrainAndReset;
                spec.nodes.remove(1);
            }));

            NodeStatus blocked = await().atMost(WAIT).until(() -> lab.node(leaving),
                    n -> n != null && n.phase == NodePhase.Removing && n.message.contains("PodDisruptionBudget"));
            assertThat(blocked.message).contains(NAMESPACE + "/web-0");
            assertThat(client.nodes().withName(leaving).get().getSpec().getUnschedulable()).isTrue();
            await().atMost(WAIT).until(() -> client.pods().inNamespace(NAMESPACE).withName("scratch").get() == null);
            assertThat(client.pods().inNamespace(NAMESPACE).withName(guarded.getMetadata().getName()).get()).isNotNull();
            assertThat(Conditions.find(lab.get().getStatus().conditions, LabClusterConditions.READY).orElseThrow().getReason())
                    .isEqualTo("NodesBeingRemoved");
            assertThat(machine.resets()).isZero();

            allowDisruptions(client.resource(pdb).get(), 1);

            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(client.nodes().withName(leaving).get()).isNull();
                assertThat(lab.node(leaving)).isNull();
                assertThat(lab.get().getStatus().ready).isEqualTo("1/1");
                assertThat(Conditions.isTrue(lab.get().getStatus().conditions, LabClusterConditions.READY)).isTrue();
            });
            assertThat(client.pods().inNamespace(NAMESPACE).withName("web-0").get()).isNull();
            assertThat(client.pods().inNamespace(NAMESPACE).withName("speaker-x").get()).as("DaemonSet pods are left").isNotNull();
            assertThat(machine.resets()).as("reset at the spec's address").isEqualTo(1);
            assertThat(lab.machines.get(0).resets()).as("not at the address the Node reported").isZero();
            assertThat(client.nodes().withName(lab.nodeName(1)).get().getSpec().getUnschedulable()).isNotEqualTo(Boolean.TRUE);
        } finally {
            client.pods().inNamespace(NAMESPACE).withGracePeriod(0).delete();
        }
    }

    @Test
    void withTheOrphanPolicyARemovedNodeIsLeftAlone() {
        try (LabFixture lab = LabFixture.start("orphan", 22, 0); LocalOperator operator = new LocalOperator(List.of(LabFixture.reconciler()))) {
            String kept = lab.name + "-node-1";
            String orphaned = lab.name + "-node-2";
            Nodes.registerReady(client, kept, lab.address(21), "v1.20.2");
            Nodes.registerReady(client, orphaned, lab.address(22), "v1.20.2");
            lab.apply(lab.cluster(spec -> {
                spec.nodeRemovalPolicy = NodeRemovalPolicy.Orphan;
                spec.nodes.add(worker(kept, lab.address(21)));
                spec.nodes.add(worker(orphaned, lab.address(22)));
            }));
            await().atMost(WAIT).until(() -> lab.get().getStatus() != null && "2/2".equals(lab.get().getStatus().ready));

            lab.apply(lab.cluster(spec -> {
                spec.nodeRemovalPolicy = NodeRemovalPolicy.Orphan;
                spec.nodes.add(worker(kept, lab.address(21)));
            }));
            await().atMost(WAIT).untilAsserted(() -> {
                LabCluster cluster = lab.reported();
                assertThat(cluster.getStatus().observedGeneration).isEqualTo(cluster.getMetadata().getGeneration());
                assertThat(cluster.getStatus().ready).isEqualTo("1/1");
            });
            assertThat(lab.node(orphaned)).isNull();
            assertThat(client.nodes().withName(orphaned).get().getSpec().getUnschedulable()).isNotEqualTo(Boolean.TRUE);
        } finally {
            client.nodes().withName("orphan-node-2").delete();
        }
    }

    /** A drain a PodDisruptionBudget blocks ends at nodeDrainTimeout: the Node is deleted anyway, with an Event. */
    @Test
    void aDrainThatCannotFinishEndsAtItsTimeout() {
        try (LabFixture lab = LabFixture.start("stuck", 24, 1); LocalOperator operator = new LocalOperator(List.of(LabFixture.reconciler()))) {
            lab.apply(lab.cluster(spec -> {
            }));
            await().atMost(WAIT).until(() -> lab.get().getStatus() != null && "1/1".equals(lab.get().getStatus().ready));
            String leaving = lab.nodeName(1);
            client.resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).serverSideApply();
            runningAndReady(client.resource(pod("stuck-0", leaving, "stuck", null)).create());
            PodDisruptionBudget pdb = client.resource(new PodDisruptionBudgetBuilder().withNewMetadata().withName("stuck").withNamespace(NAMESPACE)
                    .endMetadata().withNewSpec().withNewMinAvailable(1).withNewSelector().addToMatchLabels("app", "stuck").endSelector()
                    .endSpec().build()).create();
            allowDisruptions(pdb, 0);

            lab.apply(lab.cluster(spec -> {
                spec.nodeDrainTimeout = "4s";
                spec.nodes.get(0).name = lab.name + "-cp";
                spec.nodes.get(0).address = lab.address(10);
                spec.nodes.get(0).role = NodeRole.CONTROL_PLANE;
            }));
            NodeStatus draining = await().atMost(WAIT).until(() -> lab.node(leaving), n -> n != null && n.phase == NodePhase.Removing);
            assertThat(draining.removingSince).isNotNull();

            await().atMost(WAIT).untilAsserted(() -> assertThat(client.nodes().withName(leaving).get()).isNull());
            assertThat(client.pods().inNamespace(NAMESPACE).withName("stuck-0").get()).as("the budget was respected: never evicted").isNotNull();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(removalEvents(lab.name)).anySatisfy(m -> assertThat(m).contains("DrainTimedOut", leaving, "not drained within 4s",
                    "PodDisruptionBudget", "deleting the Node anyway")));
        } finally {
            client.pods().inNamespace(NAMESPACE).withGracePeriod(0).delete();
            client.resources(PodDisruptionBudget.class).inNamespace(NAMESPACE).withName("stuck").delete();
        }
    }

    /** A machine that does not answer gets a bounded number of kubeadm reset runs; then its Node is deleted, with an Event. */
    @Test
    void anUnreachableMachinesResetGivesUp() {
        try (LabFixture lab = LabFixture.start("gone", 25, 1); LocalOperator operator = new LocalOperator(List.of(LabFixture.reconciler()))) {
            lab.apply(lab.cluster(spec -> spec.nodeRemovalPolicy = NodeRemovalPolicy.DrainAndReset));
            await().atMost(WAIT).until(() -> lab.get().getStatus() != null && "1/1".equals(lab.get().getStatus().ready));
            String leaving = lab.nodeName(1);
            lab.machines.get(0).close(); // the machine is gone

            lab.apply(lab.cluster(spec -> {
                spec.nodeRemovalPolicy = NodeRemovalPolicy.DrainAndReset;
                spec.nodes.get(0).name = lab.name + "-cp";
                spec.nodes.get(0).address = lab.address(10);
                spec.nodes.get(0).role = NodeRole.CONTROL_PLANE;
            }));
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(client.nodes().withName(leaving).get()).isNull());
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(removalEvents(lab.name)).anySatisfy(m -> assertThat(m).contains("ResetAbandoned", leaving,
                    "kubeadm reset failed " + RemoveNodes.RESET_ATTEMPTS + " times", "cannot log in", "by hand")));
        }
    }

    /** The Events so far: they are sent in the background and follow the status shortly, so callers await them. */
    private static List<String> removalEvents(String cluster) {
        return client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> "LabCluster".equals(e.getInvolvedObject().getKind()) && cluster.equals(e.getInvolvedObject().getName()))
                .map(e -> e.getReason() + ": " + e.getMessage()).toList();
    }

    private static LabNode worker(String name, String address) {
        LabNode node = new LabNode();
        node.name = name;
        node.address = address;
        node.role = NodeRole.NODE;
        node.type = "worker";
        return node;
    }

    /** A pod bound to {@code node}, deleted at once when evicted (grace 0), optionally owned by a DaemonSet. */
    private static Pod pod(String name, String node, String app, String ownerKind) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE).addToLabels("app", app).endMetadata()
                .withNewSpec().withNodeName(node).withTerminationGracePeriodSeconds(0L)
                .addNewContainer().withName("main").withImage("nginx").endContainer().endSpec();
        if (ownerKind != null) {
            pod.editMetadata().addNewOwnerReference().withApiVersion("apps/v1").withKind(ownerKind).withName(app)
                    .withUid("00000000-0000-0000-0000-000000000001").withController(true).endOwnerReference().endMetadata();
        }
        return pod.build();
    }

    /** What the kubelet would report: only a Ready pod counts as healthy for its budget. */
    private static Pod runningAndReady(Pod pod) {
        pod.setStatus(new PodStatusBuilder().withPhase("Running")
                .addNewCondition().withType("Ready").withStatus("True").endCondition().build());
        return client.resource(pod).updateStatus();
    }

    /** What the disruption controller would write: the budget observed, allowing {@code allowed} disruptions. */
    private static void allowDisruptions(PodDisruptionBudget pdb, int allowed) {
        pdb.setStatus(new PodDisruptionBudgetStatusBuilder().withObservedGeneration(pdb.getMetadata().getGeneration())
                .withDisruptionsAllowed(allowed).withCurrentHealthy(1).withDesiredHealthy(1).withExpectedPods(1).build());
        client.resource(pdb).updateStatus();
    }
}
