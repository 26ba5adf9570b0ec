package io.k8slab.lab.metallb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.k8slab.lab.metallb.apply.MetalLbInstallation;

/**
 * MetalLB's cluster-wide objects (Namespace, CRDs, cluster roles and bindings, the validating webhook
 * configuration) ship in {@code deploy/metallb/<version>/cluster/cluster-scoped.yaml} for whoever installs the
 * operator; the operator installs the rest. That file is the release's own documents, cut out of the embedded
 * manifest text unchanged and in order. Run with {@code -Dmetallb.cluster.update=true} ({@code make metallb-cluster})
 * to rewrite it after a manifest changes.
 */
class MetalLbClusterManifestsTest {

    private static final YAMLMapper YAML = new YAMLMapper();

    @ParameterizedTest
    @EnumSource(MetalLbRelease.class)
    void clusterScopedFileIsCutFromTheRelease(MetalLbRelease release) throws IOException {
        Path manifest = Path.of("deploy" + release.resource());
        Path committed = manifest.resolveSibling("cluster").resolve("cluster-scoped.yaml");
        String generated = clusterScoped(manifest);
        if (Boolean.getBoolean("metallb.cluster.update")) {
            Files.createDirectories(committed.getParent());
            Files.writeString(committed, generated);
        }
        assertThat(committed).as("%s is missing: run `make metallb-cluster`", committed).exists();
        assertThat(Files.readString(committed)).as("%s is stale: run `make metallb-cluster` and commit it", committed).isEqualTo(generated);
    }

    /** Together, the static file and what the operator installs are the whole release, each object once. */
    @ParameterizedTest
    @EnumSource(MetalLbRelease.class)
    void staticAndInstalledPartsAreTheWholeRelease(MetalLbRelease release) throws IOException {
        List<String> released = release.manifests().stream().map(MetalLbClusterManifestsTest::key).toList();
        List<String> installed = MetalLbInstallation.desired(new ResolvedTarget(release.version().toString(), "metallb-system", "config", true))
                .stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList();
        List<String> shipped = documents(Files.readString(Path.of("deploy" + release.resource()).resolveSibling("cluster")
                .resolve("cluster-scoped.yaml"))).stream().map(MetalLbClusterManifestsTest::key).toList();

        assertThat(shipped).as("cluster-wide objects").allSatisfy(k -> assertThat(installed).doesNotContain(k));
        List<String> both = new ArrayList<>(installed);
        both.addAll(shipped);
        assertThat(both).containsExactlyInAnyOrderElementsOf(released);
        assertThat(Set.copyOf(installed.stream().map(k -> k.split("/")[0]).collect(Collectors.toSet())))
                .as("the operator installs no cluster-wide RBAC, CRD or webhook configuration")
                .doesNotContain("ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "ValidatingWebhookConfiguration", "Namespace");
    }

    /** The release's cluster-scoped documents, as written in its manifest, behind a header saying where they come from. */
    static String clusterScoped(Path manifest) throws IOException {
        StringBuilder out = new StringBuilder("# MetalLB's cluster-wide objects, cut unchanged from " + manifest
                + " by MetalLbClusterManifestsTest\n# (make metallb-cluster): do not edit. Whoever installs the operator applies them "
                + "(kubectl apply -k " + manifest.resolveSibling("cluster") + ");\n# the operator installs the namespaced rest "
                + "and holds no rights over cluster-wide RBAC.\n");
        for (String document : rawDocuments(Files.readString(manifest))) {
            JsonNode object = YAML.readTree(document);
            if (object != null && object.isObject() && !MetalLbRelease.namespaced(object)) {
                out.append("---\n").append(document);
            }
        }
        return out.toString();
    }

    /** The manifest's documents as text, comment lines before each document's first key dropped. */
    private static List<String> rawDocuments(String text) {
        List<String> documents = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (line.equals("---")) {
                documents.add(current.toString());
                current.setLength(0);
            } else if (!(current.isEmpty() && (line.startsWith("#") || line.isBlank()))) {
                current.append(line).append('\n');
            }
        }
        documents.add(current.toString());
        return documents.stream().filter(d -> !d.isBlank()).toList();
    }

    private static List<JsonNode> documents(String text) throws IOException {
        List<JsonNode> objects = new ArrayList<>();
        for (String document : rawDocuments(text)) {
            objects.add(YAML.readTree(document));
        }
        return objects;
    }

    private static String key(JsonNode object) {
        return object.path("kind").asText() + "/" + object.path("metadata").path("name").asText();
    }
}
