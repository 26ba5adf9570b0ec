package io.k8slab.lab.cluster;

import static io.k8slab.lab.api.v1alpha1.LabClusterConditions.HOST_KEYS_KNOWN;
import static io.k8slab.lab.api.v1alpha1.LabClusterConditions.NODES_JOINED;
import static io.k8slab.lab.api.v1alpha1.LabClusterConditions.NODES_LABELED;
import static io.k8slab.lab.api.v1alpha1.LabClusterConditions.READY;
import static io.k8slab.lab.api.v1alpha1.LabClusterConditions.TOKEN_READY;
import static io.k8slab.lab.api.v1alpha1.LabClusterConditions.VALID;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.Node;
import io.k8slab.lab.api.v1alpha1.JoinTokenStatus;
import io.k8slab.lab.api.v1alpha1.LabCluster;
import io.k8slab.lab.api.v1alpha1.LabClusterStatus;
import io.k8slab.lab.api.v1alpha1.LabNode;
import io.k8slab.lab.api.v1alpha1.NodePhase;
import io.k8slab.lab.api.v1alpha1.NodeStatus;
import io.k8slab.lab.join.MachineRuns;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.kube.Violation;

/**
 * LabCluster's status, built in one place (as Keycloak's operator builds its own): every condition (Valid,
 * TokenReady, HostKeysKnown, NodesJoined, NodesLabeled, Ready) and the summary fields, from what the phases found,
 * from the violations of an invalid spec, or from the failure that stopped a reconcile. Pure.
 */
final class LabClusterStatusAggregator {

    /** Ready's reason when a reconcile stopped on an unexpected failure. */
    static final String RECONCILE_ERROR = "ReconcileError";
    /**
     * The order of the conditions in status, whichever was set first: a failure or an invalid spec reported before
     * anything else must not leave Ready ahead of the conditions it sums up.
     */
    private static final List<String> ORDER = List.of(VALID, TOKEN_READY, HOST_KEYS_KNOWN, NODES_JOINED, NODES_LABELED, READY);

    private LabClusterStatusAggregator() {
    }

    /** The status after every phase ran; {@code records} are the machine runs' bookkeeping at the end. */
    static LabClusterStatus aggregate(LabClusterScope scope, Map<String, MachineRuns.Record> records) {
        LabClusterStatus status = startStatus(scope.cluster);
        Long generation = scope.generation();
        Conditions.set(status.conditions, VALID, true, "Valid", "the spec passed validation", generation, scope.now);
        List<NodeStatus> nodes = nodes(scope, records);
        status.nodes = new ArrayList<>(nodes);
        status.nodes.addAll(scope.removals);
        status.joinToken = scope.token.token().map(t -> {
            JoinTokenStatus joinToken = new JoinTokenStatus();
            joinToken.secretName = t.token().secretName();
            joinToken.expiresAt = t.expiration().toString();
            return joinToken;
        }).orElse(null);

        TokenStep token = scope.token;
        Conditions.set(status.conditions, TOKEN_READY, token.ready(), token.reason(), token.message(), generation, scope.now);
        Map<String, String> waits = scope.machines.hostKeyWaits();
        Conditions.set(status.conditions, HOST_KEYS_KNOWN, waits.isEmpty(), waits.isEmpty() ? "NoneMissing" : "HostKeyUnknown",
                waits.isEmpty() ? "every machine the operator has work on has a host key it trusts"
                        : "not contacted until their host keys are known: " + String.join(", ", waits.keySet()) + "; "
                                + waits.values().iterator().next(),
                generation, scope.now);
        summarize(scope, nodes, status);
        return ordered(status);
    }

    /** An invalid spec: Valid and Ready say why, and the last known node picture stays, as nothing was acted on. */
    static LabClusterStatus invalid(LabCluster cluster, List<Violation> violations, Instant now) {
        LabClusterStatus status = startStatus(cluster);
        Long generation = cluster.getMetadata().getGeneration();
        Conditions.set(status.conditions, VALID, false, violations.get(0).reason(), Violation.summarize(violations), generation, now);
        Conditions.set(status.conditions, READY, false, "Invalid", "the spec is invalid; nothing was changed", generation, now);
        status.phase = "Invalid";
        if (cluster.getStatus() != null) {
            status.nodes = cluster.getStatus().nodes;
            status.ready = cluster.getStatus().ready;
            status.readyNodes = cluster.getStatus().readyNodes;
            status.desiredNodes = cluster.getStatus().desiredNodes;
        }
        return ordered(status);
    }

