package io.k8slab.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.k8slab.lab.api.v1alpha1.JoinSettings;
import io.k8slab.lab.api.v1alpha1.LabCluster;
import io.k8slab.lab.api.v1alpha1.LabClusterSpec;
import io.k8slab.lab.api.v1alpha1.LabNetworks;
import io.k8slab.lab.api.v1alpha1.LabNode;
import io.k8slab.lab.api.v1alpha1.NodeRole;
import io.k8slab.lab.kube.Violation;

class LabClusterValidatorTest {

    /** The reference lab: valid. */
    static LabClusterSpec spec(Consumer<LabClusterSpec> edit) {
        LabClusterSpec spec = new LabClusterSpec();
        spec.controlPlaneEndpoint = "172.17.0.10:6443";
        spec.networks = new LabNetworks();
        spec.networks.nodeCIDR = "172.17.0.0/24";
        spec.networks.podCIDR = "10.244.0.0/16";
        spec.networks.serviceCIDR = "10.96.0.0/12";
        spec.nodes = new ArrayList<>();
        LabNode node = new LabNode();
        node.name = "k8s-node-01";
        node.address = "172.17.0.21";
        node.role = NodeRole.NODE;
        spec.nodes.add(node);
        spec.join = new JoinSettings();
        spec.join.tokenTTL = "30m";
        edit.accept(spec);
        return spec;
    }

    private static List<String> reasons(String name, LabClusterSpec spec) {
        return LabClusterValidator.validate(name, spec).stream().map(v -> v.field() + " " + v.reason()).toList();
    }

    @Test
    void theReferenceLabIsValid() {
        assertThat(LabClusterValidator.validate("lab", spec(s -> {
        }))).isEmpty();
    }

    @ParameterizedTest(name = "label {0}={1}: {2}")
    @CsvSource(nullValues = "none", value = {
            // valid: plain, prefixed, empty value, 63-character name and value, 253-character prefix
            "rack,                              r1,        none",
            "lab.k8slab.io/rack,                r1,        none",
            "topology.kubernetes.io/zone,       '',        none",
            "a23456789012345678901234567890123456789012345678901234567890123, v23456789012345678901234567890123456789012345678901234567890123, none",
            // keys (apimachinery's IsQualifiedName)
            "'',                                r1,        InvalidLabelKey",
            "rack/,                             r1,        InvalidLabelKey",
            "/rack,                             r1,        InvalidLabelKey",
            "Lab.K8slab.io/rack,                r1,        InvalidLabelKey",
            "a/b/c,                             r1,        InvalidLabelKey",
            "-rack,                             r1,        InvalidLabelKey",
            "rack_,                             r1,        InvalidLabelKey",
            "rack space,                        r1,        InvalidLabelKey",
            "a234567890123456789012345678901234567890123456789012345678901234, r1, InvalidLabelKey",
            // values (IsValidLabelValue)
            "rack,                              -r1,       InvalidLabelValue",
            "rack,                              r1.,       InvalidLabelValue",
            "rack,                              r 1,       InvalidLabelValue",
            "rack,                              r/1,       InvalidLabelValue",
            "rack,                              v234567890123456789012345678901234567890123456789012345678901234, InvalidLabelValue",
            // the operator's own
            "type,                              worker,    ReservedLabel",
            "node-role.kubernetes.io/ingress,   '',        ReservedLabel",
            "lab.k8slab.io/cluster,             other,     ReservedLabel",
    })
    void extraLabelsAreKubernetesLabels(String key, String value, String reason) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(key, value);
        List<Violation> violations = LabClusterValidator.validate("lab", spec(s -> s.nodes.get(0).labels = labels));

