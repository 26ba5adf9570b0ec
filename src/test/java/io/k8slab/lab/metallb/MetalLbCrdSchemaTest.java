package io.k8slab.lab.metallb;

import static io.k8slab.lab.metallb.ReferenceLab.advertisement;
import static io.k8slab.lab.metallb.ReferenceLab.addressPool;
import static io.k8slab.lab.metallb.ReferenceLab.firstPeer;
import static io.k8slab.lab.metallb.ReferenceLab.firstPool;
import static io.k8slab.lab.metallb.ReferenceLab.peer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolSpec;
import io.k8slab.lab.api.v1alpha1.MetalLbTarget;
import io.k8slab.lab.api.v1alpha1.PoolProtocol;
import io.k8slab.lab.testing.MetalLbCrds;
import io.k8slab.lab.testing.TestCluster;

/**
 * What {@link CrdRenderer} writes, against the real CRDs of the embedded MetalLB release on the test API
 * server. The server (1.20) prunes a field its structural schema does not know, silently, and rejects a wrong type
 * or a missing required field: each rendered resource goes through a server-side dry-run create, and the object
 * the server would store must still hold every field that was sent.
 */
class MetalLbCrdSchemaTest {

    private static final String NAMESPACE = "crd-schema";
    private static final KubernetesClient client = TestCluster.get().client();

    @BeforeAll
    static void installCrds() {
        MetalLbCrds.install();
        client.resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).serverSideApply();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void renderedResourcesKeepEveryField(String description, Consumer<BgpPeerPoolSpec> edit) {
        List<GenericKubernetesResource> rendered = CrdRenderer.render(MetalLbModel.of(List.of(pool("schema", edit))));
        assertThat(rendered).isNotEmpty();
        for (GenericKubernetesResource resource : rendered) {
            GenericKubernetesResource stored = client.resource(resource).dryRun().create();
            assertThat(prunedFields(resource, stored)).as(resource.getKind() + " " + resource.getMetadata().getName()).isEmpty();
        }
    }

    static Stream<Arguments> specs() {
        return Stream.of(
                Arguments.of("reference lab", (Consumer<BgpPeerPoolSpec>) s -> {
                }),
                Arguments.of("every peer field", (Consumer<BgpPeerPoolSpec>) s -> {
                    firstPeer(s).port = 1179;
                    firstPeer(s).holdTime = "1m30s";
                    firstPeer(s).routerID = "172.17.0.21";
                    firstPeer(s).nodeSelector = Map.of("kubernetes.io/hostname", "k8s-node-01", "node-role.kubernetes.io/node", "");
                }),
                Arguments.of("hold time 0s", (Consumer<BgpPeerPoolSpec>) s -> firstPeer(s).holdTime = "0s"),
                Arguments.of("a second peer", (Consumer<BgpPeerPoolSpec>) s -> s.peers.add(peer("rt-02", "172.17.0.2", 64513))),
                Arguments.of("advertisements with communities and LOCAL_PREF", (Consumer<BgpPeerPoolSpec>) s -> {
                    s.communities = Map.of("lab", "64512:100");
                    firstPool(s).advertisements = List.of(advertisement(32, "lab", "65535:0"), advertisement(24));
                    firstPool(s).advertisements.get(1).localPref = 200L;
                }),
                Arguments.of("range, no auto-assign, no avoid-buggy-ips", (Consumer<BgpPeerPoolSpec>) s -> {
                    firstPool(s).addresses = List.of("172.17.254.10-172.17.254.20");
                    firstPool(s).autoAssign = false;
                    firstPool(s).avoidBuggyIPs = false;
                }),
                Arguments.of("a layer2 pool beside the bgp one", (Consumer<BgpPeerPoolSpec>) s -> {
                    s.addressPools.add(addressPool("l2-space", "172.17.253.0/24"));
                    s.addressPools.get(1).protocol = PoolProtocol.layer2;
                }));
    }

    /** The check itself: a misspelt field is pruned without an error, and the comparison names it. */
    @Test
    void aMisspeltFieldIsPrunedAndNamed() {
        GenericKubernetesResource peer = CrdRenderer.render(MetalLbModel.of(List.of(pool("misspelt", s -> {
        })))).get(0);
        spec(peer).put("peerAdress", "172.17.0.1");

        GenericKubernetesResource stored = client.resource(peer).dryRun().create();

        assertThat(prunedFields(peer, stored)).containsExactly("spec.peerAdress");
    }

    @Test
    void aWrongTypeOrMissingRequiredFieldIsRejected() {
        GenericKubernetesResource wrongType = CrdRenderer.render(MetalLbModel.of(List.of(pool("wrong-type", s -> {
        })))).get(0);
        spec(wrongType).put("peerPort", "one-seven-nine");
        assertThatThrownBy(() -> client.resource(wrongType).dryRun().create()).isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("spec.peerPort");

        GenericKubernetesResource missing = CrdRenderer.render(MetalLbModel.of(List.of(pool("missing", s -> {
        })))).get(0);
        spec(missing).remove("myASN");
        assertThatThrownBy(() -> client.resource(missing).dryRun().create()).isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("spec.myASN");
    }

    private static BgpPeerPool pool(String name, Consumer<BgpPeerPoolSpec> edit) {
        return ReferenceLab.pool(name, s -> {
            s.metallb = new MetalLbTarget();
            s.metallb.version = MetalLbCrds.VERSION;
            s.metallb.namespace = NAMESPACE;
            edit.accept(s);
        });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource resource) {
        return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
    }

    /** The paths (a.b[2].c) of every value that was sent and is not in the stored object as sent. */
    static List<String> prunedFields(GenericKubernetesResource sent, GenericKubernetesResource stored) {
        ObjectNode sentTree = Serialization.jsonMapper().valueToTree(sent);
        ObjectNode storedTree = Serialization.jsonMapper().valueToTree(stored);
        List<String> pruned = new ArrayList<>();
        compare("", sentTree, storedTree, pruned);
        return pruned;
    }

    private static void compare(String path, JsonNode sent, JsonNode stored, List<String> pruned) {
        if (stored == null || stored.isMissingNode()) {
            pruned.add(path);
        } else if (sent.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = sent.fields(); fields.hasNext();) {
                Map.Entry<String, JsonNode> field = fields.next();
                compare(path.isEmpty() ? field.getKey() : path + "." + field.getKey(), field.getValue(), stored.get(field.getKey()), pruned);
            }
        } else if (sent.isArray()) {
            for (int i = 0; i < sent.size(); i++) {
                compare(path + "[" + i + "]", sent.get(i), stored.get(i), pruned);
            }
        } else if (sent.isNumber() && stored.isNumber() ? sent.decimalValue().compareTo(stored.decimalValue()) != 0 : !sent.equals(stored)) {
            pruned.add(path + " (sent " + sent + ", stored " + stored + ")");
        }
    }
}
