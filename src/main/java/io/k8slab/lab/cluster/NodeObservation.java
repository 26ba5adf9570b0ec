package io.k8slab.lab.cluster;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.k8slab.lab.api.v1alpha1.LabNode;
import io.k8slab.lab.api.v1alpha1.NodePhase;
import io.k8slab.lab.api.v1alpha1.NodeStatus;
import io.k8slab.lab.join.MachineRuns;

/** One spec node's status entry, from its Node object (if registered) and its join bookkeeping. Pure. */
public final class NodeObservation {

    /**
     * What the operator knows about a spec node: its Node object, whether the operator's labels are on it, its
     * join record, why joins cannot run now (if so), and its previous status entry (attempts and host key survive).
     */
    record Facts(LabNode node, Optional<Node> registered, boolean labelled, Optional<MachineRuns.Record> join,
            Optional<String> blocked, Optional<NodeStatus> previous) {
    }

    private NodeObservation() {
    }

    static NodeStatus observe(Facts facts) {
        NodeStatus status = new NodeStatus();
        status.name = facts.node().name;
        status.address = facts.node().address;
        status.attempts = facts.join().map(MachineRuns.Record::attempts).filter(a -> a > 0)
                .or(() -> facts.previous().map(p -> p.attempts)).orElse(null);
        status.lastAttemptTime = facts.join().map(MachineRuns.Record::lastAttempt).map(NodeObservation::timestamp)
                .or(() -> facts.previous().map(p -> p.lastAttemptTime)).orElse(null);
        status.hostKeyFingerprint = facts.join().map(MachineRuns.Record::hostKeyFingerprint)
                .or(() -> facts.previous().map(p -> p.hostKeyFingerprint)).orElse(null);

        if (facts.registered().isPresent()) {
            Node node = facts.registered().get();
            // A Node registers before its kubelet posts nodeInfo, whose fields read "" until then.
            status.kubeletVersion = Optional.ofNullable(node.getStatus()).map(s -> s.getNodeInfo())
                    .map(info -> info.getKubeletVersion()).filter(v -> !v.isBlank()).orElse(null);
            boolean ready = isReady(node);
            status.phase = ready && facts.labelled() ? NodePhase.Ready : NodePhase.Registered;
            status.message = !ready ? "registered, kubelet not Ready yet"
                    : facts.labelled() ? "registered and Ready" : "registered and Ready; labels not applied yet";
            return status;
        }
        if (facts.node().role.isControlPlane()) {
            status.phase = NodePhase.Pending;
            status.message = "control-plane node not registered; it is set up by kubeadm init, not joined";
            return status;
        }
        Optional<MachineRuns.Record> join = facts.join();
        if (join.isPresent() && join.get().state() != MachineRuns.State.FAILED) {
            status.phase = NodePhase.Joining;
            status.message = join.get().isRunning() ? "running kubeadm join (attempt " + join.get().attempts() + ")" : join.get().message();
        } else if (facts.blocked().isPresent()) {
            status.phase = NodePhase.Pending;
            status.message = facts.blocked().get();
        } else if (join.isPresent()) {
            status.phase = NodePhase.Failed;
            status.message = join.get().message();
        } else {
            status.phase = NodePhase.Pending;
            status.message = "not registered yet; waiting for a join slot";
        }
        return status;
    }

    public static boolean isReady(Node node) {
        return node.getStatus() != null && node.getStatus().getConditions() != null
                && node.getStatus().getConditions().stream()
                        .filter(c -> "Ready".equals(c.getType()))
                        .map(NodeCondition::getStatus)
                        .anyMatch("True"::equals);
    }

    static String timestamp(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
