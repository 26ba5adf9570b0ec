package io.k8slab.lab.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.k8slab.lab.api.v1alpha1.LabClusterStatus;
import io.k8slab.lab.api.v1alpha1.NodePhase;
import io.k8slab.lab.api.v1alpha1.NodeStatus;

/**
 * The Events a change of status deserves, mostly for what happened off the reconcile thread: a host key recorded,
 * a join that failed, a node that registered, a removal that started. Pure; messages come from status, which holds
 * no secret.
 */
final class StatusEvents {

    record Event(boolean warning, String reason, String message) {
    }

    private StatusEvents() {
    }

    static List<Event> between(LabClusterStatus before, LabClusterStatus after) {
        Map<String, NodeStatus> previous = before == null || before.nodes == null ? Map.of()
                : before.nodes.stream().collect(Collectors.toMap(n -> n.name, Function.identity(), (a, b) -> a));
        List<Event> events = new ArrayList<>();
        for (NodeStatus node : after.nodes) {
            NodeStatus old = previous.get(node.name);
            NodePhase oldPhase = old == null ? null : old.phase;
            if (node.hostKeyFingerprint != null && (old == null || old.hostKeyFingerprint == null)) {
                events.add(new Event(false, "HostKeyRecorded", "SSH host key of " + node.name + " is " + node.hostKeyFingerprint
                        + " (listed in known_hosts, or pinned on first use in the operator's host key Secret)"));
            }
            if (node.phase == NodePhase.Failed && (oldPhase != NodePhase.Failed || !Objects.equals(old.attempts, node.attempts))) {
                events.add(new Event(true, "JoinFailed", node.name + ": " + node.message));
            }
            if (node.phase == NodePhase.Removing && oldPhase != NodePhase.Removing) {
                events.add(new Event(false, "NodeRemoving", node.name + " left the spec: " + node.message));
            }
            boolean registered = node.phase == NodePhase.Registered || node.phase == NodePhase.Ready;
            boolean wasRegistered = oldPhase == NodePhase.Registered || oldPhase == NodePhase.Ready;
            if (registered && oldPhase != null && !wasRegistered) {
                events.add(new Event(false, "NodeRegistered", node.name + " registered"));
            }
        }
        return events;
    }
}
