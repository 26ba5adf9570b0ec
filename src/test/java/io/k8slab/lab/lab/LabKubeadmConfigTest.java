package io.k8slab.lab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.k8slab.lab.join.JoinConfigurationRenderer.ConfigApi;
import io.k8slab.lab.join.KubeadmTypes;

/**
 * The lab's {@code kubeadm init} configuration (control_plane/templates/kubeadm.yaml.j2), rendered by ansible as
 * provisioning renders it, for a Kubernetes minor of each config API: it takes the apiVersion the operator's
 * JoinConfiguration takes for that kubeadm, and every key is a field of kubeadm's types of that version.
 */
class LabKubeadmConfigTest {

    private static final YAMLMapper YAML = new YAMLMapper();

    @ParameterizedTest(name = "Kubernetes {0}: {1}")
    @CsvSource({
            "1.35,   v1beta4",
            "1.31.0, v1beta4",
            "1.30.2, v1beta3",
            "1.22,   v1beta3",
            "1.21,   v1beta2",
    })
    void kubeadmInitConfigurationMatchesKubeadmsTypes(String version, String api, @TempDir Path dir) throws IOException {
        Path settings = Files.writeString(dir.resolve("settings.yaml"),
                Files.readString(Path.of("deploy/lab/settings.yaml")).replaceFirst("(?m)^  version: \"[0-9.]+\"", "  version: \"" + version + "\""));
        String s = settings.toString();
        Path guest = dir.resolve("guest");
        LabProcess.render("--settings", s, "write", guest.resolve("deploy/lab/generated").toString());
        Path vars = Files.writeString(dir.resolve("vars.json"), LabProcess.render("--settings", s, "--guest-root", guest.toString(), "vars"));
        Path inventory = Files.writeString(dir.resolve("inventory"), LabProcess.render("--settings", s, "inventory"));
        Path out = dir.resolve("rendered");
        LabProcess.run(Duration.ofSeconds(120), "ansible-playbook", "-i", inventory.toString(), "-e", "@" + vars,
                "-e", "lab_render_dir=" + out, "--limit", "k8s-master-01", "deploy/lab/tests/render-templates.yml");

        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = YAML.readValues(YAML.createParser(out.resolve("k8s-master-01/kubeadm.yaml").toFile()), JsonNode.class)) {
            docs.forEachRemaining(documents::add);
        }
        List<JsonNode> kubeadm = documents.stream().filter(d -> d.path("apiVersion").asText().startsWith("kubeadm.k8s.io/")).toList();
        assertThat(kubeadm).extracting(d -> d.path("kind").asText()).containsExactly("InitConfiguration", "ClusterConfiguration");
        KubeadmTypes types = KubeadmTypes.of(api);
        assertThat(ConfigApi.forKubeadm(java.util.Optional.of("v" + version)).apiVersion())
                .as("the operator's rule for a kubeadm %s", version).isEqualTo(types.apiVersion);
        for (JsonNode document : kubeadm) {
            assertThat(types.problems(document)).as("%s checked against %s", document.path("kind").asText(), types.source).isEmpty();
        }
        assertThat(kubeadm.get(1).path("kubernetesVersion").asText()).isEqualTo("v" + version);
    }
}
