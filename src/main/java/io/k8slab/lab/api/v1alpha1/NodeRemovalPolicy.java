package io.k8slab.lab.api.v1alpha1;

/** What the operator does with a node that was removed from the spec. */
public enum NodeRemovalPolicy {
    /** Cordon, drain through the Eviction API, delete the Node object. */
    Drain,
    /** As Drain, then {@code kubeadm reset -f} on the machine over SSH. */
    DrainAndReset,
    /** Leave the Node and the machine alone. */
    Orphan
}
