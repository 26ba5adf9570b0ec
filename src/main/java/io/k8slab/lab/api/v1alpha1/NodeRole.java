package io.k8slab.lab.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The role label a node carries: {@code node-role.kubernetes.io/<role>=""}. */
public enum NodeRole {
    @JsonProperty("control-plane")
    CONTROL_PLANE("control-plane"),
    @JsonProperty("master")
    MASTER("master"),
    @JsonProperty("node")
    NODE("node"),
    @JsonProperty("worker")
    WORKER("worker");

    private final String label;

    NodeRole(String label) {
        this.label = label;
    }

    /** The role as it appears in the label key. */
    public String label() {
        return label;
    }

    /** Control-plane machines exist before the operator does (kubeadm init made them): never joined. */
    public boolean isControlPlane() {
        return this == CONTROL_PLANE || this == MASTER;
    }
}
