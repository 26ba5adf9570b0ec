package io.k8slab.lab.cluster;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.k8slab.lab.api.v1alpha1.NodePhase;
import io.k8slab.lab.api.v1alpha1.NodeRemovalPolicy;
import io.k8slab.lab.api.v1alpha1.NodeStatus;
import io.k8slab.lab.join.KubeadmOverSsh;
import io.k8slab.lab.join.MachineRuns;
import io.k8slab.lab.join.SshTarget;
import io.k8slab.lab.nodes.NodeDrainer;

/**
 * Drains each Node dropped from the spec, resets its machine when the policy says so, then deletes it; the status
 * entries of the nodes still being removed go to the scope.
 */
final class RemoveNodes implements LabClusterPhase {

    /** A removed node's machine gets this many kubeadm reset runs; then the Node is deleted without one. */
    static final int RESET_ATTEMPTS = 5;

    private final MachineRuns runs;
    private final KubeadmOverSsh kubeadm;
    private final NodeDrainer drainer;
    /** cluster/node of the drains whose timeout was reported with an Event, so it is reported once. */
    private final Set<String> drainTimeoutsReported = ConcurrentHashMap.newKeySet();

    RemoveNodes(MachineRuns runs, KubeadmOverSsh kubeadm, NodeDrainer drainer) {
        this.runs = runs;
        this.kubeadm = kubeadm;
        this.drainer = drainer;
    }

    @Override
    public String name() {
        return "remove the dropped nodes";
    }

    @Override
    public void run(LabClusterScope scope) {
        String name = scope.name;
        Instant now = scope.now;
        ObservedNodes observed = scope.observed;
        Map<String, MachineRuns.Record> records = runs.records(name);
        Duration drainTimeout = scope.removal.drainTimeout();
        List<NodeStatus> removing = new ArrayList<>();
        for (Node node : observed.dropped()) {
            String nodeName = node.getMetadata().getName();
            Optional<MachineRuns.Record> reset = Optional.ofNullable(records.get(nodeName)).filter(r -> r.work() == MachineRuns.Work.RESET);
            NodeStatus entry = removalEntry(nodeName, reset, Optional.ofNullable(observed.previous().get(nodeName)), now);
            try {
                NodeDrainer.Progress drain = drainer.drain(scope.client, node);
                boolean timedOut = !drain.drained() && !now.isBefore(since(entry.removingSince, now).plus(drainTimeout));
                if (!drain.drained() && !timedOut) {
                    entry.message = drain.message();
                    removing.add(entry);
                    continue;
                }
                String drained = timedOut ? "not drained within " + StatusText.words(drainTimeout) : "drained";
                if (timedOut && drainTimeoutsReported.add(name + "/" + nodeName)) {
                    scope.events.warning(scope.cluster, "DrainTimedOut", nodeName + " was not drained within " + StatusText.words(drainTimeout)
                            + " (" + drain.message() + "); deleting the Node anyway, the pods left there go with it");
                }
                boolean resetDone = reset.map(r -> r.state() == MachineRuns.State.DONE).orElse(false);
                Optional<String> abandoned = observed.removalPolicy() != NodeRemovalPolicy.DrainAndReset || resetDone ? Optional.empty()
                        : resetAbandoned(nodeName, reset, scope.machines);
                if (observed.removalPolicy() == NodeRemovalPolicy.DrainAndReset && !resetDone && abandoned.isEmpty()) {
                    entry.message = drained + "; " + resetMachine(scope, nodeName, reset);
                    removing.add(entry);
                    continue;
                }
                abandoned.ifPresent(why -> scope.events.warning(scope.cluster, "ResetAbandoned", nodeName + ": " + why
                        + "; deleting the Node without a reset: run sudo kubeadm reset -f on the machine by hand"));
                NodeDrainer.delete(scope.client, nodeName);
                drainTimeoutsReported.remove(name + "/" + nodeName);
                scope.events.normal(scope.cluster, "NodeRemoved", nodeName + " left the spec: " + drained
                        + (resetDone ? ", reset with kubeadm reset" : "") + " and deleted");
            } catch (KubernetesClientException e) {
                entry.message = "cannot drain: " + StatusText.apiReason(e);
                removing.add(entry);
            }
        }
        scope.removals = removing;
    }

    /** Why a removed node's reset is given up: its runs failed too often, or where the spec put it is unknown. */
    private static Optional<String> resetAbandoned(String node, Optional<MachineRuns.Record> reset, Machines machines) {
        if (reset.isPresent() && reset.get().state() == MachineRuns.State.FAILED && reset.get().attempts() >= RESET_ATTEMPTS) {
            return Optional.of("kubeadm reset failed " + reset.get().attempts() + " times (last: " + reset.get().message() + ")");
        }
        if (!machines.targets().containsKey(node) && !machines.hostKeyWaits().containsKey(node) && reset.isEmpty()
                && machines != Machines.NONE) {
            return Optional.of("the address the spec gave it is not known (its status entry is gone), so there is nowhere to reset");
        }
        return Optional.empty();
    }

    private static Instant since(String timestamp, Instant now) {
        try {
            return timestamp == null ? now : Instant.parse(timestamp);
        } catch (DateTimeParseException e) {
            return now;
        }
    }

    private static NodeStatus removalEntry(String name, Optional<MachineRuns.Record> reset, Optional<NodeStatus> previous, Instant now) {
        NodeStatus entry = new NodeStatus();
        entry.name = name;
        entry.phase = NodePhase.Removing;
        entry.attempts = reset.map(MachineRuns.Record::attempts).orElse(null);
        entry.lastAttemptTime = reset.map(r -> NodeObservation.timestamp(r.lastAttempt())).orElse(null);
        entry.hostKeyFingerprint = reset.map(MachineRuns.Record::hostKeyFingerprint).or(() -> previous.map(p -> p.hostKeyFingerprint)).orElse(null);
        entry.kubeletVersion = previous.map(p -> p.kubeletVersion).orElse(null);
        entry.address = previous.map(p -> p.address).orElse(null);
        entry.removingSince = previous.filter(p -> p.phase == NodePhase.Removing).map(p -> p.removingSince)
                .orElse(NodeObservation.timestamp(now));
        return entry;
    }

    /** Runs (or waits for) {@code kubeadm reset -f} on a drained node; returns its progress in words. */
    private String resetMachine(LabClusterScope scope, String nodeName, Optional<MachineRuns.Record> reset) {
        if (reset.isPresent() && !reset.get().isDue(scope.now)) {
            return reset.get().isRunning() ? "running kubeadm reset" : reset.get().message();
        }
        if (scope.access.credentials().isEmpty()) {
            return "cannot run kubeadm reset: " + scope.access.problem().orElse("no SSH access");
        }
        // The address the spec gave (ResolveMachines took it from the status entry), never the one the Node reports:
        // a worker claiming 172.17.0.10 must not get the control plane reset.
        SshTarget target = scope.machines.targets().get(nodeName);
        if (target == null) {
            return "cannot run kubeadm reset: " + scope.machines.hostKeyWaits().getOrDefault(nodeName, "no SSH target");
        }
        boolean started = runs.start(scope.name, nodeName, MachineRuns.Work.RESET, scope.settings.parallelism(), null,
                () -> kubeadm.reset(target));
        return started ? "running kubeadm reset" : "waiting for a free slot to run kubeadm reset";
    }
}
