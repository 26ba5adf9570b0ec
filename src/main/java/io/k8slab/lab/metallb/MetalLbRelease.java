package io.k8slab.lab.metallb;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The MetalLB releases the operator can install: each one's upstream manifest, embedded in the jar from
 * {@code deploy/metallb/<version>/} (v0.7.3 ported to {@code apps/v1}, v0.16.1 byte for byte as released).
 */
public enum MetalLbRelease {

    V0_7_3(new MetalLbVersion(0, 7, 3), "/metallb/v0.7.3/metallb.yaml"),
    V0_16_1(new MetalLbVersion(0, 16, 1), "/metallb/v0.16.1/metallb-native.yaml");

    private static final YAMLMapper YAML = new YAMLMapper();

    private final MetalLbVersion version;
    private final String resource;
    private volatile List<JsonNode> manifests;

    MetalLbRelease(MetalLbVersion version, String resource) {
        this.version = version;
        this.resource = resource;
    }

    /** The embedded release of exactly this version, if there is one. */
    public static Optional<MetalLbRelease> of(String version) {
        return MetalLbVersion.parse(version).flatMap(v -> Arrays.stream(values()).filter(r -> r.version.equals(v)).findFirst());
    }

    /** The versions the operator can install, for messages: {@code v0.7.3, v0.16.1}. */
    public static String embeddedVersions() {
        return Arrays.stream(values()).map(r -> r.version.toString()).collect(Collectors.joining(", "));
    }

    public MetalLbVersion version() {
        return version;
    }

    /** Where the manifest lives on the classpath (and, under deploy/metallb, in the repository). */
    public String resource() {
        return resource;
    }

    /** Whether a manifest's object lives in a namespace (the release names one for each of those). */
    public static boolean namespaced(JsonNode object) {
        return object.path("metadata").hasNonNull("namespace");
    }

    /** The release's objects as JSON trees, read from the jar once; callers copy before changing them. */
    public List<JsonNode> manifests() {
        List<JsonNode> read = manifests;
        if (read == null) {
            read = List.copyOf(readManifests(resource));
            manifests = read;
        }
        return read;
    }

    private static List<JsonNode> readManifests(String resource) {
        try (InputStream in = MetalLbRelease.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the classpath: the build embeds deploy/metallb");
            }
            // As plain trees, not typed models: what is applied is exactly what the manifest says.
            List<JsonNode> trees = new ArrayList<>();
            try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(in)) {
                while (documents.hasNext()) {
                    JsonNode document = documents.next();
                    if (document != null && document.isObject() && !document.isEmpty()) {
                        trees.add(document);
                    }
                }
            }
            return trees;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
