package io.k8slab.lab.testing;

import java.util.Map;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

/** Registers Node objects the way a kubelet does (the object, then a Ready status), and the speaker pods on them. */
public final class Nodes {

    private Nodes() {
    }

    public static Node registerReady(KubernetesClient client, String name, String address, String kubeletVersion) {
        Node node = client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
        node.setStatus(new io.fabric8.kubernetes.api.model.NodeStatusBuilder()
                .addNewAddress().withType("InternalIP").withAddress(address).endAddress()
                .addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady")
                .withMessage("kubelet is posting ready status").endCondition()
                .withNewNodeInfo().withKubeletVersion(kubeletVersion).endNodeInfo()
                .build());
        // A merge patch without resourceVersion, as the kubelet patches: the operator may label the Node in between.
        node.getMetadata().setResourceVersion(null);
        return client.nodes().resource(node).subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE));
    }

    /** A Ready MetalLB speaker pod on {@code node}, as its DaemonSet and the kubelet would leave it. */
    public static Pod readySpeaker(KubernetesClient client, String namespace, String name, String node, String hostIP, String image) {
        Pod pod = client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(name)
                .withLabels(Map.of("app", "metallb", "component", "speaker")).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("speaker").withImage(image).endContainer().endSpec()
                .build()).create();
        pod.setStatus(new PodStatusBuilder().withPhase("Running").addNewCondition().withType("Ready").withStatus("True").endCondition()
                .withHostIP(hostIP).build());
        return client.resource(pod).updateStatus();
    }
}
