package io.k8slab.lab.cluster;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.k8slab.lab.api.v1alpha1.LabCluster;
import io.k8slab.lab.api.v1alpha1.LabClusterStatus;
import io.k8slab.lab.join.KubeadmOverSsh;
import io.k8slab.lab.join.MachineRuns;
import io.k8slab.lab.join.NodeShell;
import io.k8slab.lab.join.SshNodeShells;
import io.k8slab.lab.kube.Backoff;
import io.k8slab.lab.kube.Violation;
import io.k8slab.lab.kube.client.StatusDiff;
import io.k8slab.lab.kube.client.StatusPatch;
import io.k8slab.lab.metrics.LabMetrics;
import io.k8slab.lab.nodes.NodeDrainer;
import io.k8slab.lab.nodes.NodeLabeler;

/**
 * Brings the lab's cluster to what its LabCluster says, in the order a person would: check the spec, see which
 * nodes have registered, read the SSH access and the machines' host keys, make sure there is a join token, start
 * {@code kubeadm join} where it is needed (on an executor: a join takes minutes and never holds this thread), label
 * the registered nodes, drain and remove the nodes dropped from the spec, and report where every node stands. Each
 * step is a {@link LabClusterPhase} over one {@link LabClusterScope}; {@link LabClusterStatusAggregator} writes
 * the status, and a failure in any step ends in the Ready condition ({@link #updateErrorStatus}).
 */
@ControllerConfiguration(name = LabClusterReconciler.NAME)
// What it touches besides LabClusters is granted by deploy/operator/rbac.yaml (the tests run as that account):
// Nodes (watch, label, cordon, delete), pods (list) and pods/eviction, Secrets in kube-system (bootstrap tokens,
// the SSH key), ConfigMaps kube-public/cluster-info and kube-root-ca.crt, Events.
public class LabClusterReconciler implements Reconciler<LabCluster> {

    public static final String NAME = "labcluster";

    /** kubeadm join returns once the kubelet's TLS bootstrap is done; its Node follows within seconds. */
    static final Duration REGISTRATION = Duration.ofMinutes(5);

    private final Clock clock;
    private final Duration recheck;
    private final NodeShell.Factory shells;
    private final MachineRunEventSource runEvents;
    private final NodeWatch nodeWatch = new NodeWatch();
    private final MachineRuns runs;
    private final NodeDrainer drainer = new NodeDrainer();
    private final NodeLabeler labeler = new NodeLabeler();
    /** The runbook, in order. */
    private final List<LabClusterPhase> phases;

    public LabClusterReconciler() {
        this(Clock.systemUTC(), MachineRuns.defaultExecutor(), new SshNodeShells(), Backoff.DEFAULT, Duration.ofSeconds(5), REGISTRATION);
    }

    /**
     * For tests: the clock, where machine runs go, how machines are reached, how long to wait before looking again,
     * and how long a joined Node may take to register.
     */
    LabClusterReconciler(Clock clock, ExecutorService executor, NodeShell.Factory shells, Backoff backoff, Duration recheck,
            Duration registration) {
        this(clock, executor, shells, backoff, recheck, registration, LabMetrics.global());
    }

    /** As above, counting joins and tokens in {@code metrics}. */
    LabClusterReconciler(Clock clock, ExecutorService executor, NodeShell.Factory shells, Backoff backoff, Duration recheck,
            Duration registration, LabMetrics metrics) {
        this.clock = clock;
        this.recheck = recheck;
        this.shells = shells;
        this.runs = new MachineRuns(executor, clock, backoff, recheck, registration, this::wake, metrics);
        this.runEvents = new MachineRunEventSource(runs::forget, this::stop);
        KubeadmOverSsh kubeadm = new KubeadmOverSsh(shells);
        // The registered nodes are labelled first: that needs no SSH, token or join, so a label edit is not
        // behind the bootstrap tokens' LIST (issue 13's label convergence).
        this.phases = List.of(
                new ObserveNodes(runs, backoff, registration),
                new LabelNodes(labeler),
                new ReadSshAccess(),
                new ResolveMachines(),
                new EnsureJoinToken(runs, metrics),
                new StartJoins(runs, kubeadm),
                new RemoveNodes(runs, kubeadm, drainer));
    }

