package io.k8slab.lab.routes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

/**
 * What MetalLB's own status resources say (v0.15 and later, in MetalLB's namespace): from {@code ServiceBGPStatus},
 * one per Service and announcing node, the BGPPeers each node's speaker is configured to advertise the Service to;
 * from {@code ConfigurationState} (v0.15.3 and later; {@code controller} and {@code speaker-<node>}) whether each
 * component accepted its configuration, and MetalLB's own error when it did not. Pure function of the objects.
 *
 * @param advertised BGPPeer name, then Service (namespace/name), then the nodes (sorted)
 * @param configErrors "component: MetalLB's errorSummary" for each component whose result is Invalid, by name
 */
public record SpeakerView(Map<String, Map<String, SortedSet<String>>> advertised, List<String> configErrors) {

    public static final String GROUP = "metallb.io";
    public static final String VERSION = "v1beta1";
    public static final String SERVICE_BGP_STATUS = "ServiceBGPStatus";
    public static final String CONFIGURATION_STATE = "ConfigurationState";

    public static SpeakerView of(List<GenericKubernetesResource> serviceBgpStatuses, List<GenericKubernetesResource> configurationStates) {
        Map<String, Map<String, SortedSet<String>>> advertised = new TreeMap<>();
        for (GenericKubernetesResource status : serviceBgpStatuses) {
            Map<String, Object> fields = map(status.getAdditionalProperties().get("status"));
            Object node = fields.get("node");
            Object name = fields.get("serviceName");
            if (node == null || name == null || !(fields.get("peers") instanceof List<?> peers)) {
                continue; // created, its status not yet written
            }
            String service = ExpectedRoutes.key((String) fields.get("serviceNamespace"), name.toString());
            for (Object peer : peers) {
                advertised.computeIfAbsent(peer.toString(), p -> new TreeMap<>()).computeIfAbsent(service, s -> new TreeSet<>())
                        .add(node.toString());
            }
        }
        List<String> errors = new ArrayList<>();
        configurationStates.stream().sorted(java.util.Comparator.comparing(c -> c.getMetadata().getName())).forEach(state -> {
            Map<String, Object> fields = map(state.getAdditionalProperties().get("status"));
            if ("Invalid".equals(fields.get("result"))) {
                Object summary = fields.get("errorSummary");
                errors.add(state.getMetadata().getName() + ": " + (summary == null ? "invalid, without a message" : summary.toString().strip()));
            }
        });
        return new SpeakerView(advertised, List.copyOf(errors));
    }

    /** Per Service (namespace/name), the nodes whose speakers advertise it to the BGPPeer of that name. */
    public Map<String, SortedSet<String>> toPeer(String bgpPeerName) {
        return advertised.getOrDefault(bgpPeerName, Map.of());
    }

    /** The nodes advertising any of {@code services} to the BGPPeer, sorted. */
    static SortedSet<String> advertisers(Map<String, SortedSet<String>> byService, List<String> services) {
        SortedSet<String> nodes = new TreeSet<>();
        services.forEach(service -> nodes.addAll(byService.getOrDefault(service, new TreeSet<>())));
        return nodes;
    }

    /** How many Services {@code node} advertises to the BGPPeer. */
    static int servicesOf(Map<String, SortedSet<String>> byService, String node) {
        return (int) byService.values().stream().filter(nodes -> nodes.contains(node)).count();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }
}
