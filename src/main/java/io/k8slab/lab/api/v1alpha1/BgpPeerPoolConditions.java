package io.k8slab.lab.api.v1alpha1;

/** The condition types of a BgpPeerPool's status, and the reasons tests and clients look for. */
public final class BgpPeerPoolConditions {

    public static final String VALID = "Valid";
    public static final String CONFIG_APPLIED = "ConfigApplied";
    public static final String METALLB_AVAILABLE = "MetalLBAvailable";
    public static final String PEERS_ESTABLISHED = "PeersEstablished";
    public static final String ROUTES_CONVERGED = "RoutesConverged";
    public static final String READY = "Ready";
    public static final String WEBHOOK_NOT_READY = "WebhookNotReady";
    public static final String NAMESPACE_NOT_ALLOWED = "NamespaceNotAllowed";
    /** Ready's reason when a reconcile threw: its message names the phase and the failure; the reconcile is retried. */
    public static final String RECONCILE_ERROR = "ReconcileError";

    private BgpPeerPoolConditions() {
    }
}
