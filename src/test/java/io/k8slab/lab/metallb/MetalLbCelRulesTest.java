package io.k8slab.lab.metallb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolSpec;
import io.k8slab.lab.testing.MetalLbCrds;

/**
 * The CEL rules ({@code x-kubernetes-validations}) of the embedded MetalLB release's CRDs, which the test API server
 * (1.20) ignores. Each one is either ported into the operator's validator or does not apply, for a reason this test
 * checks; a new release with other rules fails here until they are sorted.
 */
class MetalLbCelRulesTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** A CEL rule: the kind, the schema path it sits on, the rule's text. */
    record Rule(String kind, String path, String rule) {
        @Override
        public String toString() {
            return kind + " " + path + ": " + rule;
        }
    }

    /** Every rule of v0.16.1, and why it does not concern what the operator writes: a field it never renders. */
    private static final Map<Rule, String> NEVER_RENDERED = Map.of(
            new Rule("BGPAdvertisement", "spec", "!has(self.serviceSelectors) || self.serviceSelectors.size() == 0 || "
                    + "((!has(self.aggregationLength) || self.aggregationLength == 32) && (!has(self.aggregationLengthV6) || self.aggregationLengthV6 == 128))"),
                    "spec.serviceSelectors",
            new Rule("BGPPeer", "spec.connectTime", "duration(self).getSeconds() >= 1 && duration(self).getSeconds() <= 65535"),
                    "spec.connectTime",
            new Rule("BGPPeer", "spec.connectTime", "duration(self).getMilliseconds() % 1000 == 0"), "spec.connectTime",
            new Rule("BGPPeer", "spec.enableGracefulRestart", "self == oldSelf"), "spec.enableGracefulRestart");

    /** Rules on the status objects MetalLB's speakers write; the operator may only read those. */
    private static final List<Rule> METALLB_WRITES = List.of(
            new Rule("ServiceBGPStatus", "status.node", "self == oldSelf"),
            new Rule("ServiceBGPStatus", "status.serviceName", "self == oldSelf"),
            new Rule("ServiceBGPStatus", "status.serviceNamespace", "self == oldSelf"),
            new Rule("ServiceL2Status", "status.node", "self == oldSelf"),
            new Rule("ServiceL2Status", "status.serviceName", "self == oldSelf"),
            new Rule("ServiceL2Status", "status.serviceNamespace", "self == oldSelf"));

    @Test
    void everyRuleOfTheManifestIsAccountedFor() {
        List<Rule> expected = new ArrayList<>(NEVER_RENDERED.keySet());
        expected.addAll(METALLB_WRITES);
        assertThat(rules()).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void theOperatorNeverRendersTheFieldsTheRulesConcern() {
        List<GenericKubernetesResource> rendered = new ArrayList<>();
        MetalLbCrdSchemaTest.specs().forEach(arguments -> {
            @SuppressWarnings("unchecked")
            Consumer<BgpPeerPoolSpec> edit = (Consumer<BgpPeerPoolSpec>) arguments.get()[1];
            rendered.addAll(CrdRenderer.render(MetalLbModel.of(List.of(ReferenceLab.pool("cel", edit)))));
        });
        NEVER_RENDERED.forEach((rule, field) -> {
            List<GenericKubernetesResource> ofKind = rendered.stream().filter(r -> r.getKind().equals(rule.kind())).toList();
            assertThat(ofKind).as(rule.toString()).isNotEmpty().allSatisfy(resource ->
                    assertThat(Serialization.jsonMapper().valueToTree(resource).at("/" + field.replace('.', '/')).isMissingNode())
                            .as(rule + " on " + resource.getMetadata().getName()).isTrue());
        });
    }

    @Test
    void theOperatorMayOnlyReadTheStatusObjects() throws IOException {
        JsonNode role = YAML.readerFor(JsonNode.class).<JsonNode>readValues(Files.readString(Path.of("deploy", "operator", "rbac.yaml")))
                .readAll().stream().filter(d -> "ClusterRole".equals(d.path("kind").asText())).findFirst().orElseThrow();
        for (String resource : List.of("servicebgpstatuses", "servicel2statuses")) {
            for (JsonNode rule : role.path("rules")) {
                if (contains(rule.path("apiGroups"), "metallb.io") && contains(rule.path("resources"), resource)) {
                    for (JsonNode verb : rule.path("verbs")) {
                        assertThat(verb.asText()).as(resource).isIn("get", "list", "watch");
                    }
                }
            }
        }
    }

    /** The manifest's rules, found by walking every version's schema. */
    static List<Rule> rules() {
        List<Rule> rules = new ArrayList<>();
        for (JsonNode crd : MetalLbCrds.documents()) {
            String kind = crd.at("/spec/names/kind").asText();
            for (JsonNode version : crd.at("/spec/versions")) {
                walk(kind, "", version.at("/schema/openAPIV3Schema"), rules);
            }
        }
        return rules;
    }

    private static void walk(String kind, String path, JsonNode schema, List<Rule> rules) {
        for (JsonNode validation : schema.path("x-kubernetes-validations")) {
            rules.add(new Rule(kind, path, validation.path("rule").asText().replaceAll("\\s+", " ")));
        }
        for (Iterator<Map.Entry<String, JsonNode>> properties = schema.path("properties").fields(); properties.hasNext();) {
            Map.Entry<String, JsonNode> property = properties.next();
            walk(kind, path.isEmpty() ? property.getKey() : path + "." + property.getKey(), property.getValue(), rules);
        }
        if (schema.has("items")) {
            walk(kind, path + "[]", schema.path("items"), rules);
        }
    }

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode item : array) {
            if (value.equals(item.asText())) {
                return true;
            }
        }
        return false;
    }
}
