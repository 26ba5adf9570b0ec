package io.k8slab.lab.testing;

import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8slab.lab.routes.ExpectedRoutes;

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
     * One ready endpoint of the Service on {@code node}, as both of a real cluster's controllers record it (no
     * controller manager runs here to make them): v1 Endpoints, which MetalLB before v0.10 reads, and an EndpointSlice
     * labelled with the Service's name, in discovery.k8s.io/v1 where the server serves it, else v1beta1 (Kubernetes
     * 1.20, the tests' API server), naming the node as 1.20's controller does (topology kubernetes.io/hostname). From
     * v0.8 on MetalLB announces a Cluster-policy Service only while it has one.
     */
    public static void readyEndpoint(KubernetesClient client, String namespace, String service, String podIP, String node) {
        client.resource(new EndpointsBuilder().withNewMetadata().withName(service).withNamespace(namespace).endMetadata()
                .addNewSubset().addNewAddress().withIp(podIP).withNodeName(node).endAddress()
                .addNewPort().withPort(80).endPort().endSubset().build()).create();
        if (client.supports(EndpointSlice.class)) {
            client.resource(new io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder().withNewMetadata().withName(service + "-slice").withNamespace(namespace)
                    .addToLabels(ExpectedRoutes.SERVICE_NAME_LABEL, service).endMetadata()
                    .withAddressType("IPv4").addNewEndpoint().withAddresses(podIP).withNodeName(node).withNewConditions().withReady(true)
                    .endConditions().endEndpoint().addNewPort().withPort(80).endPort().build()).create();
        } else {
            client.resource(new io.fabric8.kubernetes.api.model.discovery.v1beta1.EndpointSliceBuilder().withNewMetadata().withName(service + "-slice").withNamespace(namespace)
                    .addToLabels(ExpectedRoutes.SERVICE_NAME_LABEL, service).endMetadata()
                    .withAddressType("IPv4").addNewEndpoint().withAddresses(podIP).addToTopology("kubernetes.io/hostname", node)
                    .withNewConditions().withReady(true).endConditions().endEndpoint().addNewPort().withPort(80).endPort().build()).create();
        }
    }

    /** Deletes what {@link #readyEndpoint} made for the Service. */
    public static void deleteEndpoints(KubernetesClient client, String namespace, String service) {
        client.endpoints().inNamespace(namespace).withName(service).delete();
        if (client.supports(EndpointSlice.class)) {
            client.resources(EndpointSlice.class).inNamespace(namespace).withName(service + "-slice").delete();
        } else {
            client.resources(io.fabric8.kubernetes.api.model.discovery.v1beta1.EndpointSlice.class).inNamespace(namespace)
                    .withName(service + "-slice").delete();
        }
    }
}
