package io.k8slab.lab.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.k8slab.lab.testing.Kubectl;

/**
 * deploy/overlays/registry-example, the example for a cluster that pulls the operator's image from a registry,
 * changes the image and nothing else in deploy/operator, and the API server takes it.
 */
class OperatorOverlayTest {

    private static final String OVERLAY = "deploy/overlays/registry-example";
    private static final YAMLMapper YAML = new YAMLMapper();

    @Test
    void overlaySetsOnlyTheImage() throws Exception {
        List<JsonNode> base = render("deploy/operator");
        List<JsonNode> overlay = render(OVERLAY);

        JsonNode container = deployment(overlay).at("/spec/template/spec/containers/0");
        assertThat(container.get("image").asText()).isEqualTo("registry.example.com/lab/lab-operator:0.1.0");
        ((ObjectNode) deployment(base).at("/spec/template/spec/containers/0")).set("image", TextNode.valueOf(container.get("image").asText()));
        assertThat(overlay).isEqualTo(base);
    }

    @Test
    void overlayAppliesWithServerSideDryRun() {
        assertThat(Kubectl.run("apply", "--server-side", "--dry-run=server", "--force-conflicts", "-k", OVERLAY))
                .contains("deployment.apps/lab-operator");
    }

    private static List<JsonNode> render(String kustomization) throws Exception {
        String out = Kubectl.run("kustomize", kustomization);
        return YAML.readValues(new YAMLFactory().createParser(out), JsonNode.class).readAll();
    }

    private static JsonNode deployment(List<JsonNode> objects) {
        return objects.stream().filter(o -> o.path("kind").asText().equals("Deployment")).findFirst().orElseThrow();
    }
}
