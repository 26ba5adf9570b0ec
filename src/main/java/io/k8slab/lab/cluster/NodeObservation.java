package io.k8slab.lab.cluster;

import java.util.Map;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;

/** What a registered Node object says about one node of the spec. Pure. */
public final class NodeObservation {

    private NodeObservation() {
    }

    /** The node's entry in status, from its Node object if one is registered. */
    public static NodeStatus observe(LabNode node, Optional<Node> registered) {
        NodeStatus status = new NodeStatus();
        status.name = node.name;
        if (registered.isEmpty()) {
            status.phase = NodePhase.Pending;
            status.message = node.role.isControlPlane()
                    ? "control-plane node not registered; it is set up by kubeadm init, not joined"
                    : "not registered yet";
            return status;
        }
        Node object = registered.get();
        status.kubeletVersion = object.getStatus() == null || object.getStatus().getNodeInfo() == null
                ? null
                : object.getStatus().getNodeInfo().getKubeletVersion();
        boolean ready = isReady(object);
        status.phase = ready ? NodePhase.Ready : NodePhase.Registered;
        status.message = ready ? "registered and Ready" : "registered, kubelet not Ready yet";
        return status;
    }

    public static boolean isReady(Node node) {
        return node.getStatus() != null && node.getStatus().getConditions() != null
                && node.getStatus().getConditions().stream()
                        .filter(c -> "Ready".equals(c.getType()))
                        .map(NodeCondition::getStatus)
                        .anyMatch("True"::equals);
    }

    /** Whether every label the operator owns is on the Node with the right value. */
    public static boolean hasLabels(Node node, Map<String, String> desired) {
        Map<String, String> actual = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        return desired.entrySet().stream().allMatch(e -> e.getValue().equals(actual.get(e.getKey())));
    }
}
