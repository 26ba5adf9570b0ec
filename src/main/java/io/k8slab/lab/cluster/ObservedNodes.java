package io.k8slab.lab.cluster;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Node;
import io.k8slab.lab.api.v1alpha1.LabNode;
import io.k8slab.lab.api.v1alpha1.NodeRemovalPolicy;
import io.k8slab.lab.api.v1alpha1.NodeStatus;

/**
 * The registered Nodes by name; the spec's workers that have none (to be joined); the Nodes this LabCluster
 * labelled that left the spec (to be removed, unless the policy is Orphan); the previous status entries.
 */
record ObservedNodes(Map<String, Node> registered, List<LabNode> unjoined, List<Node> dropped,
        NodeRemovalPolicy removalPolicy, Map<String, NodeStatus> previous) {

    boolean needsSsh() {
        return !unjoined.isEmpty() || resets();
    }

    boolean resets() {
        return removalPolicy == NodeRemovalPolicy.DrainAndReset && !dropped.isEmpty();
    }
}
