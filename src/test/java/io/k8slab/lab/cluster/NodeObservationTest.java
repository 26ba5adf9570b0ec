package io.k8slab.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.k8slab.lab.api.v1alpha1.LabNode;
import io.k8slab.lab.api.v1alpha1.NodePhase;
import io.k8slab.lab.api.v1alpha1.NodeRole;
import io.k8slab.lab.api.v1alpha1.NodeStatus;
import io.k8slab.lab.join.MachineRuns;
import io.k8slab.lab.join.MachineRuns.Record;
import io.k8slab.lab.join.MachineRuns.State;

class NodeObservationTest {

    private static final Instant T = Instant.parse("2030-01-01T12:00:00.250Z");

    private static LabNode node(NodeRole role) {
        LabNode node = new LabNode();
        node.name = "k8s-node-01";
        node.address = "172.17.0.21";
        node.role = role;
        return node;
    }

    private static Node registered(String ready, String kubeletVersion) {
        return new NodeBuilder().withNewMetadata().withName("k8s-node-01").endMetadata().withNewStatus()
                .addNewCondition().withType("Ready").withStatus(ready).endCondition()
                .withNewNodeInfo().withKubeletVersion(kubeletVersion).endNodeInfo().endStatus().build();
    }

    private static Record record(State state, int attempts, String message) {
        return new Record(MachineRuns.Work.JOIN, state, attempts, T, message, "SHA256:key", T.plusSeconds(20), null, false);
    }

    private static NodeStatus previous() {
        NodeStatus previous = new NodeStatus();
        previous.attempts = 2;
        previous.lastAttemptTime = "2029-12-31T00:00:00Z";
        previous.hostKeyFingerprint = "SHA256:old";
        return previous;
    }

    static Stream<Arguments> cases() {
        LabNode worker = node(NodeRole.NODE);
        Optional<Node> none = Optional.empty();
        Optional<String> unblocked = Optional.empty();
        return Stream.of(
                // description, facts, phase, message
                Arguments.of("registered, Ready and labelled", new NodeObservation.Facts(worker, Optional.of(registered("True", "v1.20.2")), true,
                        Optional.empty(), unblocked, Optional.empty()), NodePhase.Ready, "registered and Ready"),
                Arguments.of("Ready but not labelled yet", new NodeObservation.Facts(worker, Optional.of(registered("True", "v1.20.2")), false,
                        Optional.empty(), unblocked, Optional.empty()), NodePhase.Registered, "registered and Ready; labels not applied yet"),
                Arguments.of("registered, kubelet not Ready", new NodeObservation.Facts(worker, Optional.of(registered("False", "")), true,
                        Optional.empty(), unblocked, Optional.empty()), NodePhase.Registered, "registered, kubelet not Ready yet"),
                Arguments.of("control plane not registered", new NodeObservation.Facts(node(NodeRole.CONTROL_PLANE), none, false,
                        Optional.empty(), Optional.of("blocked"), Optional.empty()), NodePhase.Pending,
                        "control-plane node not registered; it is set up by kubeadm init, not joined"),
                Arguments.of("join running", new NodeObservation.Facts(worker, none, false, Optional.of(record(State.RUNNING, 3, "running")),
                        unblocked, Optional.empty()), NodePhase.Joining, "running kubeadm join (attempt 3)"),
                Arguments.of("kubeadm done, Node not there yet", new NodeObservation.Facts(worker, none, false,
                        Optional.of(record(State.DONE, 1, "kubeadm join succeeded")), unblocked, Optional.empty()), NodePhase.Joining,
                        "kubeadm join succeeded"),
                Arguments.of("someone else's kubeadm running", new NodeObservation.Facts(worker, none, false,
                        Optional.of(record(State.BUSY, 0, "kubeadm is already running")), unblocked, Optional.empty()), NodePhase.Joining,
                        "kubeadm is already running"),
                Arguments.of("last join failed", new NodeObservation.Facts(worker, none, false,
                        Optional.of(record(State.FAILED, 2, "kubeadm join failed: exit status 1")), unblocked, Optional.empty()),
                        NodePhase.Failed, "kubeadm join failed: exit status 1"),
                Arguments.of("cannot join: why, even after a failure", new NodeObservation.Facts(worker, none, false,
                        Optional.of(record(State.FAILED, 2, "failed")), Optional.of("the SSH Secret kube-system/x does not exist"),
                        Optional.empty()), NodePhase.Pending, "the SSH Secret kube-system/x does not exist"),
                Arguments.of("waiting for a slot", new NodeObservation.Facts(worker, none, false, Optional.empty(), unblocked, Optional.empty()),
                        NodePhase.Pending, "not registered yet; waiting for a join slot"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void phases(String description, NodeObservation.Facts facts, NodePhase phase, String message) {
        NodeStatus status = NodeObservation.observe(facts);
        assertThat(status.name).isEqualTo("k8s-node-01");
        assertThat(status.phase).isEqualTo(phase);
        assertThat(status.message).isEqualTo(message);
    }

    @ParameterizedTest(name = "kubelet version {0}")
    @org.junit.jupiter.params.provider.CsvSource(nullValues = "none", value = { "v1.20.2, v1.20.2", "'', none" })
    void aBlankKubeletVersionIsNotReported(String reported, String expected) {
        NodeStatus status = NodeObservation.observe(new NodeObservation.Facts(node(NodeRole.NODE), Optional.of(registered("True", reported)),
                true, Optional.empty(), Optional.empty(), Optional.empty()));
        assertThat(status.kubeletVersion).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bookkeeping")
    void attemptsAndHostKeyComeFromTheRecordElseFromTheLastStatus(String description, Optional<Record> record, Integer attempts,
            String lastAttemptTime, String fingerprint) {
        NodeStatus status = NodeObservation.observe(new NodeObservation.Facts(node(NodeRole.NODE), Optional.of(registered("True", "v1")),
                true, record, Optional.empty(), Optional.of(previous())));
        assertThat(status.attempts).isEqualTo(attempts);
        assertThat(status.lastAttemptTime).isEqualTo(lastAttemptTime);
        assertThat(status.hostKeyFingerprint).isEqualTo(fingerprint);
    }

    static Stream<Arguments> bookkeeping() {
        return Stream.of(
                Arguments.of("a record", Optional.of(record(State.DONE, 3, "done")), 3, "2030-01-01T12:00:00Z", "SHA256:key"),
                Arguments.of("no record", Optional.empty(), 2, "2029-12-31T00:00:00Z", "SHA256:old"),
                Arguments.of("a record of a busy look only", Optional.of(new Record(MachineRuns.Work.JOIN, State.BUSY, 0, T, "busy", null, T, null, false)),
                        2, "2030-01-01T12:00:00Z", "SHA256:old"));
    }
}