        if (reason == null) {
            assertThat(violations).isEmpty();
        } else {
            assertThat(violations).singleElement().satisfies(v -> {
                assertThat(v.reason()).isEqualTo(reason);
                assertThat(v.field()).startsWith("spec.nodes[k8s-node-01].labels");
                assertThat(v.message()).contains(key.isEmpty() ? "empty" : key.length() > 20 ? key.substring(0, 20) : key);
            });
        }
    }

    @Test
    void aPrefixOf254CharactersIsRefused() {
        String prefix = ("a".repeat(62) + ".").repeat(4) + "ab"; // 254
        assertThat(reasons("lab", spec(s -> s.nodes.get(0).labels = Map.of(prefix + "/rack", "r1"))))
                .containsExactly("spec.nodes[k8s-node-01].labels InvalidLabelKey");
        String fits = prefix.substring(1);
        assertThat(reasons("lab", spec(s -> s.nodes.get(0).labels = Map.of(fits + "/rack", "r1")))).isEmpty();
    }

    @ParameterizedTest(name = "name of {0} characters: {1}")
    @CsvSource(nullValues = "none", value = { "3, none", "63, none", "64, NameTooLong", "253, NameTooLong" })
    void theNameBecomesALabelValueSoItHasAtMost63Characters(int length, String reason) {
        List<String> reasons = reasons("l".repeat(length), spec(s -> {
        }));

        assertThat(reasons).isEqualTo(reason == null ? List.of() : List.of("metadata.name " + reason));
    }

    @ParameterizedTest(name = "tokenTTL {0}: {1}")
    @CsvSource(nullValues = "none", value = {
            "2m,      none",
            "30m,     none",
            "24h,     none",
            "23h59m,  none",
            "1m59s,   TokenTTLTooShort",
            "24h1s,   TokenTTLTooLong",
            "25h,     TokenTTLTooLong",
            "999999h, TokenTTLTooLong",
            "soon,    InvalidDuration",
    })
    void tokenLifetimeIsBounded(String ttl, String reason) {
        List<String> reasons = reasons("lab", spec(s -> s.join.tokenTTL = ttl));

        assertThat(reasons).isEqualTo(reason == null ? List.of() : List.of("spec.join.tokenTTL " + reason));
    }

    @ParameterizedTest(name = "endpoint {0}: {1}")
    @CsvSource(nullValues = "none", value = {
            "172.17.0.10:6443,  none",
            "172.17.0.10:1,     none",
            "172.17.0.10:65535, none",
            "k8s-api.lab:443,   none",
            "172.17.0.10:0,     InvalidPort",
            "172.17.0.10:65536, InvalidPort",
            "172.17.0.10:99999, InvalidPort",
    })
    void theEndpointPortIsATcpPort(String endpoint, String reason) {
        List<String> reasons = reasons("lab", spec(s -> s.controlPlaneEndpoint = endpoint));

        assertThat(reasons).isEqualTo(reason == null ? List.of() : List.of("spec.controlPlaneEndpoint " + reason));
    }

    private static LabCluster cluster(String name, String created, String node, String address) {
        LabCluster cluster = new LabCluster();
        cluster.getMetadata().setName(name);
        cluster.getMetadata().setCreationTimestamp(created);
        cluster.setSpec(spec(s -> {
            s.nodes.get(0).name = node;
            s.nodes.get(0).address = address;
        }));
        return cluster;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(nullValues = "none", delimiter = '|', value = {
            "same name, older other        | k8s-node-01 | 172.17.0.21 | 2026-01-01T00:00:00Z | older | false",
            "same address, older other     | k8s-node-09 | 172.17.0.21 | 2026-01-01T00:00:00Z | older | false",
            "same name, other is newer     | k8s-node-01 | 172.17.0.21 | 2026-06-01T00:00:00Z | none  | true",
            "same age: the name decides    | k8s-node-01 | 172.17.0.21 | 2026-03-01T00:00:00Z | none  | true",
            "different node and address    | k8s-node-09 | 172.17.0.29 | 2026-01-01T00:00:00Z | none  | false",
    })
    void aNodeListedByAnOlderLabClusterIsRefusedNamingIt(String name, String otherNode, String otherAddress, String otherCreated,
            String claimedBy, boolean otherRefused) {
        LabCluster self = cluster("lab", "2026-03-01T00:00:00Z", "k8s-node-01", "172.17.0.21");
        LabCluster other = cluster(claimedBy == null ? "zz-other" : "older", otherCreated, otherNode, otherAddress);

        List<Violation> violations = LabClusterValidator.claims(self, List.of(self, other));

        if (claimedBy == null) {
            assertThat(violations).isEmpty();
            assertThat(LabClusterValidator.claims(other, List.of(self, other))).as("the other way round")
                    .extracting(Violation::reason).isEqualTo(otherRefused ? List.of("NodeClaimedByAnotherLabCluster") : List.of());
        } else {
            assertThat(violations).singleElement().satisfies(v -> {
                assertThat(v.field()).isEqualTo("spec.nodes[k8s-node-01]");
                assertThat(v.reason()).isEqualTo("NodeClaimedByAnotherLabCluster");
                assertThat(v.message()).contains("already claimed by LabCluster " + claimedBy, otherNode, otherAddress);
            });
        }
    }

    @ParameterizedTest(name = "nodeDrainTimeout {0}: {1}")
    @CsvSource(nullValues = "none", value = { "10m, none", "1s, none", "0s, InvalidDuration", "forever, InvalidDuration" })
    void theDrainTimeoutIsADurationAboveZero(String timeout, String reason) {
        List<String> reasons = reasons("lab", spec(s -> s.nodeDrainTimeout = timeout));

        assertThat(reasons).isEqualTo(reason == null ? List.of() : List.of("spec.nodeDrainTimeout " + reason));
    }
}