    /**
     * A reconcile that stopped on an unexpected failure: Ready False with {@link #RECONCILE_ERROR} and
     * {@code failure} (which must hold no secret), the phase Degraded, everything else as last reported.
     */
    static LabClusterStatus failed(LabCluster cluster, String failure, Instant now) {
        LabClusterStatus status = new LabClusterStatus();
        LabClusterStatus previous = cluster.getStatus();
        if (previous != null) {
            status.observedGeneration = previous.observedGeneration;
            status.conditions = new ArrayList<>(previous.conditions);
            status.nodes = previous.nodes;
            status.ready = previous.ready;
            status.readyNodes = previous.readyNodes;
            status.desiredNodes = previous.desiredNodes;
            status.joinToken = previous.joinToken;
        }
        Conditions.set(status.conditions, READY, false, RECONCILE_ERROR, failure + "; the operator retries",
                cluster.getMetadata().getGeneration(), now);
        status.phase = "Degraded";
        return ordered(status);
    }

    private static LabClusterStatus ordered(LabClusterStatus status) {
        status.conditions.sort(Comparator.comparingInt(c -> ORDER.contains(c.getType()) ? ORDER.indexOf(c.getType()) : ORDER.size()));
        return status;
    }

    private static LabClusterStatus startStatus(LabCluster cluster) {
        LabClusterStatus status = new LabClusterStatus();
        if (cluster.getStatus() != null) {
            status.conditions = new ArrayList<>(cluster.getStatus().conditions);
            status.joinToken = cluster.getStatus().joinToken;
        }
        status.observedGeneration = cluster.getMetadata().getGeneration();
        return status;
    }

    /** One entry per spec node, in spec order. */
    private static List<NodeStatus> nodes(LabClusterScope scope, Map<String, MachineRuns.Record> records) {
        ObservedNodes observed = scope.observed;
        Map<String, String> labelProblems = scope.labelProblems;
        Set<String> unjoined = observed.unjoined().stream().map(n -> n.name).collect(Collectors.toSet());
        List<NodeStatus> nodes = new ArrayList<>();
        for (LabNode node : scope.spec().nodes) {
            Optional<Node> registered = Optional.ofNullable(observed.registered().get(node.name));
            boolean labelled = registered.map(n -> !labelProblems.containsKey(node.name)).orElse(false);
            NodeStatus entry = NodeObservation.observe(new NodeObservation.Facts(node, registered, labelled,
                    Optional.ofNullable(records.get(node.name)).filter(r -> r.work() == MachineRuns.Work.JOIN),
                    unjoined.contains(node.name)
                            ? Optional.ofNullable(scope.machines.hostKeyWaits().get(node.name)).or(scope.token::blocked) : Optional.empty(),
                    Optional.ofNullable(observed.previous().get(node.name))));
            if (labelProblems.containsKey(node.name)) {
                entry.message = labelProblems.get(node.name);
            }
            nodes.add(entry);
        }
        return nodes;
    }

    private static void summarize(LabClusterScope scope, List<NodeStatus> nodes, LabClusterStatus status) {
        List<NodeStatus> removals = scope.removals;
        Map<String, String> labelProblems = scope.labelProblems;
        Long generation = scope.generation();
        Instant now = scope.now;
        int desired = nodes.size();
        long registered = nodes.stream().filter(n -> n.phase == NodePhase.Ready || n.phase == NodePhase.Registered).count();
        int ready = (int) nodes.stream().filter(n -> n.phase == NodePhase.Ready).count();
        boolean failing = nodes.stream().anyMatch(n -> n.phase == NodePhase.Failed);
        status.desiredNodes = desired;
        status.readyNodes = ready;
        status.ready = ready + "/" + desired;

        String waiting = nodes.stream().filter(n -> n.phase != NodePhase.Ready && n.phase != NodePhase.Registered)
                .map(n -> n.name + " (" + n.phase + ")").collect(Collectors.joining(", "));
        Conditions.set(status.conditions, NODES_JOINED, registered == desired,
                registered == desired ? "AllRegistered" : failing ? "JoinFailing" : "NodesNotRegistered",
                registered + " of " + desired + " nodes registered" + (waiting.isEmpty() ? "" : "; waiting for " + waiting),
                generation, now);
        Conditions.set(status.conditions, NODES_LABELED, labelProblems.isEmpty(),
                labelProblems.isEmpty() ? "Labeled" : "LabelsNotApplied",
                labelProblems.isEmpty() ? "every registered node carries its labels"
                        : "not labelled: " + String.join(", ", new TreeSet<>(labelProblems.keySet())),
                generation, now);
        String notReady = nodes.stream().filter(n -> n.phase != NodePhase.Ready).map(n -> n.name).collect(Collectors.joining(", "));
        String leaving = removals.stream().map(n -> n.name).collect(Collectors.joining(", "));
        boolean allReady = ready == desired && removals.isEmpty();
        Conditions.set(status.conditions, READY, allReady,
                allReady ? "AllNodesReady" : ready != desired ? "NodesNotReady" : "NodesBeingRemoved",
                allReady ? "all " + desired + " nodes are Ready and labelled"
                        : ready != desired ? "waiting for " + notReady : "removing " + leaving,
                generation, now);
        status.phase = allReady ? "Ready" : failing ? "Degraded"
                : nodes.stream().anyMatch(n -> n.phase != NodePhase.Pending) || !removals.isEmpty() ? "Joining" : "Pending";
    }
}
