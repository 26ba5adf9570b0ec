package io.k8slab.lab.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * deploy/argocd's health checks, run the way Argo CD runs them: each {@code health.lua} with the resource as the
 * global {@code obj}, in a Lua 5.1 interpreter (Argo CD embeds gopher-lua, which has Lua 5.1 semantics), against
 * every case of the {@code health_test.yaml} beside it (Argo CD's own resource_customizations layout).
 */
class ArgoCdHealthTest {

    private static final Path ARGOCD = Path.of("deploy", "argocd");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final List<String> KINDS = List.of("LabCluster", "BgpPeerPool");

    @TestFactory
    Stream<DynamicTest> everyCaseGetsItsHealth() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String kind : KINDS) {
            Path dir = ARGOCD.resolve("lab.k8slab.io").resolve(kind);
            for (JsonNode test : YAML.readTree(dir.resolve("health_test.yaml").toFile()).path("tests")) {
                String input = test.path("inputPath").asText();
                tests.add(DynamicTest.dynamicTest(kind + " " + input, () -> {
                    JsonNode resource = YAML.readTree(dir.resolve(input).toFile());
                    assertThat(resource.path("kind").asText()).isEqualTo(kind);
                    assertThat(health(dir.resolve("health.lua"), resource))
                            .isEqualTo(test.path("healthStatus").path("status").asText() + "\n" + test.path("healthStatus").path("message").asText());
                }));
            }
        }
        assertThat(tests).hasSizeGreaterThanOrEqualTo(10);
        return tests.stream();
    }

    /** The component merges exactly these scripts into argocd-cm, under the keys Argo CD looks up. */
    @Test
    void componentMergesBothScriptsIntoArgoCdsConfigMap() throws IOException {
        JsonNode generator = YAML.readTree(ARGOCD.resolve("kustomization.yaml").toFile()).path("configMapGenerator").get(0);
        assertThat(generator.path("name").asText()).isEqualTo("argocd-cm");
        assertThat(generator.path("behavior").asText()).isEqualTo("merge");
        List<String> files = new ArrayList<>();
        generator.path("files").forEach(file -> files.add(file.asText()));
        assertThat(files).containsExactlyInAnyOrderElementsOf(KINDS.stream()
                .map(kind -> "resource.customizations.health.lab.k8slab.io_" + kind + "=lab.k8slab.io/" + kind + "/health.lua").toList());
        files.forEach(file -> assertThat(ARGOCD.resolve(file.substring(file.indexOf('=') + 1))).isRegularFile());
    }

    /** "status\nmessage" as the script returns them for {@code resource}. */
    private static String health(Path script, JsonNode resource) throws IOException, InterruptedException {
        String harness = "obj = " + luaValue(resource) + "\n"
                + "local hs = assert(loadfile(" + luaString(script.toString()) + "))()\n"
                + "io.write(hs.status, \"\\n\", hs.message or \"\")\n";
        Process lua = new ProcessBuilder("lua5.1", "-").redirectErrorStream(true).start();
        lua.getOutputStream().write(harness.getBytes(StandardCharsets.UTF_8));
        lua.getOutputStream().close();
        String output = new String(lua.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(lua.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(lua.exitValue()).as("lua5.1 (hack/deps.sh installs it): %s", output).isZero();
        return output;
    }

    /** The resource as a Lua table constructor, as gopher-lua hands Argo CD's object to the script. */
    private static String luaValue(JsonNode node) {
        if (node.isObject()) {
            StringBuilder table = new StringBuilder("{");
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext();) {
                Map.Entry<String, JsonNode> field = fields.next();
                table.append('[').append(luaString(field.getKey())).append("]=").append(luaValue(field.getValue())).append(',');
            }
            return table.append('}').toString();
        }
        if (node.isArray()) {
            StringBuilder list = new StringBuilder("{");
            node.forEach(element -> list.append(luaValue(element)).append(','));
            return list.append('}').toString();
        }
        if (node.isNumber() || node.isBoolean()) {
            return node.asText();
        }
        return node.isNull() ? "nil" : luaString(node.asText());
    }

    private static String luaString(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }
}
