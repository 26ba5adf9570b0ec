package io.k8slab.lab.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.k8slab.lab.kube.GoDurations;
import io.k8slab.lab.kube.Networks;
import io.k8slab.lab.kube.Networks.Range;
import io.k8slab.lab.kube.Violation;

/**
 * The checks on a LabCluster that the OpenAPI schema cannot express: networks that overlap, addresses outside
 * the node network, labels that would fight the operator's own. Pure: spec in, violations out.
 */
public final class LabClusterValidator {

    /** Shortest token lifetime worth issuing: a join takes about a minute. */
    static final Duration MIN_TOKEN_TTL = Duration.ofMinutes(2);

    private LabClusterValidator() {
    }

    public static List<Violation> validate(LabClusterSpec spec) {
        List<Violation> violations = new ArrayList<>();
        Map<String, Range> networks = networks(spec.networks, violations);
        checkOverlaps(networks, violations);
        checkNodes(spec.nodes == null ? List.of() : spec.nodes, networks.get("nodeCIDR"), violations);
        checkJoin(spec.join, violations);
        return violations;
    }

    private static Map<String, Range> networks(LabNetworks networks, List<Violation> violations) {
        Map<String, Range> parsed = new java.util.LinkedHashMap<>();
        if (networks == null) {
            violations.add(new Violation("spec.networks", "MissingNetworks", "the node, pod and service networks are required"));
            return parsed;
        }
        Map<String, String> byField = new java.util.LinkedHashMap<>();
        byField.put("nodeCIDR", networks.nodeCIDR);
        byField.put("podCIDR", networks.podCIDR);
        byField.put("serviceCIDR", networks.serviceCIDR);
        byField.forEach((field, value) -> {
            Optional<Range> range = Networks.parseCIDR(value);
            if (range.isPresent()) {
                parsed.put(field, range.get());
            } else {
                violations.add(new Violation("spec.networks." + field, "InvalidCIDR", "'" + value + "' is not an IPv4 CIDR"));
            }
        });
        return parsed;
    }

    private static void checkOverlaps(Map<String, Range> networks, List<Violation> violations) {
        List<String> fields = new ArrayList<>(networks.keySet());
        for (int i = 0; i < fields.size(); i++) {
            for (int j = i + 1; j < fields.size(); j++) {
                Range a = networks.get(fields.get(i));
                Range b = networks.get(fields.get(j));
                if (a.overlaps(b)) {
                    violations.add(new Violation("spec.networks." + fields.get(j), "NetworksOverlap",
                            fields.get(j) + " " + b + " overlaps " + fields.get(i) + " " + a
                                    + "; the node, pod and service networks must be disjoint"));
                }
            }
        }
    }

    private static void checkNodes(List<LabNode> nodes, Range nodeNetwork, List<Violation> violations) {
        Map<String, String> nodeByAddress = new HashMap<>();
        for (LabNode node : nodes) {
            String field = "spec.nodes[" + node.name + "]";
            String previous = nodeByAddress.putIfAbsent(node.address, node.name);
            if (previous != null) {
                violations.add(new Violation(field + ".address", "DuplicateAddress",
                        "address " + node.address + " is already used by node " + previous));
            }
            Optional<Long> address = Networks.parseIPv4(node.address);
            if (address.isEmpty()) {
                violations.add(new Violation(field + ".address", "InvalidAddress", "'" + node.address + "' is not an IPv4 address"));
            } else if (nodeNetwork != null && !nodeNetwork.contains(address.get())) {
                violations.add(new Violation(field + ".address", "AddressOutsideNodeNetwork",
                        node.address + " is outside spec.networks.nodeCIDR " + nodeNetwork
                                + "; use the machine's lab address, not its NAT one"));
            }
            if (node.labels != null) {
                node.labels.keySet().stream().filter(NodeLabels::isReserved).forEach(key -> violations.add(new Violation(
                        field + ".labels", "ReservedLabel",
                        "label '" + key + "' is set by the operator from role, type and cluster; remove it from labels")));
            }
        }
    }

    private static void checkJoin(JoinSettings join, List<Violation> violations) {
        if (join == null || join.tokenTTL == null) {
            return;
        }
        Optional<Duration> ttl = GoDurations.parse(join.tokenTTL);
        if (ttl.isEmpty()) {
            violations.add(new Violation("spec.join.tokenTTL", "InvalidDuration", "'" + join.tokenTTL + "' is not a duration such as 30m"));
        } else if (ttl.get().compareTo(MIN_TOKEN_TTL) < 0) {
            violations.add(new Violation("spec.join.tokenTTL", "TokenTTLTooShort",
                    join.tokenTTL + " is shorter than " + MIN_TOKEN_TTL.toMinutes() + "m, too short for a join"));
        }
    }
}
