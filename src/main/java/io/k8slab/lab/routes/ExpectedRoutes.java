package io.k8slab.lab.routes;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.k8slab.lab.api.v1alpha1.AddressPool;
import io.k8slab.lab.api.v1alpha1.BgpPeer;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolSpec;
import io.k8slab.lab.api.v1alpha1.PoolProtocol;
import io.k8slab.lab.kube.Networks;
import io.k8slab.lab.kube.Networks.Range;
import io.k8slab.lab.metallb.MetalLbModel;

/**
 * What a router should hold for a BgpPeerPool: one prefix per LoadBalancer IP in the pool's BGP ranges (a /32, or
 * the IP's aggregate per each advertisement's aggregation length), each with one next hop per node whose speaker
 * announces it. A speaker node is a node with a ready speaker pod, selected by the peer's node selector, and its
 * next hop is its InternalIP (the address it peers from). Which speakers announce a Service follows MetalLB's rules,
 * see {@link SpeakerBehaviour}. Pure function of the objects passed in.
 */
public final class ExpectedRoutes {

    /** The label EndpointSlices carry to name their Service. */
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    /** The topology key v1beta1 EndpointSlices name an endpoint's node with. */
    static final String HOSTNAME_TOPOLOGY = "kubernetes.io/hostname";

    private ExpectedRoutes() {
    }

    /**
     * The cluster objects the computation reads. Speaker pods are MetalLB's speaker DaemonSet pods (in v0.7.3's
     * manifest: namespace metallb-system, labels app=metallb, component=speaker). Endpoints are what MetalLB before
     * v0.10 reads, EndpointSlices what later releases read (see {@link EndpointSource}); either or both may be given.
     */
    public record Cluster(List<Service> services, List<Node> nodes, List<Pod> speakerPods, List<Endpoints> endpoints,
            List<EndpointSlice> endpointSlices) {

        public Cluster {
            services = services == null ? List.of() : services;
            nodes = nodes == null ? List.of() : nodes;
            speakerPods = speakerPods == null ? List.of() : speakerPods;
            endpoints = endpoints == null ? List.of() : endpoints;
            endpointSlices = endpointSlices == null ? List.of() : endpointSlices;
        }
    }

    /** A node whose speaker should peer with the router, and the address it peers from. */
    public record Speaker(String node, String address) {
    }

    /**
     * A prefix the router should hold.
     *
     * @param prefix e.g. 172.17.254.1/32
     * @param services the Services (namespace/name) whose IPs the prefix carries, sorted
     * @param nextHops the speaker addresses that should announce it, in address order; empty when no speaker
     *        should (no ready speaker, or a Local Service without ready local endpoints): the route is then Missing
     */
    public record Route(String prefix, List<String> services, List<String> nextHops) {
    }

    /**
     * @param speakers the speaker nodes that should peer with the router, in address order
     * @param routes the expected routes, in prefix order
     * @param ranges the pool's BGP address ranges (for telling which of the router's prefixes belong to the pool)
     * @param notes why something the cluster holds is left out (a ready speaker on a node without InternalIP, ...)
     */
    public record Result(List<Speaker> speakers, List<Route> routes, List<Range> ranges, List<String> notes) {
    }

    /** As {@link #compute(BgpPeerPoolSpec, BgpPeer, Cluster, SpeakerBehaviour)}, with the spec's MetalLB version's rules. */
    public static Result compute(BgpPeerPoolSpec spec, BgpPeer peer, Cluster cluster) {
        String version = spec.metallb == null ? null : spec.metallb.version;
        return compute(spec, peer, cluster, SpeakerBehaviour.forVersion(version));
    }

