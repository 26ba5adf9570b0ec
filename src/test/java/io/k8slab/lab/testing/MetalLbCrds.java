package io.k8slab.lab.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * The real CRDs of the MetalLB release the operator embeds, taken at test time from its native manifest
 * (deploy/metallb/&lt;version&gt;/metallb-native.yaml, committed unchanged), so no second copy can drift from it.
 */
public final class MetalLbCrds {

    /** The embedded release whose CRDs the tests install. */
    public static final String VERSION = "v0.16.1";
    public static final Path MANIFEST = Path.of("deploy", "metallb", VERSION, "metallb-native.yaml");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static boolean installed;

    private MetalLbCrds() {
    }

    /** The manifest's CustomResourceDefinitions as YAML trees, in manifest order. */
    public static List<JsonNode> documents() {
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(Files.readString(MANIFEST))) {
            return documents.readAll().stream().filter(d -> "CustomResourceDefinition".equals(d.path("kind").asText())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every CustomResourceDefinition of the manifest, in manifest order. */
    public static List<CustomResourceDefinition> fromManifest() {
        return documents().stream().map(d -> Serialization.jsonMapper().convertValue(d, CustomResourceDefinition.class)).toList();
    }

    /** Installs them on the test API server once per JVM and waits until each is served. */
    public static synchronized void install() {
        if (!installed) {
            fromManifest().forEach(TestCluster.get()::installCrd);
            installed = true;
        }
    }
}
