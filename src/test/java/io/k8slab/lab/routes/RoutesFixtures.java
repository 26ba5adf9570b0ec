package io.k8slab.lab.routes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.EndpointAddressBuilder;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.k8slab.lab.api.v1alpha1.AddressPool;
import io.k8slab.lab.api.v1alpha1.BgpAdvertisement;
import io.k8slab.lab.api.v1alpha1.BgpPeer;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolSpec;
import io.k8slab.lab.api.v1alpha1.PoolProtocol;

/** Cluster objects for the route tests, shaped like the reference lab's. */
public final class RoutesFixtures {

    private RoutesFixtures() {
    }

    public static BgpPeer peer(String name, String address, long asn) {
        BgpPeer peer = new BgpPeer();
        peer.name = name;
        peer.address = address;
        peer.asn = asn;
        return peer;
    }

    public static AddressPool pool(String name, PoolProtocol protocol, List<String> addresses, Integer... aggregationLengths) {
        AddressPool pool = new AddressPool();
        pool.name = name;
        pool.protocol = protocol;
        pool.addresses = addresses;
        if (aggregationLengths.length > 0) {
            pool.advertisements = new ArrayList<>();
            for (Integer length : aggregationLengths) {
                BgpAdvertisement advertisement = new BgpAdvertisement();
                advertisement.aggregationLength = length;
                pool.advertisements.add(advertisement);
            }
        }
        return pool;
    }

    /** The reference lab: MetalLB AS 64522, rt-01 (172.17.0.1, AS 64512), pool my-ip-space 172.17.254.0/24. */
    public static BgpPeerPoolSpec referenceSpec() {
        BgpPeerPoolSpec spec = new BgpPeerPoolSpec();
        spec.myASN = 64522L;
        spec.peers = List.of(peer("rt-01", "172.17.0.1", 64512));
        spec.addressPools = List.of(pool("my-ip-space", PoolProtocol.bgp, List.of("172.17.254.0/24")));
        return spec;
    }

    /** Builds the objects ExpectedRoutes reads. */
    public static final class ClusterBuilder {
        private final List<Service> services = new ArrayList<>();
        private final List<Node> nodes = new ArrayList<>();
        private final List<Pod> pods = new ArrayList<>();
        private final List<Endpoints> endpoints = new ArrayList<>();
        private final List<EndpointSlice> slices = new ArrayList<>();

        public ClusterBuilder node(String name, String internalIP) {
            return node(name, internalIP, Map.of());
        }

        public ClusterBuilder node(String name, String internalIP, Map<String, String> labels) {
            var status = new io.fabric8.kubernetes.api.model.NodeStatusBuilder().addNewAddress().withType("Hostname")
                    .withAddress(name).endAddress();
            if (internalIP != null) {
                status.addNewAddress().withType("InternalIP").withAddress(internalIP).endAddress();
            }
            nodes.add(new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                    .withStatus(status.build()).build());
            return this;
        }

        /** A ready speaker pod on the node. */
        public ClusterBuilder speaker(String node) {
            return speaker(node, true);
        }

        public ClusterBuilder speaker(String node, boolean ready) {
            pods.add(new PodBuilder().withNewMetadata().withNamespace("metallb-system").withName("speaker-" + node)
                    .withLabels(Map.of("app", "metallb", "component", "speaker")).endMetadata()
                    .withNewSpec().withNodeName(node).endSpec()
                    .withNewStatus().withPhase("Running").addNewCondition().withType("Ready")
                    .withStatus(ready ? "True" : "False").endCondition().endStatus()
                    .build());
            return this;
        }

        public ClusterBuilder service(String namespace, String name, String ingressIP, String trafficPolicy) {
            ServiceBuilder service = new ServiceBuilder().withNewMetadata().withNamespace(namespace).withName(name)
                    .endMetadata().withNewSpec().withType("LoadBalancer").withExternalTrafficPolicy(trafficPolicy)
                    .endSpec();
            if (ingressIP != null) {
                service.withNewStatus().withNewLoadBalancer().addNewIngress().withIp(ingressIP).endIngress()
                        .endLoadBalancer().endStatus();
            }
            services.add(service.build());
            return this;
        }

        public ClusterBuilder service(Service service) {
            services.add(service);
            return this;
        }

        /** Endpoints (as MetalLB v0.7.3 reads them): ready addresses on the nodes named, then not-ready ones. */
        public ClusterBuilder endpoints(String namespace, String name, List<String> readyNodes, List<String> notReadyNodes) {
            EndpointsBuilder builder = new EndpointsBuilder().withNewMetadata().withNamespace(namespace).withName(name)
                    .endMetadata();
            var subset = builder.addNewSubset();
            int i = 1;
            for (String node : readyNodes) {
                subset.addToAddresses(new EndpointAddressBuilder().withIp("10.244." + i + ".10").withNodeName(node).build());
                i++;
            }
            for (String node : notReadyNodes) {
                subset.addToNotReadyAddresses(new EndpointAddressBuilder().withIp("10.244." + i + ".10").withNodeName(node).build());
                i++;
            }
            endpoints.add(subset.endSubset().build());
            return this;
        }

        /** One EndpointSlice: ready endpoints on the nodes named, then not-ready ones. */
        public ClusterBuilder endpointSlice(String namespace, String service, List<String> readyNodes, List<String> notReadyNodes) {
            EndpointSliceBuilder builder = new EndpointSliceBuilder().withNewMetadata().withNamespace(namespace)
                    .withName(service + "-abcde").withLabels(Map.of("kubernetes.io/service-name", service)).endMetadata()
                    .withAddressType("IPv4");
            int i = 1;
            for (String node : readyNodes) {
                builder.addToEndpoints(new EndpointBuilder().withAddresses("10.244." + i + ".20").withNodeName(node)
                        .withNewConditions().withReady(true).endConditions().build());
                i++;
            }
            for (String node : notReadyNodes) {
                builder.addToEndpoints(new EndpointBuilder().withAddresses("10.244." + i + ".20").withNodeName(node)
                        .withNewConditions().withReady(false).endConditions().build());
                i++;
            }
            slices.add(builder.build());
            return this;
        }

        public ExpectedRoutes.Cluster build() {
            return new ExpectedRoutes.Cluster(services, nodes, pods, endpoints, slices);
        }
    }
}