    /**
     * @param peer the router the routes are expected at: only nodes its node selector picks peer with it; null for
     *        every speaker node
     */
    public static Result compute(BgpPeerPoolSpec spec, BgpPeer peer, Cluster cluster, SpeakerBehaviour behaviour) {
        List<String> notes = new ArrayList<>();
        List<Speaker> speakers = speakers(peer, cluster, notes);
        Map<String, String> addressByNode = new HashMap<>();
        speakers.forEach(s -> addressByNode.put(s.node(), s.address()));

        List<PoolBlock> blocks = blocks(spec);
        Map<String, ServiceEndpoints> endpoints = endpoints(cluster);

        Map<Long, Aggregate> byPrefix = new TreeMap<>(); // key: address << 6 | length, i.e. prefix order
        for (Service service : cluster.services()) {
            if (service.getSpec() == null || !"LoadBalancer".equals(service.getSpec().getType())) {
                continue;
            }
            List<LoadBalancerIngress> ingress = service.getStatus() == null || service.getStatus().getLoadBalancer() == null
                    || service.getStatus().getLoadBalancer().getIngress() == null ? List.of()
                            : service.getStatus().getLoadBalancer().getIngress();
            String key = key(service.getMetadata().getNamespace(), service.getMetadata().getName());
            List<PoolBlock> matched = new ArrayList<>();
            List<Long> ips = new ArrayList<>();
            for (LoadBalancerIngress entry : ingress) {
                Optional<Long> ip = Networks.parseIPv4(entry.getIp());
                if (ip.isEmpty()) {
                    continue;
                }
                PoolBlock block = blockFor(blocks, ip.get());
                if (block != null) {
                    matched.add(block);
                    ips.add(ip.get());
                }
            }
            if (ips.isEmpty()) {
                continue;
            }
            if (behaviour.singleIngressOnly() && ingress.size() != 1) {
                notes.add("service " + key + " has " + ingress.size() + " ingress IPs; this MetalLB announces none of them");
                continue;
            }
            List<String> nextHops = announcers(service, endpoints.get(key), speakers, behaviour);
            for (int i = 0; i < ips.size(); i++) {
                for (int length : matched.get(i).aggregationLengths()) {
                    long prefixKey = prefixKey(ips.get(i), length);
                    byPrefix.computeIfAbsent(prefixKey, k -> new Aggregate()).add(key, nextHops);
                }
            }
        }

        List<Route> routes = new ArrayList<>(byPrefix.size());
        byPrefix.forEach((prefixKey, aggregate) -> routes.add(new Route(
                Networks.prefix(prefixKey >>> 6, (int) (prefixKey & 63)),
                List.copyOf(aggregate.services), sortedAddresses(aggregate.nextHops))));
        List<Range> ranges = blocks.stream().map(PoolBlock::range).toList();
        return new Result(speakers, routes, ranges, notes);
    }

    // ---- speakers ----

    private static List<Speaker> speakers(BgpPeer peer, Cluster cluster, List<String> notes) {
        Map<String, Node> nodes = new HashMap<>();
        for (Node node : cluster.nodes()) {
            nodes.put(node.getMetadata().getName(), node);
        }
        Set<String> readyNodes = new TreeSet<>();
        for (Pod pod : cluster.speakerPods()) {
            if (podReady(pod)) {
                readyNodes.add(pod.getSpec().getNodeName());
            }
        }
        List<Speaker> speakers = new ArrayList<>();
        for (String name : readyNodes) {
            Node node = nodes.get(name);
            if (node == null) {
                notes.add("speaker pod on node " + name + ", which does not exist");
                continue;
            }
            if (!selected(peer, node)) {
                continue;
            }
            Optional<String> address = internalIP(node);
            if (address.isEmpty()) {
                notes.add("node " + name + " runs a ready speaker but has no IPv4 InternalIP to peer from");
                continue;
            }
            speakers.add(new Speaker(name, address.get()));
        }
        speakers.sort((a, b) -> Networks.ADDRESS_ORDER.compare(a.address(), b.address()));
        return List.copyOf(speakers);
    }

    static boolean podReady(Pod pod) {
        if (pod.getSpec() == null || pod.getSpec().getNodeName() == null || pod.getStatus() == null
                || pod.getMetadata().getDeletionTimestamp() != null) {
            return false;
        }
        if (pod.getStatus().getConditions() == null) {
            return false;
        }
        for (PodCondition condition : pod.getStatus().getConditions()) {
            if ("Ready".equals(condition.getType())) {
                return "True".equals(condition.getStatus());
            }
        }
        return false;
    }

