package io.k8slab.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.k8slab.lab.api.v1alpha1.LabClusterStatus;
import io.k8slab.lab.api.v1alpha1.NodePhase;
import io.k8slab.lab.api.v1alpha1.NodeStatus;

class StatusEventsTest {

    private static NodeStatus node(NodePhase phase, Integer attempts, String fingerprint, String message) {
        NodeStatus node = new NodeStatus();
        node.name = "k8s-node-01";
        node.phase = phase;
        node.attempts = attempts;
        node.hostKeyFingerprint = fingerprint;
        node.message = message;
        return node;
    }

    private static LabClusterStatus status(NodeStatus... nodes) {
        LabClusterStatus status = new LabClusterStatus();
        status.nodes = List.of(nodes);
        return status;
    }

    private static List<String> events(LabClusterStatus before, LabClusterStatus after) {
        return StatusEvents.between(before, after).stream().map(e -> (e.warning() ? "Warning " : "Normal ") + e.reason() + ": " + e.message())
                .toList();
    }

    @Test
    void aHostKeySeenForTheFirstTimeIsAnnounced() {
        assertThat(events(status(node(NodePhase.Joining, 1, null, "running")), status(node(NodePhase.Joining, 1, "SHA256:k", "done"))))
                .containsExactly("Normal HostKeyRecorded: SSH host key of k8s-node-01 is SHA256:k (listed in known_hosts, or pinned on first use"
                        + " in the operator's host key Secret)");
        assertThat(events(status(node(NodePhase.Joining, 1, "SHA256:k", "a")), status(node(NodePhase.Failed, 1, "SHA256:k", "b"))))
                .noneMatch(e -> e.contains("HostKeyRecorded"));
    }

    @Test
    void eachFailedAttemptIsAWarning() {
        assertThat(events(status(node(NodePhase.Joining, 1, null, "running")), status(node(NodePhase.Failed, 1, null, "kubeadm join failed"))))
                .containsExactly("Warning JoinFailed: k8s-node-01: kubeadm join failed");
        assertThat(events(status(node(NodePhase.Failed, 1, null, "x")), status(node(NodePhase.Failed, 2, null, "y"))))
                .containsExactly("Warning JoinFailed: k8s-node-01: y");
        assertThat(events(status(node(NodePhase.Failed, 2, null, "y")), status(node(NodePhase.Failed, 2, null, "y")))).isEmpty();
    }

    @Test
    void registrationAndRemovalAreAnnounced() {
        assertThat(events(status(node(NodePhase.Joining, 1, null, "a")), status(node(NodePhase.Ready, 1, null, "b"))))
                .containsExactly("Normal NodeRegistered: k8s-node-01 registered");
        assertThat(events(null, status(node(NodePhase.Ready, null, null, "b")))).as("a first status announces nothing").isEmpty();
        assertThat(events(status(node(NodePhase.Ready, 1, null, "b")), status(node(NodePhase.Removing, 1, null, "cordoned"))))
                .containsExactly("Normal NodeRemoving: k8s-node-01 left the spec: cordoned");
    }
}
