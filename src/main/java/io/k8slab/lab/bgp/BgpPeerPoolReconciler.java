package io.k8slab.lab.bgp;

import java.time.Clock;
import java.time.Instant;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.kube.StatusDiff;

/** Keeps MetalLB's BGP configuration in step with the BgpPeerPools and reports what the routers see. */
@ControllerConfiguration(name = BgpPeerPoolReconciler.NAME)
public class BgpPeerPoolReconciler implements Reconciler<BgpPeerPool> {

    public static final String NAME = "bgppeerpool";

    public static final String VALID = "Valid";
    public static final String READY = "Ready";

    private final Clock clock;

    public BgpPeerPoolReconciler() {
        this(Clock.systemUTC());
    }

    BgpPeerPoolReconciler(Clock clock) {
        this.clock = clock;
    }

    @Override
    public UpdateControl<BgpPeerPool> reconcile(BgpPeerPool pool, Context<BgpPeerPool> context) {
        Instant now = clock.instant();
        Long generation = pool.getMetadata().getGeneration();
        BgpPeerPoolStatus status = new BgpPeerPoolStatus();
        if (pool.getStatus() != null) {
            status.conditions = new java.util.ArrayList<>(pool.getStatus().conditions);
        }
        status.observedGeneration = generation;
        Conditions.set(status.conditions, VALID, true, "Valid", "the spec passed the schema", generation, now);
        Conditions.set(status.conditions, READY, false, "ConfigNotApplied", "MetalLB is not configured yet", generation, now);
        status.peers = "0/" + pool.getSpec().peers.size();
        status.routes = "0/0";
        if (!StatusDiff.changed(pool.getStatus(), status)) {
            return UpdateControl.noUpdate();
        }
        pool.setStatus(status);
        return UpdateControl.patchStatus(pool);
    }
}