    private static boolean selected(BgpPeer peer, Node node) {
        if (peer == null || peer.nodeSelector == null || peer.nodeSelector.isEmpty()) {
            return true;
        }
        Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        return peer.nodeSelector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    /**
     * Whether a Node's change can change the expected routes: they read its IPv4 InternalIP and, of its labels,
     * only those the peers select speakers' nodes by ({@code selectorKeys}). Labels the lab writes for other
     * reasons, status heartbeats and the rest move no route. Pure.
     */
    public static boolean movesRoutes(Node before, Node after, Set<String> selectorKeys) {
        if (!internalIP(before).equals(internalIP(after))) {
            return true;
        }
        Map<String, String> was = before.getMetadata().getLabels() == null ? Map.of() : before.getMetadata().getLabels();
        Map<String, String> is = after.getMetadata().getLabels() == null ? Map.of() : after.getMetadata().getLabels();
        return selectorKeys.stream().anyMatch(key -> !Objects.equals(was.get(key), is.get(key)));
    }

    /** The label keys the pools' peers select nodes by. Pure. */
    public static Set<String> selectorKeys(Stream<BgpPeerPool> pools) {
        Set<String> keys = new TreeSet<>();
        pools.forEach(pool -> Optional.ofNullable(pool.getSpec().peers).orElse(List.of()).stream()
                .filter(peer -> peer.nodeSelector != null).forEach(peer -> keys.addAll(peer.nodeSelector.keySet())));
        return keys;
    }

    static Optional<String> internalIP(Node node) {
        if (node.getStatus() == null || node.getStatus().getAddresses() == null) {
            return Optional.empty();
        }
        for (NodeAddress address : node.getStatus().getAddresses()) {
            if ("InternalIP".equals(address.getType()) && Networks.parseIPv4(address.getAddress()).isPresent()) {
                return Optional.of(address.getAddress());
            }
        }
        return Optional.empty();
    }

    // ---- endpoints ----

    /** Per Service: whether some endpoint is ready, and the nodes with a ready one. */
    private static final class ServiceEndpoints {
        boolean anyReady;
        final Set<String> readyNodes = new HashSet<>();
    }

    private static Map<String, ServiceEndpoints> endpoints(Cluster cluster) {
        Map<String, ServiceEndpoints> result = new HashMap<>();
        for (Endpoints endpoints : cluster.endpoints()) {
            ServiceEndpoints service = result.computeIfAbsent(
                    key(endpoints.getMetadata().getNamespace(), endpoints.getMetadata().getName()), k -> new ServiceEndpoints());
            if (endpoints.getSubsets() == null) {
                continue;
            }
            // As MetalLB reads them: an IP is ready unless some subset lists it as not ready.
            Map<String, String> nodeByIP = new HashMap<>();
            Map<String, Boolean> readyByIP = new LinkedHashMap<>();
            for (EndpointSubset subset : endpoints.getSubsets()) {
                for (EndpointAddress address : nullSafe(subset.getAddresses())) {
                    readyByIP.putIfAbsent(address.getIp(), true);
                    nodeByIP.putIfAbsent(address.getIp(), address.getNodeName());
                }
                for (EndpointAddress address : nullSafe(subset.getNotReadyAddresses())) {
                    readyByIP.put(address.getIp(), false);
                }
            }
            readyByIP.forEach((ip, ready) -> {
                if (ready) {
                    service.anyReady = true;
                    if (nodeByIP.get(ip) != null) {
                        service.readyNodes.add(nodeByIP.get(ip));
                    }
                }
            });
        }
        for (EndpointSlice slice : cluster.endpointSlices()) {
            Map<String, String> labels = slice.getMetadata().getLabels();
            String serviceName = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
            if (serviceName == null) {
                continue;
            }
            ServiceEndpoints service = result.computeIfAbsent(key(slice.getMetadata().getNamespace(), serviceName),
                    k -> new ServiceEndpoints());
            for (Endpoint endpoint : nullSafe(slice.getEndpoints())) {
                boolean ready = endpoint.getConditions() == null || endpoint.getConditions().getReady() == null
                        || endpoint.getConditions().getReady();
                if (ready) {
                    service.anyReady = true;
                    if (endpoint.getNodeName() != null) {
                        service.readyNodes.add(endpoint.getNodeName());
                    }
                }
            }
        }
        return result;
    }

    /**
     * A discovery.k8s.io/v1beta1 slice (what Kubernetes 1.17 to 1.20 serve) in v1's shape, with the fields read here:
     * each endpoint's addresses and ready condition, and its node, which MetalLB v0.10 to v0.12 take from the
     * {@code kubernetes.io/hostname} topology key (v1beta1's nodeName, 1.20's alpha, when that is absent).
     */
    public static EndpointSlice fromV1beta1(io.fabric8.kubernetes.api.model.discovery.v1beta1.EndpointSlice slice) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (var endpoint : nullSafe(slice.getEndpoints())) {
            Map<String, String> topology = endpoint.getTopology() == null ? Map.of() : endpoint.getTopology();
            endpoints.add(new io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder()
                    .withAddresses(endpoint.getAddresses())
                    .withNewConditions().withReady(endpoint.getConditions() == null ? null : endpoint.getConditions().getReady()).endConditions()
                    .withNodeName(topology.getOrDefault(HOSTNAME_TOPOLOGY, endpoint.getNodeName()))
                    .build());
        }
        return new io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder().withMetadata(slice.getMetadata())
                .withAddressType(slice.getAddressType()).withEndpoints(endpoints).build();
    }