    private void wake(String cluster) {
        runEvents.propagateEvent(new ResourceID(cluster));
    }

    /** The controller stops: SSH work, SSH client and the drain's client go with it. */
    private void stop() {
        runs.close();
        shells.close();
        drainer.close();
        labeler.close();
    }

    @Override
    public List<EventSource<?, LabCluster>> prepareEventSources(EventSourceContext<LabCluster> context) {
        // The Nodes' informer is NodeWatch's, registered at the first reconcile.
        return List.of(runEvents);
    }

    @Override
    public UpdateControl<LabCluster> reconcile(LabCluster cluster, Context<LabCluster> context) {
        List<Violation> violations = new ArrayList<>(LabClusterValidator.validate(cluster.getMetadata().getName(), cluster.getSpec()));
        violations.addAll(LabClusterValidator.claims(cluster, context.getPrimaryCache().list().toList()));
        if (!violations.isEmpty()) {
            UpdateControl<LabCluster> control = write(cluster, LabClusterStatusAggregator.invalid(cluster, violations, clock.instant()));
            // Another LabCluster's edits wake nothing here: look again for the claim to be given up.
            if (violations.stream().anyMatch(v -> v.reason().equals(LabClusterValidator.CLAIMED))) {
                control.rescheduleAfter(NextLook.BLOCKED_RECHECK);
            }
            return control;
        }

        LabClusterScope scope = new LabClusterScope(cluster, context, clock.instant(), nodeWatch);
        phases.forEach(phase -> run(phase, scope));
        LabClusterStatus status = LabClusterStatusAggregator.aggregate(scope, runs.records(scope.name));
        announce(scope, status);
        UpdateControl<LabCluster> control = write(cluster, status);
        NextLook.after(scope, runs.records(scope.name), recheck).ifPresent(control::rescheduleAfter);
        return control;
    }

    private static void run(LabClusterPhase phase, LabClusterScope scope) {
        try {
            phase.run(scope);
        } catch (RuntimeException e) {
            throw new PhaseFailure(phase.name(), e, scope.token == null ? List.of()
                    : scope.token.token().map(t -> List.of(t.token().value())).orElse(List.of()));
        }
    }

    /**
     * A reconcile that threw ends in Ready False with reason ReconcileError and what failed; JOSDK retries it with
     * backoff, and the next reconcile that gets through writes the whole status again. A conflict is only a stale
     * copy of the LabCluster: the retry with the fresh one follows at once, so it is not reported.
     */
    @Override
    public ErrorStatusUpdateControl<LabCluster> updateErrorStatus(LabCluster cluster, Context<LabCluster> context, Exception e) {
        if (PhaseFailure.isConflict(e)) {
            return ErrorStatusUpdateControl.noStatusUpdate();
        }
        String failure = e instanceof PhaseFailure ? e.getMessage() : "reconcile failed: " + PhaseFailure.describe(e);
        LabClusterStatus status = LabClusterStatusAggregator.failed(cluster, failure, clock.instant());
        return StatusDiff.changed(cluster.getStatus(), status)
                ? ErrorStatusUpdateControl.patchStatus(StatusPatch.patch(cluster, status, LabCluster::new))
                : ErrorStatusUpdateControl.noStatusUpdate();
    }

    /** The Events the change of status deserves (a join failed, a node registered, a removal started, ...). */
    private static void announce(LabClusterScope scope, LabClusterStatus status) {
        StatusEvents.between(scope.cluster.getStatus(), status).forEach(e -> {
            if (e.warning()) {
                scope.events.warning(scope.cluster, e.reason(), e.message());
            } else {
                scope.events.normal(scope.cluster, e.reason(), e.message());
            }
        });
    }

    private static UpdateControl<LabCluster> write(LabCluster cluster, LabClusterStatus status) {
        return StatusPatch.write(cluster, status, LabCluster::new);
    }
}
