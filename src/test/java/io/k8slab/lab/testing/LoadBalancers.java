package io.k8slab.lab.testing;

import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/** LoadBalancer Services as MetalLB's controller leaves them (an ingress IP), and their endpoints. */
public final class LoadBalancers {

    private LoadBalancers() {
    }

    /** A Cluster-policy LoadBalancer Service on port 80 that has been given {@code ip}. */
    public static Service assigned(KubernetesClient client, String namespace, String name, String ip) {
        Service service = client.services().inNamespace(namespace).resource(new ServiceBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withType("LoadBalancer").withExternalTrafficPolicy("Cluster").addNewPort().withPort(80).endPort()
                .endSpec().build()).create();
        service.setStatus(new ServiceStatusBuilder().withNewLoadBalancer().addNewIngress().withIp(ip).endIngress().endLoadBalancer().build());
        return client.resource(service).updateStatus();
    }

    /**
     * One ready endpoint of the Service on {@code node}: no controller manager runs here to make it, and from v0.8
     * on MetalLB announces a Cluster-policy Service only while it has one.
     */
    public static void readyEndpoint(KubernetesClient client, String namespace, String service, String podIP, String node) {
        client.resource(new EndpointsBuilder().withNewMetadata().withName(service).withNamespace(namespace).endMetadata()
                .addNewSubset().addNewAddress().withIp(podIP).withNodeName(node).endAddress()
                .addNewPort().withPort(80).endPort().endSubset().build()).create();
    }
}
