package io.k8slab.lab.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8slab.lab.testing.Manifests;
import io.k8slab.lab.testing.TestCluster;

/** The CRDs against a real API server: they install, the examples round-trip, and the schema rejects bad input. */
class CustomResourceSchemaTest {

    private final KubernetesClient client = TestCluster.get().client();

    @ParameterizedTest
    @MethodSource("examples")
    void exampleAppliesAndReadsBackUnchanged(Path example) {
        ObjectNode manifest = Manifests.variant(example, "roundtrip-" + example.getFileName().toString().replace(".yaml", ""), m -> {
        });
        GenericKubernetesResource applied = client.resource(Manifests.toResource(manifest)).serverSideApply();
        try {
            GenericKubernetesResource readBack = client.resource(applied).get();
            JsonNode stored = Serialization.jsonMapper().valueToTree(readBack);
            assertContains(stored.get("spec"), manifest.get("spec"), "spec");
        } finally {
            client.resource(applied).delete();
        }
    }

    static Stream<Path> examples() {
        return Stream.of(Manifests.LAB_CLUSTER, Manifests.BGP_PEER_POOL);
    }

    /**
     * An empty label value is a value (the lab's workers carry {@code node-role.kubernetes.io/node: ""}): stored as
     * "", neither dropped nor refused as null, whether server-side applied or created.
     */
    @ParameterizedTest
    @ValueSource(strings = { "apply", "create" })
    void emptyLabelValueRoundTrips(String write) {
        GenericKubernetesResource resource = Manifests.toResource(Manifests.variant(Manifests.LAB_CLUSTER, "empty-label-" + write,
                m -> node(m, 1).putObject("labels").put("example.com/gpu", "")));
        GenericKubernetesResource written = "apply".equals(write) ? client.resource(resource).serverSideApply()
                : client.resource(resource).create();
        try {
            JsonNode labels = Serialization.jsonMapper().valueToTree(client.resource(written).get()).at("/spec/nodes/1/labels");
            assertThat(labels.get("example.com/gpu")).as("spec.nodes[1].labels[example.com/gpu] read back").isEqualTo(TextNode.valueOf(""));
        } finally {
            client.resource(written).delete();
        }
    }

