package io.k8slab.lab.cluster;

import java.util.LinkedHashMap;
import java.util.Map;

import io.k8slab.lab.api.v1alpha1.LabNode;
import io.k8slab.lab.join.BootstrapTokenIssuer;

/** The labels the operator owns on a Node: its role, its type, the spec's extra labels and which LabCluster it is in. */
public final class NodeLabels {

    public static final String ROLE_PREFIX = "node-role.kubernetes.io/";
    public static final String TYPE = "type";
    /** Marks the Nodes a LabCluster labelled, so a node dropped from the spec is found again for removal. */
    public static final String CLUSTER = BootstrapTokenIssuer.CLUSTER_LABEL;

    private NodeLabels() {
    }

    /** Labels set from role, type and membership may not be given as extra labels too. */
    public static boolean isReserved(String key) {
        return key.equals(TYPE) || key.startsWith(ROLE_PREFIX) || key.equals(CLUSTER);
    }

    /** What the node should carry: {@code node-role.kubernetes.io/<role>=""}, {@code type=<type>}, then the extras. */
    public static Map<String, String> desired(LabNode node) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(ROLE_PREFIX + node.role.label(), "");
        labels.put(TYPE, node.type == null ? LabNode.DEFAULT_TYPE : node.type);
        if (node.labels != null) {
            labels.putAll(node.labels);
        }
        return labels;
    }

    /** {@link #desired} plus the membership label of {@code cluster}: everything the operator applies. */
    public static Map<String, String> owned(LabNode node, String cluster) {
        Map<String, String> labels = desired(node);
        labels.put(CLUSTER, cluster);
        return labels;
    }
}
