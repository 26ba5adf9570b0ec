package io.k8slab.lab.api.v1alpha1;

/** The condition types of a LabCluster's status. */
public final class LabClusterConditions {

    public static final String VALID = "Valid";
    public static final String TOKEN_READY = "TokenReady";
    public static final String HOST_KEYS_KNOWN = "HostKeysKnown";
    public static final String NODES_JOINED = "NodesJoined";
    public static final String NODES_LABELED = "NodesLabeled";
    public static final String READY = "Ready";

    private LabClusterConditions() {
    }
}
