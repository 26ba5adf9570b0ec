package io.k8slab.lab.api.v1alpha1;

/** The stages a node goes through, in order; Failed and Removing are off the main path. */
public enum NodePhase {
    /** In the spec, not registered, no join running. */
    Pending,
    /** kubeadm join is running on it. */
    Joining,
    /** A Node object exists but is not Ready yet. */
    Registered,
    /** The Node is Ready and labelled. */
    Ready,
    /** The last join failed; it is retried with backoff. */
    Failed,
    /** Removed from the spec; being cordoned, drained and deleted. */
    Removing
}
