package io.k8slab.lab.nodes;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Sets the labels the operator owns on a Node with a server-side apply under its own field manager. The API
 * server then does the bookkeeping: a label the manager applied before and no longer applies is removed, and
 * labels other managers set (kubelet, kubectl) are never touched.
 */
public final class NodeLabeler {

    public static final String FIELD_MANAGER = "lab-operator-node-labels";

    private NodeLabeler() {
    }

    /** Applies {@code desired} unless the Node already carries exactly that set for this manager; returns whether it wrote. */
    public static boolean apply(KubernetesClient client, Node node, Map<String, String> desired) {
        if (!needsApply(node, desired)) {
            return false;
        }
        Node labels = new NodeBuilder().withNewMetadata().withName(node.getMetadata().getName()).withLabels(desired)
                .endMetadata().build();
        client.nodes().resource(labels).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
        return true;
    }

    /** Whether a label is missing or wrong, or the manager still owns one no longer desired. Pure. */
    static boolean needsApply(Node node, Map<String, String> desired) {
        return !carries(node, desired) || !desired.keySet().containsAll(ownedLabels(node));
    }

    /** Whether every desired label is on the Node with the right value. Pure. */
    static boolean carries(Node node, Map<String, String> desired) {
        Map<String, String> actual = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        return desired.entrySet().stream().allMatch(e -> e.getValue().equals(actual.get(e.getKey())));
    }

    /** The label keys this manager applied, read from managedFields. Pure. */
    static Set<String> ownedLabels(Node node) {
        Set<String> owned = new TreeSet<>();
        if (node.getMetadata().getManagedFields() == null) {
            return owned;
        }
        for (ManagedFieldsEntry entry : node.getMetadata().getManagedFields()) {
            if (FIELD_MANAGER.equals(entry.getManager()) && "Apply".equals(entry.getOperation()) && entry.getFieldsV1() != null
                    && entry.getFieldsV1().getAdditionalProperties().get("f:metadata") instanceof Map<?, ?> metadata
                    && metadata.get("f:labels") instanceof Map<?, ?> labels) {
                labels.keySet().stream().map(String::valueOf).filter(k -> k.startsWith("f:"))
                        .forEach(k -> owned.add(k.substring(2)));
            }
        }
        return owned;
    }
}