    /** Every field the user wrote is stored with the same value: nothing pruned, nothing rewritten. */
    private static void assertContains(JsonNode stored, JsonNode written, String path) {
        assertThat(stored).as("%s is missing after the round trip", path).isNotNull();
        if (written.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = written.fields(); fields.hasNext();) {
                Map.Entry<String, JsonNode> field = fields.next();
                assertContains(stored.get(field.getKey()), field.getValue(), path + "." + field.getKey());
            }
        } else if (written.isArray()) {
            assertThat(stored.size()).as("%s length", path).isEqualTo(written.size());
            for (int i = 0; i < written.size(); i++) {
                assertContains(stored.get(i), written.get(i), path + "[" + i + "]");
            }
        } else {
            assertThat(stored).as(path).isEqualTo(written);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidResources")
    void schemaRejectsInvalidResource(String description, Path example, Consumer<ObjectNode> edit, String expectedField) {
        ObjectNode manifest = Manifests.variant(example, "invalid", edit);

        assertThatThrownBy(() -> client.resource(Manifests.toResource(manifest)).create())
                .as(description)
                .isInstanceOf(KubernetesClientException.class)
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
                // Kubernetes 1.20 names list items without their index (spec.nodes.role); later versions add it.
                .satisfies(e -> assertThat(e.getMessage().replaceAll("\\[\\d+\\]", ""))
                        .contains(expectedField.replaceAll("\\[\\d+\\]", "")));
    }

    static Stream<Arguments> invalidResources() {
        Path lc = Manifests.LAB_CLUSTER;
        Path bpp = Manifests.BGP_PEER_POOL;
        return Stream.of(
                rejected("pod CIDR with prefix /33", lc, m -> networks(m).put("podCIDR", "10.244.0.0/33"), "spec.networks.podCIDR"),
                rejected("node CIDR without prefix", lc, m -> networks(m).put("nodeCIDR", "172.17.0.0"), "spec.networks.nodeCIDR"),
                rejected("service CIDR missing", lc, m -> networks(m).remove("serviceCIDR"), "spec.networks.serviceCIDR"),
                rejected("unknown role", lc, m -> node(m, 1).put("role", "boss"), "spec.nodes[1].role"),
                rejected("node address out of range", lc, m -> node(m, 1).put("address", "172.17.0.300"), "spec.nodes[1].address"),
                rejected("node name not DNS", lc, m -> node(m, 1).put("name", "K8s_Node"), "spec.nodes[1].name"),
                rejected("duplicate node name", lc, m -> node(m, 2).put("name", "k8s-node-01"), "spec.nodes[2]"),
                rejected("no nodes", lc, m -> ((ObjectNode) m.get("spec")).putArray("nodes"), "spec.nodes"),
                rejected("endpoint missing", lc, m -> ((ObjectNode) m.get("spec")).remove("controlPlaneEndpoint"), "spec.controlPlaneEndpoint"),
                rejected("parallelism 0", lc, m -> join(m).put("parallelism", 0), "spec.join.parallelism"),
                rejected("SSH port above 65535", lc, m -> ((ObjectNode) join(m).get("ssh")).put("port", 70000), "spec.join.ssh.port"),
                rejected("token TTL not a duration", lc, m -> join(m).put("tokenTTL", "30 minutes"), "spec.join.tokenTTL"),
                rejected("unknown removal policy", lc, m -> ((ObjectNode) m.get("spec")).put("nodeRemovalPolicy", "Explode"), "spec.nodeRemovalPolicy"),
                rejected("ASN 0", bpp, m -> ((ObjectNode) m.get("spec")).put("myASN", 0), "spec.myASN"),
                rejected("ASN above 4294967295", bpp, m -> ((ObjectNode) m.get("spec")).put("myASN", 4294967296L), "spec.myASN"),
                rejected("peer ASN negative", bpp, m -> peer(m).put("asn", -1), "spec.peers[0].asn"),
                rejected("peer address missing", bpp, m -> peer(m).remove("address"), "spec.peers[0].address"),
                rejected("peer address not IPv4", bpp, m -> peer(m).put("address", "rt-01.lab"), "spec.peers[0].address"),
                rejected("hold time not a duration", bpp, m -> peer(m).put("holdTime", "ninety"), "spec.peers[0].holdTime"),
                rejected("no peers", bpp, m -> ((ObjectNode) m.get("spec")).putArray("peers"), "spec.peers"),
                rejected("pool address not a CIDR or range", bpp, m -> addresses(m).set(0, "172.17.254.0/24x"), "spec.addressPools[0].addresses[0]"),
                rejected("duplicate pool address", bpp, m -> addresses(m).add("172.17.254.0/24"), "spec.addressPools[0].addresses[1]"),
                rejected("unknown protocol", bpp, m -> pool(m).put("protocol", "ospf"), "spec.addressPools[0].protocol"),
                rejected("aggregation length 33", bpp, m -> pool(m).putArray("advertisements").addObject().put("aggregationLength", 33),
                        "spec.addressPools[0].advertisements[0].aggregationLength"),
                rejected("community with three parts", bpp,
                        m -> pool(m).putArray("advertisements").addObject().putArray("communities").add("64512:1:2"),
                        "spec.addressPools[0].advertisements[0].communities[0]"));
    }

    private static Arguments rejected(String description, Path example, Consumer<ObjectNode> edit, String field) {
        return Arguments.of(description, example, edit, field);
    }

    private static ObjectNode networks(ObjectNode m) {
        return (ObjectNode) Manifests.at(m, "spec.networks");
    }

    private static ObjectNode node(ObjectNode m, int index) {
        return (ObjectNode) Manifests.at(m, "spec.nodes." + index);
    }

    private static ObjectNode join(ObjectNode m) {
        return (ObjectNode) Manifests.at(m, "spec.join");
    }

    private static ObjectNode peer(ObjectNode m) {
        return (ObjectNode) Manifests.at(m, "spec.peers.0");
    }

    private static ObjectNode pool(ObjectNode m) {
        return (ObjectNode) Manifests.at(m, "spec.addressPools.0");
    }

    private static ArrayNode addresses(ObjectNode m) {
        return (ArrayNode) Manifests.at(m, "spec.addressPools.0.addresses");
    }

    @Test
    void explainDescribesEveryNodeField() {
        // The API server publishes a new CRD's OpenAPI schema, which explain reads, a few seconds after Established.
        String explained = org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> io.k8slab.lab.testing.Kubectl.run("explain", "labcluster.spec.nodes"), output -> true);
        for (String field : new String[] { "name", "address", "role", "type", "labels" }) {
            assertThat(explained).contains(field);
        }
        assertThat(explained).contains("The Node name", "kubelet's node IP", "node-role.kubernetes.io/<role>",
                "'type' label", "Extra labels");
    }
}
