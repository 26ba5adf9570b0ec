package io.k8slab.lab.cluster;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Node;
import io.k8slab.lab.api.v1alpha1.LabCluster;
import io.k8slab.lab.api.v1alpha1.LabNode;
import io.k8slab.lab.api.v1alpha1.NodeRemovalPolicy;
import io.k8slab.lab.api.v1alpha1.NodeRole;
import io.k8slab.lab.api.v1alpha1.NodeStatus;
import io.k8slab.lab.join.MachineRuns;
import io.k8slab.lab.kube.Backoff;

/**
 * Which spec nodes have registered, which are still to be joined and which registered Nodes left the spec; then
 * brings the machine runs' bookkeeping in step with that and with status: what status already holds is dropped,
 * what a restart lost is restored from status, and a join whose Node never registered is expired.
 */
final class ObserveNodes implements LabClusterPhase {

    private final MachineRuns runs;
    private final Backoff backoff;
    private final Duration registration;

    ObserveNodes(MachineRuns runs, Backoff backoff, Duration registration) {
        this.runs = runs;
        this.backoff = backoff;
        this.registration = registration;
    }

    @Override
    public String name() {
        return "observe the nodes";
    }

    @Override
    public void run(LabClusterScope scope) {
        scope.observed = observe(scope.cluster, scope.nodes, scope.removal.policy());
        scope.observed.unjoined().forEach(n -> runs.expireUnregistered(scope.name, n.name, scope.now,
                "joined, but the Node did not register within " + StatusText.words(registration) + " (is the kubelet running and "
                        + "reaching the API server? journalctl -u kubelet on the machine); the next attempt resets the machine first"));
    }

    private ObservedNodes observe(LabCluster cluster, List<Node> nodes, NodeRemovalPolicy policy) {
        String name = cluster.getMetadata().getName();
        Map<String, Node> registered = nodes.stream().collect(Collectors.toMap(n -> n.getMetadata().getName(), Function.identity()));
        Set<String> inSpec = cluster.getSpec().nodes.stream().map(n -> n.name).collect(Collectors.toSet());
        List<LabNode> unjoined = cluster.getSpec().nodes.stream()
                .filter(n -> !n.role.isControlPlane() && !registered.containsKey(n.name))
                .toList();
        // Control-plane nodes are never drained automatically: the operator itself may run there.
        List<Node> dropped = policy == NodeRemovalPolicy.Orphan ? List.of() : registered.values().stream()
                .filter(n -> n.getMetadata().getLabels() != null && name.equals(n.getMetadata().getLabels().get(NodeLabels.CLUSTER)))
                .filter(n -> !inSpec.contains(n.getMetadata().getName()))
                .filter(n -> Stream.of(NodeRole.values()).filter(NodeRole::isControlPlane)
                        .noneMatch(r -> n.getMetadata().getLabels().containsKey(NodeLabels.ROLE_PREFIX + r.label())))
                .toList();
        Map<String, NodeStatus> previous = cluster.getStatus() == null || cluster.getStatus().nodes == null ? Map.of()
                : cluster.getStatus().nodes.stream().collect(Collectors.toMap(n -> n.name, Function.identity(), (a, b) -> a));

        // A record goes once its node needs no SSH work and status holds what it knew (attempts, host key): a
        // status write can fail, and the reconcile that retries it must still know.
        Set<String> keep = new HashSet<>();
        unjoined.forEach(n -> keep.add(n.name));
        dropped.forEach(n -> keep.add(n.getMetadata().getName()));
        // A node gone from the spec and from the cluster takes its record along: added again, it starts afresh.
        runs.records(name).forEach((node, record) -> {
            if (!recorded(record, previous.get(node)) && (inSpec.contains(node) || registered.containsKey(node))) {
                keep.add(node);
            }
        });
        runs.retain(name, keep);
        unjoined.forEach(n -> restore(Optional.ofNullable(previous.get(n.name))).ifPresent(r -> runs.seed(name, n.name, r)));
        return new ObservedNodes(registered, unjoined, dropped, policy, previous);
    }

    private static boolean recorded(MachineRuns.Record record, NodeStatus entry) {
        return !record.isRunning() && entry != null && Objects.equals(entry.attempts, record.attempts())
                && Objects.equals(entry.hostKeyFingerprint, record.hostKeyFingerprint());
    }

    /** After a restart, a join's bookkeeping from its status entry: a failure keeps its backoff, a join in flight is re-checked. */
    private Optional<MachineRuns.Record> restore(Optional<NodeStatus> entry) {
        if (entry.isEmpty() || entry.get().attempts == null || entry.get().lastAttemptTime == null) {
            return Optional.empty();
        }
        NodeStatus e = entry.get();
        Instant last;
        try {
            last = Instant.parse(e.lastAttemptTime);
        } catch (DateTimeParseException ex) {
            return Optional.empty();
        }
        return switch (e.phase) {
            case Failed -> Optional.of(new MachineRuns.Record(MachineRuns.Work.JOIN, MachineRuns.State.FAILED, e.attempts, last, e.message,
                    e.hostKeyFingerprint, last.plus(backoff.delay(e.attempts)), null, false));
            case Joining -> Optional.of(new MachineRuns.Record(MachineRuns.Work.JOIN, MachineRuns.State.BUSY, e.attempts, last,
                    "the operator restarted during this join; checking the machine", e.hostKeyFingerprint, last, null, false));
            default -> Optional.empty();
        };
    }
}
