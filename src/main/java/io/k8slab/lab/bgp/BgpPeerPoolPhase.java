package io.k8slab.lab.bgp;

/**
 * The phases of a BgpPeerPool's reconcile, in the order they run. A phase that throws is named in the exception,
 * and so in the status condition {@link BgpPeerPoolReconciler#updateErrorStatus} writes.
 */
enum BgpPeerPoolPhase {

    TARGET("checking spec.metallb"),
    INSTALL("installing MetalLB"),
    VALIDATION("checking the pool against MetalLB's rules and the other pools"),
    CONFIGURATION("writing MetalLB's configuration"),
    AVAILABILITY("checking whether MetalLB runs"),
    ROUTERS("asking the routers"),
    USAGE("counting the pools' addresses");

    final String description;

    BgpPeerPoolPhase(String description) {
        this.description = description;
    }

    /** Runs the phase; an exception comes out as {@link Failed}, naming it. */
    void run(Runnable phase) {
        try {
            phase.run();
        } catch (RuntimeException e) {
            throw new Failed(this, e);
        }
    }

    /** A phase that threw; the cause is what it threw. */
    static final class Failed extends RuntimeException {

        final BgpPeerPoolPhase phase;

        Failed(BgpPeerPoolPhase phase, RuntimeException cause) {
            super(phase.description + " failed", cause);
            this.phase = phase;
        }
    }
}
