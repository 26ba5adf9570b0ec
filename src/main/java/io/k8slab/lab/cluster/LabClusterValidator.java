package io.k8slab.lab.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.k8slab.lab.api.v1alpha1.JoinSettings;
import io.k8slab.lab.api.v1alpha1.LabCluster;
import io.k8slab.lab.api.v1alpha1.LabClusterSpec;
import io.k8slab.lab.api.v1alpha1.LabNetworks;
import io.k8slab.lab.api.v1alpha1.LabNode;
import io.k8slab.lab.kube.GoDurations;
import io.k8slab.lab.kube.LabelSyntax;
import io.k8slab.lab.kube.Networks;
import io.k8slab.lab.kube.Networks.Range;
import io.k8slab.lab.kube.Violation;

/**
 * The checks on a LabCluster that the OpenAPI schema cannot express: its name (a label value on its Nodes and
 * tokens), networks that overlap, addresses outside the node network, labels that are no Kubernetes labels or would
 * fight the operator's own, token lifetimes and ports out of range. Pure: name and spec in, violations out.
 */
public final class LabClusterValidator {

    /** Shortest token lifetime worth issuing: a join takes about a minute. */
    static final Duration MIN_TOKEN_TTL = Duration.ofMinutes(2);
    /** kubeadm's own default token lifetime; a longer-lived token is a standing credential. */
    static final Duration MAX_TOKEN_TTL = Duration.ofHours(24);

    private LabClusterValidator() {
    }

    public static List<Violation> validate(String name, LabClusterSpec spec) {
        List<Violation> violations = new ArrayList<>();
        if (name != null && name.length() > LabelSyntax.MAX_NAME) {
            violations.add(new Violation("metadata.name", "NameTooLong", "the LabCluster's name has " + name.length()
                    + " characters; at most " + LabelSyntax.MAX_NAME + ", as it becomes a label value on its Nodes and tokens"));
        }
        checkEndpoint(spec.controlPlaneEndpoint, violations);
        Map<String, Range> networks = networks(spec.networks, violations);
        checkOverlaps(networks, violations);
        checkNodes(spec.nodes == null ? List.of() : spec.nodes, networks.get("nodeCIDR"), violations);
        checkJoin(spec.join, violations);
        if (spec.nodeDrainTimeout != null && GoDurations.parse(spec.nodeDrainTimeout).filter(d -> !d.isZero()).isEmpty()) {
            violations.add(new Violation("spec.nodeDrainTimeout", "InvalidDuration",
                    "'" + spec.nodeDrainTimeout + "' is not a duration above 0s such as 10m"));
        }
        return violations;
    }

    static final String CLAIMED = "NodeClaimedByAnotherLabCluster";

    /** The older of two LabClusters keeps a node both list: by creation time, then by name. */
    private static final Comparator<LabCluster> SENIORITY = Comparator
            .comparing((LabCluster c) -> Optional.ofNullable(c.getMetadata().getCreationTimestamp()).orElse("~"))
            .thenComparing(c -> c.getMetadata().getName());

    /**
     * The nodes of {@code cluster} that an older LabCluster of {@code all} lists too, by name or by address: two
     * owners would both label, join and reset the same machine. The older one keeps it.
     */
    public static List<Violation> claims(LabCluster cluster, Collection<LabCluster> all) {
        List<Violation> violations = new ArrayList<>();
        if (cluster.getSpec() == null || cluster.getSpec().nodes == null) {
            return violations;
        }
        for (LabNode node : cluster.getSpec().nodes) {
            all.stream()
                    .filter(other -> !other.getMetadata().getName().equals(cluster.getMetadata().getName()))
                    .filter(other -> SENIORITY.compare(other, cluster) < 0)
                    .filter(other -> other.getSpec() != null && other.getSpec().nodes != null)
                    .sorted(SENIORITY)
                    .flatMap(other -> other.getSpec().nodes.stream()
                            .filter(n -> Objects.equals(n.name, node.name) || Objects.equals(n.address, node.address))
                            .map(n -> new Violation("spec.nodes[" + node.name + "]", CLAIMED,
                                    "node " + node.name + " (" + node.address + ") is already claimed by LabCluster "
                                            + other.getMetadata().getName() + " as " + n.name + " (" + n.address
                                            + "); one machine has one owner: remove it from one of them")))
                    .findFirst()
                    .ifPresent(violations::add);
        }
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
                node.labels.forEach((key, value) -> checkLabel(field + ".labels", key, value, violations));
            }
        }
    }

    private static void checkLabel(String field, String key, String value, List<Violation> violations) {
        Optional<String> keyProblem = LabelSyntax.keyProblem(key);
        if (keyProblem.isPresent()) {
            violations.add(new Violation(field, "InvalidLabelKey", keyProblem.get()));
        } else if (NodeLabels.isReserved(key)) {
            violations.add(new Violation(field, "ReservedLabel",
                    "label '" + key + "' is set by the operator from role, type and cluster; remove it from labels"));
        }
        LabelSyntax.valueProblem(value).ifPresent(problem -> violations.add(new Violation(field + "[" + key + "]", "InvalidLabelValue",
                "label '" + key + "': " + problem)));
    }

    /** The schema's pattern allows five digits; a TCP port is 1-65535. */
    private static void checkEndpoint(String endpoint, List<Violation> violations) {
        if (endpoint == null || endpoint.lastIndexOf(':') < 0) {
            return; // required and host:port by the schema
        }
        String port = endpoint.substring(endpoint.lastIndexOf(':') + 1);
        int value = port.matches("[0-9]{1,5}") ? Integer.parseInt(port) : -1;
        if (value < 1 || value > 65535) {
            violations.add(new Violation("spec.controlPlaneEndpoint", "InvalidPort",
                    "port '" + port + "' of " + endpoint + " is not a TCP port (1-65535)"));
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
        } else if (ttl.get().compareTo(MAX_TOKEN_TTL) > 0) {
            violations.add(new Violation("spec.join.tokenTTL", "TokenTTLTooLong", join.tokenTTL + " is longer than "
                    + MAX_TOKEN_TTL.toHours() + "h; a bootstrap token lets anyone who holds it join a node, so it lives only as long as joins need"));
        }
    }
}
