package io.k8slab.lab.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;

/** The repo's example manifests as editable JSON trees, so a test can derive a variant in one line. */
public final class Manifests {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public static final Path LAB_CLUSTER = Path.of("deploy", "examples", "labcluster.yaml");
    public static final Path BGP_PEER_POOL = Path.of("deploy", "examples", "bgppeerpool.yaml");

    private Manifests() {
    }

    public static ObjectNode read(Path file) {
        try {
            return (ObjectNode) YAML.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The example renamed to {@code name} and changed by {@code edit}. */
    public static ObjectNode variant(Path file, String name, Consumer<ObjectNode> edit) {
        ObjectNode manifest = read(file);
        ((ObjectNode) manifest.get("metadata")).put("name", name);
        edit.accept(manifest);
        return manifest;
    }

    public static GenericKubernetesResource toResource(JsonNode manifest) {
        return Serialization.jsonMapper().convertValue(manifest, GenericKubernetesResource.class);
    }

    public static <T> T toResource(JsonNode manifest, Class<T> type) {
        return Serialization.jsonMapper().convertValue(manifest, type);
    }

    /** The node at a path such as {@code spec.nodes.1} (numbers index arrays). */
    public static JsonNode at(JsonNode root, String path) {
        JsonNode current = root;
        for (String segment : path.split("\\.")) {
            current = segment.chars().allMatch(Character::isDigit) ? current.get(Integer.parseInt(segment)) : current.get(segment);
        }
        return current;
    }
}