    private static List<String> announcers(Service service, ServiceEndpoints endpoints, List<Speaker> speakers,
            SpeakerBehaviour behaviour) {
        boolean local = "Local".equals(service.getSpec().getExternalTrafficPolicy());
        List<String> nextHops = new ArrayList<>();
        if (local) {
            if (endpoints != null) {
                for (Speaker speaker : speakers) {
                    if (endpoints.readyNodes.contains(speaker.node())) {
                        nextHops.add(speaker.address());
                    }
                }
            }
        } else if (!behaviour.clusterPolicyNeedsEndpoint() || (endpoints != null && endpoints.anyReady)) {
            speakers.forEach(speaker -> nextHops.add(speaker.address()));
        }
        return nextHops;
    }

    // ---- pools ----

    /** One CIDR or range of a BGP pool and the aggregation lengths its advertisements announce it with. */
    private record PoolBlock(Range range, int[] aggregationLengths) {
    }

    private static List<PoolBlock> blocks(BgpPeerPoolSpec spec) {
        List<PoolBlock> blocks = new ArrayList<>();
        for (AddressPool given : nullSafe(spec.addressPools)) {
            MetalLbModel.Pool pool = MetalLbModel.Pool.of(given);
            if (pool.protocol() != PoolProtocol.bgp) {
                continue;
            }
            int[] lengths = aggregationLengths(pool);
            pool.ranges().forEach(range -> blocks.add(new PoolBlock(range, lengths)));
        }
        return blocks;
    }

    /** From the model the renderers write, so the routes expected are the ones MetalLB announces. */
    private static int[] aggregationLengths(MetalLbModel.Pool pool) {
        return pool.announced().stream()
                .mapToInt(MetalLbModel.Advertisement::aggregationLength)
                .filter(length -> length >= 0 && length <= MetalLbModel.MAX_AGGREGATION_LENGTH)
                .distinct().toArray();
    }

    private static PoolBlock blockFor(List<PoolBlock> blocks, long ip) {
        for (PoolBlock block : blocks) {
            if (block.range().contains(ip)) {
                return block;
            }
        }
        return null;
    }

    // ---- helpers ----

    private static final class Aggregate {
        final Set<String> services = new TreeSet<>();
        final Set<String> nextHops = new HashSet<>();

        void add(String service, Collection<String> hops) {
            services.add(service);
            nextHops.addAll(hops);
        }
    }

    private static long prefixKey(long ip, int length) {
        long mask = length == 0 ? 0 : (0xFFFFFFFFL << (32 - length)) & 0xFFFFFFFFL;
        return (ip & mask) << 6 | length;
    }

    static List<String> sortedAddresses(Collection<String> addresses) {
        List<String> sorted = new ArrayList<>(addresses);
        sorted.sort(Networks.ADDRESS_ORDER);
        return List.copyOf(sorted);
    }

    static String key(String namespace, String name) {
        return (namespace == null ? "default" : namespace) + "/" + name;
    }

    private static <T> List<T> nullSafe(List<T> list) {
        return list == null ? List.of() : list;
    }
}
