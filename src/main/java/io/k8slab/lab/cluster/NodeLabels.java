package io.k8slab.lab.cluster;

import java.util.LinkedHashMap;
import java.util.Map;

/** The labels the operator owns on a Node: its role, its type and the spec's extra labels. */
public final class NodeLabels {

    public static final String ROLE_PREFIX = "node-role.kubernetes.io/";
    public static final String TYPE = "type";

    private NodeLabels() {
    }

    /** Labels set from role and type may not be given as extra labels too. */
    public static boolean isReserved(String key) {
        return key.equals(TYPE) || key.startsWith(ROLE_PREFIX);
    }

    /** What the node should carry: {@code node-role.kubernetes.io/<role>=""}, {@code type=<type>}, then the extras. */
    public static Map<String, String> desired(LabNode node) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(ROLE_PREFIX + node.role.label(), "");
        labels.put(TYPE, node.type == null ? "worker" : node.type);
        if (node.labels != null) {
            labels.putAll(node.labels);
        }
        return labels;
    }
}
