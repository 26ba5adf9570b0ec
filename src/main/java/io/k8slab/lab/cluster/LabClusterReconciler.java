package io.k8slab.lab.cluster;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.Node;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.kube.StatusDiff;
import io.k8slab.lab.kube.Violation;

/**
 * Brings the lab's cluster to what its LabCluster says, as a person would: check the spec, look at which
 * nodes have registered, and report where every node stands.
 */
@ControllerConfiguration(name = LabClusterReconciler.NAME)
public class LabClusterReconciler implements Reconciler<LabCluster> {

    public static final String NAME = "labcluster";

    public static final String VALID = "Valid";
    public static final String NODES_JOINED = "NodesJoined";
    public static final String READY = "Ready";

    private final Clock clock;

    public LabClusterReconciler() {
        this(Clock.systemUTC());
    }

    LabClusterReconciler(Clock clock) {
        this.clock = clock;
    }

    @Override
    public List<EventSource<?, LabCluster>> prepareEventSources(EventSourceContext<LabCluster> context) {
        // Every Node event concerns every LabCluster: a lab has one or a few, and nodes are matched by name.
        var nodes = InformerEventSourceConfiguration.from(Node.class, LabCluster.class)
                .withSecondaryToPrimaryMapper(node -> context.getPrimaryCache().list()
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
                .build();
        return List.of(new InformerEventSource<>(nodes, context));
    }

    @Override
    public UpdateControl<LabCluster> reconcile(LabCluster cluster, Context<LabCluster> context) {
        Instant now = clock.instant();
        LabClusterStatus status = startStatus(cluster);

        List<Violation> violations = LabClusterValidator.validate(cluster.getSpec());
        if (!violations.isEmpty()) {
            reportInvalid(cluster, status, violations, now);
            return write(cluster, status);
        }
        Conditions.set(status.conditions, VALID, true, "Valid", "the spec passed validation", cluster.getMetadata().getGeneration(), now);

        Map<String, Node> registered = context.getSecondaryResources(Node.class).stream()
                .collect(Collectors.toMap(n -> n.getMetadata().getName(), Function.identity()));
        status.nodes = cluster.getSpec().nodes.stream()
                .map(node -> NodeObservation.observe(node, Optional.ofNullable(registered.get(node.name))))
                .toList();
        summarize(cluster, status, now);
        return write(cluster, status);
    }

    private static LabClusterStatus startStatus(LabCluster cluster) {
        LabClusterStatus status = new LabClusterStatus();
        if (cluster.getStatus() != null) {
            status.conditions = new java.util.ArrayList<>(cluster.getStatus().conditions);
            status.joinToken = cluster.getStatus().joinToken;
        }
        status.observedGeneration = cluster.getMetadata().getGeneration();
        return status;
    }

    private static void reportInvalid(LabCluster cluster, LabClusterStatus status, List<Violation> violations, Instant now) {
        Long generation = cluster.getMetadata().getGeneration();
        Conditions.set(status.conditions, VALID, false, violations.get(0).reason(), Violation.summarize(violations), generation, now);
        Conditions.set(status.conditions, READY, false, "Invalid", "the spec is invalid; nothing was changed", generation, now);
        status.phase = "Invalid";
        if (cluster.getStatus() != null) {
            // Keep reporting the last known node picture: nothing was acted on.
            status.nodes = cluster.getStatus().nodes;
            status.ready = cluster.getStatus().ready;
            status.readyNodes = cluster.getStatus().readyNodes;
            status.desiredNodes = cluster.getStatus().desiredNodes;
        }
    }

    private static void summarize(LabCluster cluster, LabClusterStatus status, Instant now) {
        Long generation = cluster.getMetadata().getGeneration();
        int desired = status.nodes.size();
        long registered = status.nodes.stream().filter(n -> n.phase == NodePhase.Ready || n.phase == NodePhase.Registered).count();
        int ready = (int) status.nodes.stream().filter(n -> n.phase == NodePhase.Ready).count();
        status.desiredNodes = desired;
        status.readyNodes = ready;
        status.ready = ready + "/" + desired;

        String waitingFor = status.nodes.stream().filter(n -> n.phase != NodePhase.Ready).map(n -> n.name)
                .collect(Collectors.joining(", "));
        Conditions.set(status.conditions, NODES_JOINED, registered == desired,
                registered == desired ? "AllRegistered" : "NodesNotRegistered",
                registered + " of " + desired + " nodes registered", generation, now);
        Conditions.set(status.conditions, READY, ready == desired, ready == desired ? "AllNodesReady" : "NodesNotReady",
                ready == desired ? "all " + desired + " nodes are Ready" : "waiting for " + waitingFor, generation, now);
        status.phase = ready == desired ? "Ready" : registered == desired ? "Joining" : "Pending";
    }

    /** Writes status with a server-side apply patch, and only when it changed. */
    private static UpdateControl<LabCluster> write(LabCluster cluster, LabClusterStatus status) {
        if (!StatusDiff.changed(cluster.getStatus(), status)) {
            return UpdateControl.noUpdate();
        }
        cluster.setStatus(status);
        return UpdateControl.patchStatus(cluster);
    }
}
